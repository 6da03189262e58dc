"""The journal: who it offers to share with, how a pause shows before typing, deleting in two
steps."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.test import Client

from retrust.core import actions
from retrust.core.models import Case, CaseMember, JournalEntry, Practice, User
from tests.conftest import make_user, pause_case, signed_in_client


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def couple_radio(page: str) -> str:
    """The "both of us" radio button of the journal form, or "" when there is none."""
    found = re.search(r'<input type="radio" name="visibility" value="couple"[^>]*>', page)
    return found.group(0) if found else ""


@pytest.fixture
def solo_case(practice: Practice, clinician: User) -> Case:
    case = Case.objects.create(
        practice=practice, label="Cam on their own", track="individual", status="active"
    )
    case.clinicians.add(clinician)
    return case


@pytest.fixture
def cam(solo_case: Case) -> User:
    user = make_user("cam@example.org", "Cam")
    CaseMember.objects.create(case=solo_case, user=user, role="partner_a")
    return user


# --- an individual-track case with one partner ----------------------------------------------


def test_working_alone_offers_no_both_of_us_and_speaks_to_one_person(cam: User) -> None:
    home = text(signed_in_client(cam).get("/home/"))
    journal = home.split("<h3>Journal</h3>")[1]
    assert couple_radio(home) == ""
    assert "Only me" in journal and "Me and my clinician" in journal
    for two_people in [
        "Both of us",
        "both of you",
        "our clinician",
        "Our program",
        "Your partner hasn't",
    ]:
        assert not re.search(rf"\b{two_people}\b", home), two_people
    assert "You are working on your own for now" in home


def test_sharing_with_both_is_refused_kindly_when_nobody_else_is_in_the_case(
    solo_case: Case, cam: User
) -> None:
    client = signed_in_client(cam)
    page = client.post(
        f"/cases/{solo_case.pk}/journal/", {"body": "For both", "visibility": "couple"}
    )
    assert page.status_code == 400
    assert "no one else to share this with" in text(page)
    api = client.post(
        f"/api/v1/cases/{solo_case.pk}/journal",
        {"body": "For both", "visibility": "couple"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["detail"][0]["loc"] == ["body", "visibility"]
    assert not JournalEntry.objects.exists()


def test_once_a_second_partner_joins_an_individual_case_both_of_us_is_offered(
    solo_case: Case, cam: User
) -> None:
    CaseMember.objects.create(
        case=solo_case, user=make_user("dee@example.org", "Dee"), role="partner_b"
    )
    home = text(signed_in_client(cam).get("/home/"))
    assert couple_radio(home) and "disabled" not in couple_radio(home)
    assert "Both of us and our clinician" in home


def test_a_conjoint_case_waiting_for_the_second_partner_says_what_joining_will_do(
    case: Case, partner_a: User
) -> None:
    home = text(signed_in_client(partner_a).get("/home/"))
    assert couple_radio(home)
    assert "Your partner hasn't joined yet." in home
    assert "stays between you and your clinician until you choose to show it" in home


# --- the pause shows before typing (hole 7) --------------------------------------------------


def test_the_held_partner_sees_both_of_us_as_resting_before_typing(
    case: Case, partner_a: User, partner_b: User
) -> None:
    pause_case(case, held_for=partner_a, shown=False)
    held = text(signed_in_client(partner_a).get("/home/"))
    assert "disabled" in couple_radio(held)
    assert "Both of us and our clinician — resting for now" in held
    assert "“Both of us” is resting for now." in held
    # Until the clinician acts, the other partner sees no change at all (hole 18).
    other = text(signed_in_client(partner_b).get("/home/"))
    assert couple_radio(other) and "disabled" not in couple_radio(other)
    assert "resting for now" not in other


def test_the_entry_page_shows_the_pause_before_choosing(
    case: Case, partner_a: User, partner_b: User
) -> None:
    entry = actions.write_journal_entry(partner_a, case, body="Mine", visibility="private")
    pause_case(case)
    page = text(signed_in_client(partner_a).get(f"/journal/{entry.pk}/"))
    assert "disabled" in couple_radio(page)
    refused = signed_in_client(partner_a).post(f"/journal/{entry.pk}/", {"visibility": "couple"})
    assert refused.status_code == 409
    entry.refresh_from_db()
    assert entry.visibility == "private"


# --- deleting takes two steps (hole 11) ------------------------------------------------------


def test_deleting_asks_first_and_one_tap_deletes_nothing(
    case: Case, partner_a: User, client_for: Callable[[str], Client]
) -> None:
    entry = actions.write_journal_entry(partner_a, case, body="Mine", visibility="private")
    client = client_for("partner_a")
    page = text(client.get(f"/journal/{entry.pk}/"))
    assert f'href="/journal/{entry.pk}/delete/"' in page

    ask = client.get(f"/journal/{entry.pk}/delete/")
    assert ask.status_code == 200
    assert "Delete this entry?" in text(ask) and "can't be undone" in text(ask)
    assert JournalEntry.objects.filter(pk=entry.pk).exists()

    one_tap = client.post(f"/journal/{entry.pk}/delete/")
    assert one_tap.status_code == 400
    assert "Nothing was deleted" in text(one_tap)
    assert JournalEntry.objects.filter(pk=entry.pk).exists()

    confirmed = client.post(f"/journal/{entry.pk}/delete/", {"confirm": "on"})
    assert confirmed.status_code == 302
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()


def test_the_delete_action_refuses_without_confirmation(case: Case, partner_a: User) -> None:
    entry = actions.write_journal_entry(partner_a, case, body="Mine", visibility="private")
    with pytest.raises(actions.ActionError):
        actions.delete_journal_entry(partner_a, entry, confirmed=False)
    assert JournalEntry.objects.filter(pk=entry.pk).exists()
