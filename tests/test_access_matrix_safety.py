"""The persona matrix for the routes of issue 4: screening, crisis resources, leaving quickly,
alerts, the pause, track switches and session notes; and of issue 11: moving a paused case to
individual sessions, the case's status and the practice's pause wording.

Same rules and helpers as ``test_access_matrix``: each route is a row saying what every persona
gets; every persona × route is one test case; POST rows name the state they would change, and
the test checks it changed for the right person and stayed exactly as it was for everyone else.
Here a row's form data may name the world's ids too (``{partner_a}``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from retrust.clinic import actions as clinic_actions
from retrust.clinic.models import CaseStatusChange, NoteAddendum, SessionNote, TrackChange
from retrust.core import pause as core_pause
from retrust.core.models import Case, Practice, User
from retrust.safety import actions as safety
from retrust.safety import screen
from retrust.safety.models import (
    Alert,
    CasePause,
    CrisisResource,
    IndividualSession,
    SafetyScreen,
)
from tests.conftest import PERSONAS
from tests.support.matrix import (
    IN_CASE,
    PARTNERS,
    SIGNED_IN,
    Redirect,
    Route,
    api,
    check,
    matrix,
    pages,
)

ANSWERS = {q.id: screen.NO for q in screen.QUESTIONS}
EVERYONE = {persona: 200 for persona in PERSONAS}


@dataclass
class World:
    case: Case
    other_case: Case
    users: dict[str, User]
    alert: Alert
    other_alert: Alert
    resource: CrisisResource
    other_resource: CrisisResource
    draft: SessionNote
    signed: SessionNote
    other_note: SessionNote

    @property
    def ids(self) -> dict[str, int]:
        return {
            "case": self.case.pk,
            "other_case": self.other_case.pk,
            "partner_a": self.users["partner_a"].pk,
            "partner_b": self.users["partner_b"].pk,
            "alert": self.alert.pk,
            "other_alert": self.other_alert.pk,
            "resource": self.resource.pk,
            "other_resource": self.other_resource.pk,
            "draft": self.draft.pk,
            "signed": self.signed.pk,
            "other_note": self.other_note.pk,
            "today": timezone.localdate().isoformat(),  # type: ignore[dict-item]
        }


@pytest.fixture
def world(
    personas: dict[str, User | None],
    practice: Any,
    other_practice: Any,
    case: Case,
    other_practice_case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
    other_practice_clinician: User,
) -> World:
    """partner_b's screen was positive, so the case is paused; both partners were seen alone
    today, so the case's clinician may lift the pause."""
    safety.submit_screen(partner_b, case, {**ANSWERS, "hurt": screen.YES}, "world-key")
    core_pause.show(case)
    safety.record_individual_session(clinician, case, partner_a, timezone.localdate())
    safety.record_individual_session(clinician, case, partner_b, timezone.localdate())
    other_alert = safety.raise_alert(
        other_practice_case,
        source="inactivity",
        priority="normal",
        summary="Quiet elsewhere",
        dedupe_key="elsewhere",
    )
    today = timezone.localdate()
    common = {"session_date": today, "data": "D", "assessment": "A", "plan": "P"}
    draft = clinic_actions.save_note(clinician, case, note=None, **common)
    signed = clinic_actions.save_note(clinician, case, note=None, sign=True, **common)
    other_note = clinic_actions.save_note(
        other_practice_clinician, other_practice_case, note=None, **common
    )
    return World(
        case=case,
        other_case=other_practice_case,
        users={k: v for k, v in personas.items() if v is not None},
        alert=Alert.objects.get(case=case),
        other_alert=other_alert,
        resource=CrisisResource.objects.create(practice=practice, name="Ours", phone="1"),
        other_resource=CrisisResource.objects.create(
            practice=other_practice, name="Theirs", phone="2"
        ),
        draft=draft,
        signed=signed,
        other_note=other_note,
    )


# --- state snapshots ------------------------------------------------------------------------


def screens(world: World) -> Any:
    return sorted(SafetyScreen.objects.values_list("id", "respondent_id"))


def resources(world: World) -> Any:
    return sorted(CrisisResource.objects.values_list("id", "practice_id", "name"))


def alert_state(attr: str) -> Callable[[World], Any]:
    def snapshot(world: World) -> Any:
        alert = getattr(world, attr)
        return Alert.objects.filter(pk=alert.pk).values_list("acknowledged_at", flat=True).get()

    return snapshot


def sessions(world: World) -> Any:
    return sorted(IndividualSession.objects.values_list("id", "partner_id", "seen_on"))


def messages_unsafe(world: World) -> Any:
    return sorted(User.objects.values_list("id", "messages_unsafe_since"))


def pauses(world: World) -> Any:
    return sorted(CasePause.objects.values_list("id", "lifted_at"))


def track(world: World) -> Any:
    return (
        sorted(Case.objects.values_list("id", "track")),
        TrackChange.objects.count(),
    )


def statuses(world: World) -> Any:
    return (
        sorted(Case.objects.values_list("id", "status")),
        CaseStatusChange.objects.count(),
    )


def wordings(world: World) -> Any:
    return sorted(Practice.objects.values_list("id", "pause_wording"))


def shown(world: World) -> Any:
    return sorted(Case.objects.values_list("id", "pause_shown_at"))


def notes(world: World) -> Any:
    return sorted(
        SessionNote.objects.values_list("id", "case_id", "data", "signed_at", "session_date")
    )


def addenda(world: World) -> Any:
    return sorted(NoteAddendum.objects.values_list("id", "note_id"))


# --- the table ------------------------------------------------------------------------------


CASE_CLINICIAN_TO_CASE = {"clinician": Redirect("/cases/{case}/")}

PAGE_ROUTES = [
    # Public: help and the neutral page, for everyone, signed in or not.
    Route("help", "GET", "/help/", EVERYONE),
    Route("away", "GET", "/away/", EVERYONE),
    # Screening: the case's partners only, each on their own account.
    Route("safety check", "GET", "/cases/{case}/safety-check/", pages(**PARTNERS)),
    Route(
        "answer the safety check",
        "POST",
        "/cases/{case}/safety-check/",
        pages(
            partner_a=Redirect("/cases/{case}/safety-check/thanks/"),
            partner_b=Redirect("/cases/{case}/safety-check/thanks/"),
        ),
        data={"submission_key": "matrix-screen", **ANSWERS},
        state=screens,
    ),
    Route("safety thanks", "GET", "/cases/{case}/safety-check/thanks/", pages(**PARTNERS)),
    Route("other practice safety check", "GET", "/cases/{other_case}/safety-check/", pages()),
    Route(
        "answer other practice safety check",
        "POST",
        "/cases/{other_case}/safety-check/",
        pages(),
        data={"submission_key": "matrix-elsewhere", **ANSWERS},
        state=screens,
    ),
    Route(
        "other practice safety thanks",
        "GET",
        "/cases/{other_case}/safety-check/thanks/",
        pages(),
    ),
    # Crisis resources: the practice admin manages them.
    Route("crisis resources", "GET", "/practice/crisis-resources/", pages(admin=200)),
    Route(
        "add crisis resource",
        "POST",
        "/practice/crisis-resources/",
        pages(admin=Redirect("/practice/crisis-resources/")),
        data={"name": "Harbour Helpline", "phone": "0800 123"},
        state=resources,
    ),
    Route(
        "remove crisis resource",
        "POST",
        "/practice/crisis-resources/{resource}/remove/",
        pages(admin=Redirect("/practice/crisis-resources/")),
        state=resources,
    ),
    Route(
        "remove other practice crisis resource",
        "POST",
        "/practice/crisis-resources/{other_resource}/remove/",
        pages(),
        state=resources,
    ),
    # Alerts and the pause: the case's clinician only.
    Route(
        "acknowledge alert",
        "POST",
        "/cases/{case}/alerts/{alert}/acknowledge/",
        pages(**CASE_CLINICIAN_TO_CASE),
        data={"note": "Called them both."},
        state=alert_state("alert"),
    ),
    Route(
        "acknowledge other practice alert via own case",
        "POST",
        "/cases/{case}/alerts/{other_alert}/acknowledge/",
        pages(),
        data={"note": "Not mine."},
        state=alert_state("other_alert"),
    ),
    Route(
        "acknowledge other practice alert",
        "POST",
        "/cases/{other_case}/alerts/{other_alert}/acknowledge/",
        pages(other_practice_clinician=Redirect("/cases/{other_case}/")),
        data={"note": "Mine."},
        state=alert_state("other_alert"),
    ),
    Route(
        "record individual session",
        "POST",
        "/cases/{case}/individual-sessions/",
        pages(**CASE_CLINICIAN_TO_CASE),
        data={"partner": "{partner_b}", "seen_on": "2020-01-02"},
        state=sessions,
    ),
    Route(
        "lift the pause",
        "POST",
        "/cases/{case}/pause/lift/",
        pages(**CASE_CLINICIAN_TO_CASE),
        data={"reason": "Both seen alone; agreed to go on together."},
        state=pauses,
    ),
    Route(
        "switch track",
        "POST",
        "/cases/{case}/track/",
        pages(**CASE_CLINICIAN_TO_CASE),
        data={"track": "discernment", "reason": "Clarity first."},
        state=track,
    ),
    Route(
        "switch other practice track",
        "POST",
        "/cases/{other_case}/track/",
        pages(other_practice_clinician=Redirect("/cases/{other_case}/")),
        data={"track": "individual", "reason": "One partner for now."},
        state=track,
    ),
    # Partner_b's screen said messages are not safe: only the case's clinician, in session,
    # may change that or hand over a reset link on screen.
    Route(
        "email safe again",
        "POST",
        "/cases/{case}/partners/{partner_b}/email-safe/",
        pages(**CASE_CLINICIAN_TO_CASE),
        state=messages_unsafe,
    ),
    Route(
        "reset link in session",
        "POST",
        "/cases/{case}/partners/{partner_b}/reset-link/",
        pages(clinician=200),
    ),
    Route(
        "other practice email safe again",
        "POST",
        "/cases/{other_case}/partners/{partner_b}/email-safe/",
        pages(),
        state=messages_unsafe,
    ),
    # The case's status: its clinician only, along the status table.
    Route(
        "change status",
        "POST",
        "/cases/{case}/status/",
        pages(**CASE_CLINICIAN_TO_CASE),
        data={"move": "maintain", "reason": "Steady for three months."},
        state=statuses,
    ),
    Route(
        "change other practice status",
        "POST",
        "/cases/{other_case}/status/",
        pages(other_practice_clinician=Redirect("/cases/{other_case}/")),
        data={"move": "close", "reason": "Ended well."},
        state=statuses,
    ),
    # The words both partners read once the clinician acts: the practice admin sets them.
    Route(
        "set pause wording",
        "POST",
        "/practice/pause-wording/",
        pages(admin=Redirect("/practice/")),
        data={"wording": "Individual sessions come first for a while."},
        state=wordings,
    ),
    # Session notes: the case's clinician only.
    Route("new note form", "GET", "/cases/{case}/notes/new/", pages(clinician=200)),
    Route(
        "write a note",
        "POST",
        "/cases/{case}/notes/new/",
        pages(clinician=Redirect("/cases/{case}/notes/")),
        data={"session_date": "{today}", "data": "New note", "save": ""},
        state=notes,
    ),
    Route("read draft note", "GET", "/cases/{case}/notes/{draft}/", pages(clinician=200)),
    Route("read signed note", "GET", "/cases/{case}/notes/{signed}/", pages(clinician=200)),
    Route(
        "edit draft note",
        "POST",
        "/cases/{case}/notes/{draft}/",
        pages(clinician=Redirect("/cases/{case}/notes/{draft}/")),
        data={"session_date": "{today}", "data": "Edited", "save": ""},
        state=notes,
    ),
    Route(
        # Nobody changes a signed note, its author included (who gets the reason why).
        "edit signed note",
        "POST",
        "/cases/{case}/notes/{signed}/",
        pages(clinician=400),
        data={"session_date": "{today}", "data": "Edited", "save": ""},
        state=notes,
    ),
    Route(
        "add addendum",
        "POST",
        "/cases/{case}/notes/{signed}/addenda/",
        pages(clinician=Redirect("/cases/{case}/notes/{signed}/")),
        data={"body": "A correction."},
        state=addenda,
    ),
    Route(
        "add addendum to a draft",
        "POST",
        "/cases/{case}/notes/{draft}/addenda/",
        pages(clinician=400),
        data={"body": "A correction."},
        state=addenda,
    ),
    Route(
        "other practice note",
        "GET",
        "/cases/{other_case}/notes/{other_note}/",
        pages(other_practice_clinician=200),
    ),
    Route("other practice note via own case", "GET", "/cases/{case}/notes/{other_note}/", pages()),
    Route(
        "edit other practice note via own case",
        "POST",
        "/cases/{case}/notes/{other_note}/",
        pages(),
        data={"session_date": "{today}", "data": "Edited", "save": ""},
        state=notes,
    ),
]

API_ROUTES = [
    # The pause reaches the API: couple sharing answers 409 to the partners, 404 to others.
    Route(
        "write couple journal while paused",
        "POST",
        "/api/v1/cases/{case}/journal",
        api(partner_a=409, partner_b=409),
        data={"body": "For both of us", "visibility": "couple"},
    ),
    Route(
        "write private journal while paused",
        "POST",
        "/api/v1/cases/{case}/journal",
        api(partner_a=201, partner_b=201),
        data={"body": "Just for me", "visibility": "private"},
    ),
    Route("me", "GET", "/api/v1/me", api(**SIGNED_IN)),
    Route("case while paused", "GET", "/api/v1/cases/{case}", api(**IN_CASE)),
]


# Moving a paused case to individual sessions: only while only the held partner knows (the
# ``held_world`` below, before the clinician has acted), and only by the case's clinician.
HELD_ROUTES = [
    Route(
        "move to individual sessions",
        "POST",
        "/cases/{case}/pause/individual-sessions/",
        pages(**CASE_CLINICIAN_TO_CASE),
        state=shown,
    ),
    Route(
        # Its own clinician is told there is nothing to move: that case is not paused.
        "move other practice case to individual sessions",
        "POST",
        "/cases/{other_case}/pause/individual-sessions/",
        pages(other_practice_clinician=409),
        state=shown,
    ),
]


@pytest.fixture
def held_world(world: World) -> World:
    """The same world, with the pause not yet shown: only partner_b knows (and is held)."""
    Case.objects.filter(pk=world.case.pk).update(pause_shown_at=None)
    world.case.refresh_from_db()
    return world


@pytest.mark.parametrize(("route", "persona"), matrix(HELD_ROUTES))
def test_held_page_access(
    route: Route, persona: str, held_world: World, client_for: Callable[[str], Client]
) -> None:
    check(route, persona, held_world, client_for(persona), json_body=False)


@pytest.mark.parametrize(("route", "persona"), matrix(PAGE_ROUTES))
def test_page_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, world, client_for(persona), json_body=False)
    if response.status_code == 404:
        assert "text/html" in response["Content-Type"]
        body = response.content.decode()
        assert "Safety screen" not in body and "Shared work is paused" not in body


@pytest.mark.parametrize(("route", "persona"), matrix(API_ROUTES))
def test_api_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, world, client_for(persona), json_body=True)
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 404:
        assert response.json() == {"detail": "Not found."}
    if response.status_code == 409:
        assert response.json()["detail"][0]["msg"] == core_pause.DEFAULT_SHOWN_MESSAGE


def test_the_table_covers_every_new_route() -> None:
    """Every URL pattern of the safety app and the clinician routes of issue 4 has a row."""
    from django.urls import get_resolver

    names = {
        "help",
        "away",
        "safety_check",
        "safety_thanks",
        "crisis_resources",
        "remove_crisis_resource",
        "acknowledge_alert",
        "record_individual_session",
        "lift_pause",
        "switch_track",
        "new_session_note",
        "session_note",
        "add_addendum",
        "move_to_individual_sessions",
        "change_case_status",
        "pause_wording",
    }
    resolver = get_resolver()
    covered = set()
    for route in [*PAGE_ROUTES, *HELD_ROUTES]:
        covered.add(resolver.resolve(route.url.format(**_sample_ids())).url_name)
    assert names <= covered, names - covered


def _sample_ids() -> dict[str, Any]:
    return {
        key: 1
        for key in [
            "case",
            "partner_b",
            "other_case",
            "alert",
            "other_alert",
            "resource",
            "other_resource",
            "draft",
            "signed",
            "other_note",
        ]
    }
