"""Hole 2: API tokens never outlive the person's say-so.

Signing out on all devices, changing the password and resetting it revoke every API token
(and the audit log says so); making a token asks for the password again, and for a fresh code
from clinicians and admins; tokens expire (90 days unless RETRUST_API_TOKEN_DAYS says
otherwise) and the account page shows until when and when each was last used.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from retrust.core import actions
from retrust.core.models import ApiToken, AuditEvent
from tests.conftest import PASSWORD, current_code, signed_in_client


def text(response) -> str:
    return html.unescape(response.content.decode())


def api_status(raw: str) -> int:
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code


def revoked_for(user, reason: str) -> AuditEvent:
    return AuditEvent.objects.get(
        action="retrust.api_token.all_revoked", actor=user, details__reason=reason
    )


# --- revoked with the sessions -------------------------------------------------------------


def test_signing_out_on_all_devices_revokes_every_token(partner_a, partner_b):
    raws = [actions.create_api_token(partner_a, name)[1] for name in ("laptop", "phone")]
    _, other = actions.create_api_token(partner_b, "theirs")
    assert all(api_status(raw) == 200 for raw in raws)

    signed_in_client(partner_a).post("/accounts/logout-everywhere/")

    assert [api_status(raw) for raw in raws] == [401, 401]
    assert not ApiToken.objects.filter(user=partner_a).exists()
    assert api_status(other) == 200  # someone else's token is untouched
    assert revoked_for(partner_a, "signed_out_everywhere").details["count"] == 2


def test_changing_the_password_revokes_every_token_and_keeps_this_session(partner_a):
    _, raw = actions.create_api_token(partner_a, "script")
    client = signed_in_client(partner_a)
    new = "lanterns along the quay"
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert api_status(raw) == 401
    assert AuditEvent.objects.filter(action="retrust.user.password_changed", actor=partner_a)
    assert revoked_for(partner_a, "password_changed").details["count"] == 1
    page = client.get("/account/")
    assert page.status_code == 200
    assert "any API tokens you had no longer work" in text(page)


def test_a_refused_password_change_leaves_tokens_working(partner_a):
    _, raw = actions.create_api_token(partner_a, "script")
    response = signed_in_client(partner_a).post(
        "/account/password/",
        {"old_password": "not it", "new_password1": "x", "new_password2": "y"},
    )
    assert response.status_code == 200
    assert api_status(raw) == 200


def test_resetting_the_password_revokes_every_token(partner_a):
    _, raw = actions.create_api_token(partner_a, "script")
    client = Client()
    client.post("/accounts/password-reset/", {"email": partner_a.email})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "moonlight over still water"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done["Location"] == "/accounts/password-reset/done/"
    assert api_status(raw) == 401
    assert AuditEvent.objects.filter(action="retrust.user.password_reset", actor=partner_a)
    assert revoked_for(partner_a, "password_reset").details["count"] == 1
    assert "no longer work" in text(client.get(done["Location"]))


# --- making a token asks who is there --------------------------------------------------------


def make_token(client: Client, **data: str):
    return client.post("/account/", {"name": "my script", **data})


def test_a_partner_makes_a_token_with_their_password(partner_a):
    response = make_token(signed_in_client(partner_a), password=PASSWORD)
    assert response.status_code == 200
    raw = re.search(r'id="new-token">(rt_[^<]+)<', text(response)).group(1)
    assert api_status(raw) == 200
    assert "Your new token" in text(response)


@pytest.mark.parametrize("password", ["", "not my password"])
def test_no_token_without_the_right_password(partner_a, password):
    response = make_token(signed_in_client(partner_a), password=password)
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    assert "new-token" not in text(response)


def test_wrong_passwords_on_the_token_form_count_towards_the_lockout(partner_a):
    client = signed_in_client(partner_a)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        make_token(client, password="a wrong guess")
    # Even the right password is refused now, and signing in elsewhere is paused too.
    make_token(client, password=PASSWORD)
    assert not ApiToken.objects.exists()
    elsewhere = Client().post(
        "/accounts/login/", {"username": partner_a.email, "password": PASSWORD}
    )
    assert elsewhere.status_code == 429


@pytest.mark.parametrize("persona", ["clinician", "admin"])
def test_staff_also_give_a_fresh_code(persona, request):
    user = request.getfixturevalue(persona)
    client = signed_in_client(user)
    form = client.get("/account/")
    assert "6-digit code from your authenticator app" in text(form)

    without = make_token(client, password=PASSWORD)
    assert without.status_code == 400
    assert not ApiToken.objects.exists()

    done = make_token(client, password=PASSWORD, code=current_code(user))
    assert done.status_code == 200
    assert ApiToken.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("persona", ["clinician", "admin"])
def test_a_wrong_code_makes_no_token(persona, request):
    user = request.getfixturevalue(persona)
    code = "000000" if current_code(user) != "000000" else "111111"
    wrong = make_token(signed_in_client(user), password=PASSWORD, code=code)
    assert wrong.status_code == 400
    assert "That code didn't work" in text(wrong)
    assert not ApiToken.objects.exists()


def test_partners_are_not_asked_for_a_code(partner_a):
    assert "authenticator" not in text(signed_in_client(partner_a).get("/account/"))


# --- expiry and last use ---------------------------------------------------------------------


def test_tokens_expire_after_ninety_days_by_default(partner_a):
    assert settings.RETRUST_API_TOKEN_DAYS == 90
    token, raw = actions.create_api_token(partner_a, "script")
    lifetime = token.expires_at - token.created_at
    assert timedelta(days=90) - timedelta(minutes=1) < lifetime <= timedelta(days=90)
    assert api_status(raw) == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_status(raw) == 401


@override_settings(RETRUST_API_TOKEN_DAYS=7)
def test_the_lifetime_is_a_setting(partner_a):
    token, _ = actions.create_api_token(partner_a, "script")
    assert (token.expires_at - token.created_at).days in (6, 7)


def test_the_account_page_shows_expiry_and_last_use(partner_a):
    token, raw = actions.create_api_token(partner_a, "export script")
    client = signed_in_client(partner_a)
    page = text(client.get("/account/"))
    assert f"works until {token.expires_at:%-d %b %Y}" in page
    assert "never used" in page
    assert "stops working after 90 days" in page

    api_status(raw)
    token.refresh_from_db()
    assert token.last_used_at is not None
    page = text(client.get("/account/"))
    assert f"last used {timezone.localtime(token.last_used_at):%-d %b %Y, %H:%M}" in page

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert "stopped working on" in text(client.get("/account/"))
