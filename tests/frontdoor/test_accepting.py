"""Accepting a request: both partners invited only when the partner asked too and the clinician
says so; each person's own goals become their own trust goal when they join, for them and their
clinician only."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client

from retrust.core import actions as core_actions
from retrust.core.models import Case, Invitation, User
from retrust.frontdoor.models import ConsultationRequest, PracticePage
from retrust.program.models import TrustGoal
from tests.conftest import signed_in_client
from tests.frontdoor.conftest import request_data

URL = "/p/quiet-harbour/consultation/"
LINK = re.compile(r"/invite/([A-Za-z0-9_\-]+)/")
PASSWORD = "slow tide under the pier"


def request_with_partner_part(partner: dict[str, str] | None = None) -> ConsultationRequest:
    first = Client()
    first.post(URL, request_data("first", together="partner_too"))
    sent = first.get("/p/quiet-harbour/consultation/sent/").content.decode()
    path = sent.split('readonly value="')[1].split('"')[0].split("testserver")[1]
    fields = {
        "name": "Alex",
        "contact": "alex@example.net",
        "trust_means": "Knowing the plans we make are real.",
        "hopes": "To stop keeping score.",
        **(partner or {}),
    }
    Client(REMOTE_ADDR="198.51.100.7").post(path, request_data("second", **fields))
    return ConsultationRequest.objects.get(joins=None)


def open_case(clinician: User, found: ConsultationRequest, capture: Any, **data: str) -> Any:
    with capture(execute=True):
        return signed_in_client(clinician).post(
            f"/practice/consultations/{found.pk}/open-case/", data
        )


def tokens_by_address() -> dict[str, str]:
    found = {}
    for message in mail.outbox:
        match = LINK.search(message.body)
        if match:
            found[message.to[0]] = match.group(1)
    return found


def test_both_partners_are_invited_and_each_finds_only_their_own_goals(
    public_page: PracticePage, clinician: User, django_capture_on_commit_callbacks: Any
) -> None:
    found = request_with_partner_part()
    page = signed_in_client(clinician).get(f"/practice/consultations/{found.pk}/")
    assert "Also invite their partner" in page.content.decode()
    opened = open_case(
        clinician, found, django_capture_on_commit_callbacks, track="conjoint", invite_partner="on"
    )
    assert opened.status_code == 302
    case = Case.objects.get()
    invited = dict(Invitation.objects.filter(case=case).values_list("role", "email"))
    assert invited == {"partner_a": "sam@example.net", "partner_b": "alex@example.net"}
    # Nobody has a goal until they join: the request's words wait for their author.
    assert TrustGoal.objects.count() == 0
    tokens = tokens_by_address()
    sam = core_actions.accept_invitation(tokens["sam@example.net"], password=PASSWORD)
    alex = core_actions.accept_invitation(tokens["alex@example.net"], password=PASSWORD)
    goals = {goal.author: goal for goal in TrustGoal.objects.all()}
    assert goals[sam].body == (
        "What trust means to me:\nBeing able to believe what we say.\n\n"
        "What I hope will change:\nFewer arguments."
    )
    assert "To stop keeping score." in goals[alex].body
    assert {goal.visibility for goal in goals.values()} == {"clinician"}
    # Each partner reads their own words, never the other's.
    assert list(TrustGoal.objects.visible_to(sam)) == [goals[sam]]
    assert list(TrustGoal.objects.visible_to(alex)) == [goals[alex]]
    assert set(TrustGoal.objects.visible_to(clinician)) == set(goals.values())
    own_page = signed_in_client(alex).get(f"/program/{case.pk}/")
    assert own_page.status_code == 200
    text = own_page.content.decode()
    assert "To stop keeping score." in text and "Fewer arguments" not in text


def test_without_the_tick_only_the_person_who_asked_is_invited(
    public_page: PracticePage, clinician: User, django_capture_on_commit_callbacks: Any
) -> None:
    found = request_with_partner_part()
    open_case(clinician, found, django_capture_on_commit_callbacks, track="conjoint")
    assert list(Invitation.objects.values_list("email", flat=True)) == ["sam@example.net"]
    assert [m.to for m in mail.outbox] == [["sam@example.net"]]


def test_a_partner_who_was_only_mentioned_can_never_be_invited_from_the_request(
    public_page: PracticePage, clinician: User, django_capture_on_commit_callbacks: Any
) -> None:
    Client().post(URL, request_data("alone"))
    found = ConsultationRequest.objects.get()
    page = signed_in_client(clinician).get(f"/practice/consultations/{found.pk}/")
    assert "Also invite their partner" not in page.content.decode()
    refused = open_case(
        clinician, found, django_capture_on_commit_callbacks, track="conjoint", invite_partner="on"
    )
    # The box isn't on the form, so it is ignored: only the person who asked is invited.
    assert refused.status_code == 302
    assert list(Invitation.objects.values_list("email", flat=True)) == ["sam@example.net"]


def test_inviting_the_partner_needs_couple_work_and_their_own_email(
    public_page: PracticePage, clinician: User, django_capture_on_commit_callbacks: Any
) -> None:
    found = request_with_partner_part()
    individual = open_case(
        clinician,
        found,
        django_capture_on_commit_callbacks,
        track="individual",
        invite_partner="on",
    )
    assert individual.status_code == 400
    assert "individual-track case starts with one partner" in individual.content.decode()
    assert Case.objects.count() == 0 and Invitation.objects.count() == 0
    found.refresh_from_db()
    assert found.status == "new" and found.case is None


def test_a_partner_who_asked_for_a_phone_call_is_not_emailed_an_invitation(
    public_page: PracticePage, clinician: User, django_capture_on_commit_callbacks: Any
) -> None:
    found = request_with_partner_part({"contact_method": "phone", "contact": "01234 567 890"})
    refused = open_case(
        clinician,
        found,
        django_capture_on_commit_callbacks,
        track="conjoint",
        invite_partner="on",
    )
    assert refused.status_code == 400
    assert "partner asked to be reached by phone call" in refused.content.decode()
    assert Case.objects.count() == 0 and mail.outbox == []


def test_a_request_without_goals_carries_nothing(
    public_page: PracticePage, clinician: User, django_capture_on_commit_callbacks: Any
) -> None:
    Client().post(URL, request_data("bare", trust_means="", hopes=""))
    found = ConsultationRequest.objects.get()
    open_case(clinician, found, django_capture_on_commit_callbacks, track="individual")
    core_actions.accept_invitation(tokens_by_address()["sam@example.net"], password=PASSWORD)
    assert TrustGoal.objects.count() == 0
