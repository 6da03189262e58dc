"""Hole 14: when a partner's private screen says messages aren't safe, retrust emails nothing.

The flag lives on the person in core (``User.messages_unsafe_since``), is set by the safety
screen, read by one rule (``retrust.core.messaging.may_email``) and cleared only by the case's
clinician, with the partner in session. Forms answer exactly as usual.
"""

from __future__ import annotations

import html
import importlib
import re

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client

from retrust.core import actions, messaging
from retrust.core.models import AuditEvent, Case, CaseMember, User
from retrust.safety import actions as safety
from retrust.safety import screen
from retrust.safety.models import SafetyScreen
from tests.conftest import signed_in_client

SAFE = {question.id: screen.NO for question in screen.QUESTIONS} | {"safe_messages": screen.YES}


def text(response) -> str:
    return html.unescape(response.content.decode())


def answer_screen(user: User, case: Case, safe_messages: str, key: str = "k") -> None:
    safety.submit_screen(user, case, {**SAFE, "safe_messages": safe_messages}, key)


def flagged(user: User) -> bool:
    user.refresh_from_db()
    return user.messages_unsafe_since is not None


def ask_for_reset(email: str):
    return Client().post("/accounts/password-reset/", {"email": email})


# --- the screen sets the flag -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "unsafe"), [(screen.NO, True), (screen.UNSURE, True), (screen.YES, False)]
)
def test_the_private_screen_sets_the_flag(case, partner_a, said, unsafe):
    answer_screen(partner_a, case, said)
    assert flagged(partner_a) is unsafe
    assert messaging.may_email(partner_a) is not unsafe
    marked = AuditEvent.objects.filter(action="retrust.contact.messages_unsafe.marked")
    assert marked.exists() is unsafe


def test_a_later_screen_never_switches_email_back_on(case, partner_a):
    answer_screen(partner_a, case, screen.NO, "first")
    answer_screen(partner_a, case, screen.YES, "second")
    assert flagged(partner_a)


def test_the_rule_for_an_address(case, partner_a):
    assert messaging.may_email_address("ARI@example.org ")
    answer_screen(partner_a, case, screen.NO)
    assert not messaging.may_email_address(" ARI@example.org")
    assert messaging.may_email_address("nobody@example.org")
    assert not messaging.may_email(None)


# --- password resets --------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["ari@example.org", "ARI@Example.org"])
def test_a_reset_asked_for_someone_flagged_sends_nothing_and_looks_the_same(
    case, partner_a, partner_b, typed
):
    answer_screen(partner_a, case, screen.NO)
    response = ask_for_reset(typed)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []

    # The other partner, who said nothing of the kind, still gets theirs.
    assert ask_for_reset("bo@example.org")["Location"] == "/accounts/password-reset/sent/"
    assert [message.to for message in mail.outbox] == [["bo@example.org"]]


# --- invitations ------------------------------------------------------------------------------


@pytest.fixture
def second_case(practice, clinician) -> Case:
    second = Case.objects.create(practice=practice, label="Ari alone", track="individual")
    second.clinicians.add(clinician)
    return second


def test_an_invitation_to_someone_flagged_is_not_emailed(
    case, second_case, clinician, partner_a, django_capture_on_commit_callbacks
):
    answer_screen(partner_a, case, screen.NO)
    with django_capture_on_commit_callbacks(execute=True):
        issued = actions.invite_partner(clinician, second_case, email="ari@example.org")
    assert issued.emailed is False
    assert issued.invitation.email == "ari@example.org"
    assert mail.outbox == []


def test_an_invitation_to_anyone_else_is_emailed(
    second_case, clinician, case, partner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issued = actions.invite_partner(clinician, second_case, email="ari@example.org")
    assert issued.emailed is True
    assert [message.to for message in mail.outbox] == [["ari@example.org"]]


def test_their_own_clinician_is_told_why_and_given_the_link(
    case, second_case, clinician, partner_a, django_capture_on_commit_callbacks
):
    answer_screen(partner_a, case, screen.NO)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client(clinician).post(
            f"/cases/{second_case.pk}/invite/", {"email": "ari@example.org"}, follow=True
        )
    page = text(response)
    assert "Nothing was emailed: ari@example.org told retrust that email isn't safe" in page
    assert "/invite/" in page.split("Give them this link yourself, in session:")[1]
    assert mail.outbox == []


def test_a_clinician_who_does_not_treat_them_learns_nothing(
    practice, case, partner_a, other_clinician, django_capture_on_commit_callbacks
):
    answer_screen(partner_a, case, screen.NO)
    elsewhere = Case.objects.create(practice=practice, label="New case", track="individual")
    elsewhere.clinicians.add(other_clinician)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_client(other_clinician).post(
            f"/cases/{elsewhere.pk}/invite/", {"email": "ari@example.org"}, follow=True
        )
    page = text(response)
    assert "Invitation sent to ari@example.org." in page
    assert "isn't safe" not in page
    assert mail.outbox == []


# --- the clinician clears it, with the partner in session -----------------------------------


def test_the_case_page_says_so_and_the_clinician_clears_it(case, clinician, partner_a, partner_b):
    answer_screen(partner_a, case, screen.NO)
    client = signed_in_client(clinician)
    page = text(client.get(f"/cases/{case.pk}/"))
    assert "No email to Ari." in page
    assert "No email to Bo." not in page

    response = client.post(f"/cases/{case.pk}/partners/{partner_a.pk}/email-safe/")
    assert response.status_code == 302
    assert not flagged(partner_a)
    assert AuditEvent.objects.filter(
        action="retrust.contact.messages_unsafe.cleared", actor=clinician, case=case
    ).exists()
    ask_for_reset("ari@example.org")
    assert [message.to for message in mail.outbox] == [["ari@example.org"]]


@pytest.mark.parametrize(
    "persona", ["partner_a", "partner_b", "other_clinician", "other_practice_clinician", "admin"]
)
def test_nobody_else_can_clear_it(case, partner_a, persona, client_for):
    answer_screen(partner_a, case, screen.NO)
    response = client_for(persona).post(f"/cases/{case.pk}/partners/{partner_a.pk}/email-safe/")
    assert response.status_code == 404
    assert flagged(partner_a)


def test_the_case_clinician_can_clear_it_only_for_a_partner_of_this_case(
    case, clinician, partner_a, other_practice_case
):
    stranger = User.objects.create_user("cy@example.org", "a calm river at dawn")
    CaseMember.objects.create(case=other_practice_case, user=stranger, role="partner_a")
    User.objects.filter(pk=stranger.pk).update(messages_unsafe_since="2025-01-01T00:00Z")
    response = signed_in_client(clinician).post(
        f"/cases/{case.pk}/partners/{stranger.pk}/email-safe/"
    )
    assert response.status_code == 404
    assert flagged(stranger)


# --- existing screens -------------------------------------------------------------------------


def test_the_migration_flags_everyone_who_already_said_so(case, partner_a, partner_b):
    SafetyScreen.objects.create(
        case=case,
        respondent=partner_a,
        answers={**SAFE, "safe_messages": screen.NO},
        safe_to_message=False,
        submission_key="old",
    )
    SafetyScreen.objects.create(
        case=case, respondent=partner_b, answers=SAFE, safe_to_message=True, submission_key="b"
    )
    migration = importlib.import_module("retrust.safety.migrations.0003_backfill_messages_unsafe")
    migration.flag_people_who_said_email_is_unsafe(apps, None)
    assert flagged(partner_a)
    assert not flagged(partner_b)


# --- a password reset with the partner in session ---------------------------------------------


def test_the_clinician_hands_over_a_reset_link_in_session(case, clinician, partner_a):
    answer_screen(partner_a, case, screen.NO)
    _, raw = actions.create_api_token(partner_a, "script")
    page = signed_in_client(clinician).post(f"/cases/{case.pk}/partners/{partner_a.pk}/reset-link/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "Nothing was emailed" in text(page)
    assert mail.outbox == []
    link = re.search(r"http://testserver(/accounts/password-reset/[^<\s]+)", text(page)).group(1)
    assert AuditEvent.objects.filter(
        action="retrust.contact.reset_link.handed_over", actor=clinician, case=case
    ).exists()

    # On the partner's own phone: they choose the password; the link then stops working.
    phone = Client()
    set_url = phone.get(link, follow=True).redirect_chain[-1][0]
    new = "moonlight over still water"
    done = phone.post(set_url, {"new_password1": new, "new_password2": new})
    assert done["Location"] == "/accounts/password-reset/done/"
    partner_a.refresh_from_db()
    assert partner_a.check_password(new)
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert "This link has expired" in text(Client().get(link, follow=True))


def test_no_reset_link_for_someone_retrust_may_email(case, clinician, partner_a):
    response = signed_in_client(clinician).post(
        f"/cases/{case.pk}/partners/{partner_a.pk}/reset-link/", follow=True
    )
    assert "they can ask for one themselves" in text(response)
    assert "password-reset/" not in text(response).split("they can ask for one")[0][-300:]
    assert not AuditEvent.objects.filter(action="retrust.contact.reset_link.handed_over")


@pytest.mark.parametrize(
    "persona", ["partner_a", "partner_b", "other_clinician", "other_practice_clinician", "admin"]
)
def test_nobody_else_gets_a_reset_link(case, partner_a, persona, client_for):
    answer_screen(partner_a, case, screen.NO)
    response = client_for(persona).post(f"/cases/{case.pk}/partners/{partner_a.pk}/reset-link/")
    assert response.status_code == 404
    assert "password-reset/" not in text(response)
