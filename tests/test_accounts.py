"""Signing in and out: passwords, throttling, two-step sign-in, sessions, resets, errors."""

from __future__ import annotations

import base64
import html
import json
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from retrust.core.models import AuditEvent, ClinicianMembership, User
from tests.conftest import PASSWORD, current_code, make_user, signed_in_client


def text(response) -> str:
    return html.unescape(response.content.decode())


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": email, "password": password}, **extra)


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- passwords ----------------------------------------------------------------------------


def test_a_partner_signs_in_with_the_right_password_and_lands_in_their_space(partner_a):
    client = Client()
    response = sign_in(client, "ari@example.org", follow=True)
    assert response.redirect_chain[-1][0] == "/home/"
    assert response.status_code == 200
    assert "Ari and Bo" in text(response)
    assert client.session["_auth_user_id"] == str(partner_a.pk)


def test_email_is_not_case_sensitive_when_signing_in(partner_a):
    client = Client()
    assert sign_in(client, "ARI@Example.org").status_code == 302
    assert is_signed_in(client)


def test_a_wrong_password_says_so_clearly_and_signs_no_one_in(partner_a):
    client = Client()
    response = sign_in(client, "ari@example.org", "not the password")
    assert response.status_code == 200
    assert "That email and password don't match" in text(response)
    assert not is_signed_in(client)


def test_an_unknown_email_gets_the_same_message_as_a_wrong_password(db):
    response = sign_in(Client(), "nobody@example.org", "whatever it is")
    assert "That email and password don't match" in text(response)


def test_five_wrong_passwords_pause_signing_in_even_with_the_right_one(partner_a):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "ari@example.org", "a wrong guess")
        assert "That email and password don't match" in text(response)
    # The fifth wrong password is the one that pauses signing in.
    assert sign_in(client, "ari@example.org", "a wrong guess").status_code == 429
    locked = sign_in(client, "ari@example.org", PASSWORD)
    assert locked.status_code == 429
    assert "too many wrong passwords" in text(locked)
    assert "Reset my password" in text(locked)
    assert not is_signed_in(client)


def test_four_wrong_passwords_still_let_the_right_one_in(partner_a):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "ari@example.org", "a wrong guess")
    assert sign_in(client, "ari@example.org").status_code == 302
    assert is_signed_in(client)


# --- two-step sign-in for staff -----------------------------------------------------------


@pytest.mark.parametrize("persona", ["clinician", "admin"])
def test_staff_must_enter_a_code_before_reaching_anything(persona, request):
    user = request.getfixturevalue(persona)
    client = Client()
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"].startswith("/accounts/two-factor/")

    for path in ("/caseload/", "/practice/", "/practice/audit/", "/account/", "/cases/new/"):
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked["Location"].startswith("/accounts/two-factor/?next="), path

    page = client.get("/accounts/two-factor/?next=/caseload/")
    assert page.status_code == 200
    assert "Enter your code" in text(page)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    done = client.post("/accounts/two-factor/", {"code": code_for(device), "next": "/account/"})
    assert done.status_code == 302
    assert done["Location"] == "/account/"
    assert client.get("/account/").status_code == 200


def test_a_verified_clinician_reaches_the_caseload(clinician, case):
    client = Client()
    sign_in(client, clinician.email)
    client.post("/accounts/two-factor/", {"code": current_code(clinician), "next": "/caseload/"})
    response = client.get("/caseload/")
    assert response.status_code == 200
    assert "Ari and Bo" in text(response)


def test_a_wrong_code_is_refused_with_a_message(clinician):
    client = Client()
    sign_in(client, clinician.email)
    right = current_code(clinician)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/two-factor/", {"code": wrong, "next": "/caseload/"})
    assert response.status_code == 200
    assert "That code didn't work" in text(response)
    assert client.get("/caseload/").status_code == 302

    letters = client.post("/accounts/two-factor/", {"code": "abcdef"})
    assert "six digits, numbers only" in text(letters)


def test_a_redirect_after_the_code_never_leaves_the_site(clinician):
    client = Client()
    sign_in(client, clinician.email)
    response = client.post(
        "/accounts/two-factor/",
        {"code": current_code(clinician), "next": "https://evil.example.com/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/start/"


def test_staff_without_an_authenticator_enrol_one_on_first_sign_in(practice):
    user = make_user("newbie@example.org", "Newbie")
    ClinicianMembership.objects.create(practice=practice, user=user, role="clinician")
    client = Client()
    sign_in(client, user.email)
    assert client.get("/caseload/")["Location"].startswith("/accounts/two-factor/")

    page = client.get("/accounts/two-factor/")
    body = text(page)
    assert "Set up two-step sign-in" in body
    assert "<svg" in body
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', body).group(1)
    raw = secret.replace(" ", "")
    assert base64.b32decode(raw + "=" * (-len(raw) % 8)) == device.bin_key

    # Reloading the page shows the same key, so a scanned code keeps working.
    assert secret in text(client.get("/accounts/two-factor/"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    done = client.post("/accounts/two-factor/", {"code": code_for(device), "next": "/caseload/"})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert (
        AuditEvent.objects.filter(action="retrust.user.two_factor.enrolled", actor=user).count()
        == 1
    )
    assert client.get("/caseload/").status_code == 200


def test_partners_need_no_second_step(partner_a):
    client = Client()
    sign_in(client, partner_a.email)
    assert client.get("/home/").status_code == 200
    assert client.get("/account/").status_code == 200
    assert not TOTPDevice.objects.filter(user=partner_a).exists()


# --- signing out --------------------------------------------------------------------------


def test_sign_out_everywhere_ends_sessions_on_other_devices(partner_a):
    phone, laptop = Client(), Client()
    sign_in(phone, partner_a.email)
    sign_in(laptop, partner_a.email)
    assert laptop.get("/home/").status_code == 200

    response = phone.post("/accounts/logout-everywhere/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"

    on_laptop = laptop.get("/home/")
    assert on_laptop.status_code == 302
    assert on_laptop["Location"].startswith("/accounts/login/")
    assert phone.get("/home/").status_code == 302
    assert AuditEvent.objects.filter(
        action="retrust.user.signed_out_everywhere", actor=partner_a
    ).exists()

    # Signing in again afterwards works as usual.
    assert sign_in(laptop, partner_a.email).status_code == 302
    assert laptop.get("/home/").status_code == 200


def test_sign_out_everywhere_is_post_only(partner_a):
    client = signed_in_client(partner_a)
    assert client.get("/accounts/logout-everywhere/").status_code == 405
    assert client.get("/home/").status_code == 200


def test_sign_out_ends_the_session_and_is_post_only(partner_a):
    client = Client()
    sign_in(client, partner_a.email)
    assert client.get("/accounts/logout/").status_code == 405
    assert is_signed_in(client)

    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "You are signed out" in text(response)
    assert not is_signed_in(client)
    assert client.get("/home/").status_code == 302


# --- password reset -----------------------------------------------------------------------


def test_a_password_reset_email_lets_the_person_choose_a_new_password(partner_a):
    client = Client()
    response = client.post("/accounts/password-reset/", {"email": "ari@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ari@example.org"]
    assert message.subject == "Reset your retrust password"
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in text(form_page)
    set_url = form_page.redirect_chain[-1][0]
    new = "moonlight over still water"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password-reset/done/"

    partner_a.refresh_from_db()
    assert partner_a.check_password(new)
    assert sign_in(Client(), partner_a.email, PASSWORD).status_code == 200  # old one is gone
    assert sign_in(Client(), partner_a.email, new).status_code == 302

    # The link works once.
    assert "This link has expired" in text(client.get(link, follow=True))


def test_a_password_reset_for_an_unknown_email_looks_the_same_but_sends_nothing(db):
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_on_reset(partner_a):
    client = Client()
    client.post("/accounts/password-reset/", {"email": "ari@example.org"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "too short" in text(response)
    partner_a.refresh_from_db()
    assert partner_a.check_password(PASSWORD)


# --- sessions, CSRF, error pages ----------------------------------------------------------


def test_sessions_last_a_working_day_at_most_and_end_with_the_browser(partner_a):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True
    response = sign_in(Client(), partner_a.email)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_a_form_posted_without_its_csrf_token_gets_a_friendly_403(partner_a):
    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, partner_a.email)
    assert response.status_code == 403
    assert "Please try that again" in text(response)
    assert "Nothing was saved" in text(response)
    assert not is_signed_in(client)


def test_a_form_posted_with_its_csrf_token_works(partner_a):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(page)).group(1)
    response = client.post(
        "/accounts/login/",
        {"username": partner_a.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_an_unknown_page_gets_the_friendly_404(db):
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in text(response)
    assert "Nothing is wrong on your side" in text(response)


def test_an_unknown_api_route_answers_json(db):
    response = Client().get("/api/v1/no-such-route/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == {"detail": "Not found."}


def test_new_accounts_store_only_a_hash(partner_a):
    user = User.objects.get(pk=partner_a.pk)
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


def test_a_locked_email_does_not_lock_others_behind_the_same_address(partner_a, partner_b):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ari@example.org", "a wrong guess")
    other = Client()
    response = sign_in(other, "bo@example.org", PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(other)
