"""A case's status moves along its episode of care, and a closed case is read-only (issue 11,
hole 11: "a case's status can never move past intake").

The moves come from one pure table (``retrust.clinic.case_status``), tested for coverage like
the stage table; the case page offers exactly the moves the table allows; each move needs a
reason, which is kept for clinicians (encrypted) and never written to the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from retrust.clinic import actions as clinic_actions
from retrust.clinic import case_status
from retrust.clinic.case_status import Actor, Move, Status
from retrust.clinic.models import CaseStatusChange, NoteAddendum, SessionNote, TrackChange
from retrust.core import actions as core_actions
from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import AuditEvent, Case, CaseStatus, Invitation, User
from retrust.safety import screen
from retrust.safety.models import Alert, CasePause, IndividualSession, SafetyScreen

ALL_NO = {q.id: screen.NO for q in screen.QUESTIONS}
REASON = "Both keep their agreements week after week; fewer sessions from now on."


def text(response: Any) -> str:
    return response.content.decode()


def move(client: Client, case: Case, step: str, reason: str = REASON) -> Any:
    return client.post(f"/cases/{case.pk}/status/", {"move": step, "reason": reason})


def status_of(case: Case) -> str:
    return Case.objects.values_list("status", flat=True).get(pk=case.pk)


# --- the table ------------------------------------------------------------------------------


def test_the_table_covers_every_status_of_a_case() -> None:
    assert {s.value for s in Status} == set(CaseStatus.values)
    assert set(case_status.TABLE) == set(Status)
    for status, row in case_status.TABLE.items():
        assert row, f"{status} has no way out"
        assert len({t.move for t in row}) == len(row), f"{status} names a move twice"
        for t in row:
            assert t.to in Status and t.to != status
            assert t.who == {Actor.CLINICIAN}, "only the case's clinician moves its status"
            assert t.label
    assert {Status.CLOSED} == case_status.READ_ONLY


def test_the_episode_of_care_runs_intake_active_maintenance_closed_and_reopens() -> None:
    def to(status: Status, step: Move) -> Status | None:
        found = case_status.transition(status, step, Actor.CLINICIAN)
        return found.to if found else None

    assert to(Status.INTAKE, Move.BEGIN) == Status.ACTIVE
    assert to(Status.ACTIVE, Move.MAINTAIN) == Status.MAINTENANCE
    assert to(Status.MAINTENANCE, Move.CLOSE) == Status.CLOSED
    assert to(Status.CLOSED, Move.REOPEN) == Status.ACTIVE
    assert to(Status.MAINTENANCE, Move.RESUME) == Status.ACTIVE
    # Every open status can close; a closed case can only reopen.
    for status in Status:
        if status is not Status.CLOSED:
            assert to(status, Move.CLOSE) == Status.CLOSED
    assert [t.move for t in case_status.moves("closed", Actor.CLINICIAN)] == [Move.REOPEN]
    # Nothing skips a step, nobody but the clinician moves it, and unknown input moves nothing.
    assert to(Status.INTAKE, Move.MAINTAIN) is None
    assert to(Status.INVITED, Move.BEGIN) is None
    assert case_status.moves("intake", Actor.PARTNER) == ()
    assert case_status.moves("archived", Actor.CLINICIAN) == ()
    assert case_status.transition("active", "fly", Actor.CLINICIAN) is None


# --- the clinician's control --------------------------------------------------------------


@pytest.fixture
def intake_case(case: Case, partner_a: User, partner_b: User) -> Case:
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.INTAKE)
    case.refresh_from_db()
    return case


def test_the_clinician_moves_the_case_along_with_a_reason(
    intake_case: Case, client_for: Callable[[str], Client]
) -> None:
    case, client = intake_case, client_for("clinician")
    page = text(client.get(f"/cases/{case.pk}/"))
    assert "This case is <strong>intake</strong>" in page
    assert "Begin active work" in page and "Move to maintenance" not in page

    for step, expected in [
        ("begin", "active"),
        ("maintain", "maintenance"),
        ("resume", "active"),
        ("maintain", "maintenance"),
        ("close", "closed"),
        ("reopen", "active"),
    ]:
        response = move(client, case, step)
        assert response.status_code == 302, (step, text(response))
        assert status_of(case) == expected
    changes = list(CaseStatusChange.objects.filter(case=case).order_by("id"))
    assert [(c.old_status, c.new_status) for c in changes] == [
        ("intake", "active"),
        ("active", "maintenance"),
        ("maintenance", "active"),
        ("active", "maintenance"),
        ("maintenance", "closed"),
        ("closed", "active"),
    ]
    assert all(c.reason == REASON for c in changes)
    # The audit log (which practice admins read) has the move, never the reason.
    events = AuditEvent.objects.filter(action="retrust.case.status.changed", case=case)
    assert events.count() == 6
    assert "agreements" not in json.dumps([e.details for e in events])
    assert events.order_by("id").first().details == {"old": "intake", "new": "active"}
    # The case page shows the history to the clinician.
    page = text(client.get(f"/cases/{case.pk}/"))
    assert "closed → active by Dana Clinician — " + REASON in page


def test_a_move_needs_a_reason(intake_case: Case, client_for: Callable[[str], Client]) -> None:
    response = move(client_for("clinician"), intake_case, "begin", reason="  ")
    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert status_of(intake_case) == "intake"
    assert not CaseStatusChange.objects.exists()


def test_a_move_the_table_does_not_allow_is_refused(
    intake_case: Case, clinician: User, client_for: Callable[[str], Client]
) -> None:
    # The page offers only what the table allows, so a skipped step is not a choice at all.
    response = move(client_for("clinician"), intake_case, "maintain")
    assert response.status_code == 400
    assert status_of(intake_case) == "intake"
    # And the action refuses it with a reason, whoever calls it.
    with pytest.raises(ActionConflict) as refused:
        clinic_actions.change_status(clinician, intake_case, "maintain", REASON)
    assert refused.value.field == "move"
    assert "intake now" in refused.value.message
    assert status_of(intake_case) == "intake"


@pytest.mark.parametrize("who", ["partner_a", "other_clinician", "admin"])
def test_only_the_case_clinician_moves_the_status(
    who: str, intake_case: Case, personas: dict[str, User | None]
) -> None:
    with pytest.raises(ActionError):
        clinic_actions.change_status(personas[who], intake_case, "begin", REASON)
    assert status_of(intake_case) == "intake"


def test_the_reason_is_encrypted_at_rest(
    intake_case: Case, clinician: User, client_for: Callable[[str], Client]
) -> None:
    clinic_actions.change_status(clinician, intake_case, "begin", "Planted: the kitchen talk")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM clinic_casestatuschange")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all("kitchen" not in value for value in stored)


def test_closing_withdraws_pending_invitations(
    case: Case, partner_a: User, clinician: User
) -> None:
    core_actions.invite_partner(clinician, case, email="late@example.org")
    assert Invitation.objects.pending().filter(case=case).count() == 1
    clinic_actions.change_status(clinician, case, "close", "The couple decided to stop.")
    assert Invitation.objects.pending().filter(case=case).count() == 0
    assert AuditEvent.objects.filter(action="retrust.invitation.withdrawn", case=case).exists()


# --- a closed case is read-only -------------------------------------------------------------


@pytest.fixture
def closed_case(
    case: Case, partner_a: User, partner_b: User, clinician: User, client_for: Callable[..., Any]
) -> Case:
    """A case with an open alert, a pause, a draft and a signed note; then closed."""
    from retrust.safety import actions as safety

    safety.submit_screen(partner_a, case, {**ALL_NO, "hurt": screen.YES}, "closing")
    safety.record_individual_session(clinician, case, partner_a, timezone.localdate())
    safety.record_individual_session(clinician, case, partner_b, timezone.localdate())
    common = {"session_date": timezone.localdate(), "data": "D", "assessment": "", "plan": ""}
    clinic_actions.save_note(clinician, case, note=None, **common)
    clinic_actions.save_note(clinician, case, note=None, sign=True, **common)
    clinic_actions.change_status(clinician, case, "close", "Ended by mutual agreement.")
    case.refresh_from_db()
    return case


def everything_in(case: Case) -> Any:
    return (
        list(Case.objects.filter(pk=case.pk).values_list("track", "pause_shown_at", "status")),
        list(Alert.objects.values_list("id", "acknowledged_at")),
        list(CasePause.objects.values_list("id", "lifted_at")),
        IndividualSession.objects.count(),
        list(SessionNote.objects.values_list("id", "data", "signed_at")),
        NoteAddendum.objects.count(),
        TrackChange.objects.count(),
        Invitation.objects.count(),
        SafetyScreen.objects.count(),
    )


def test_a_closed_case_refuses_every_change_from_its_clinician(
    closed_case: Case, client_for: Callable[[str], Client]
) -> None:
    case, client = closed_case, client_for("clinician")
    alert = Alert.objects.get(case=case)
    draft = SessionNote.objects.get(case=case, signed_at__isnull=True)
    signed = SessionNote.objects.get(case=case, signed_at__isnull=False)
    today = timezone.localdate().isoformat()
    partner = case.members.get(role="partner_a").user_id
    note = {"session_date": today, "data": "After closing", "save": ""}
    posts = [
        (f"/cases/{case.pk}/alerts/{alert.pk}/acknowledge/", {"note": "Late note."}, 409),
        (f"/cases/{case.pk}/individual-sessions/", {"partner": partner, "seen_on": today}, 409),
        (f"/cases/{case.pk}/pause/individual-sessions/", {}, 409),
        (f"/cases/{case.pk}/pause/lift/", {"reason": "Both seen."}, 409),
        (f"/cases/{case.pk}/track/", {"track": "individual", "reason": "One for now."}, 409),
        (f"/cases/{case.pk}/notes/new/", note, 409),
        (f"/cases/{case.pk}/notes/{draft.pk}/", note, 409),
        (f"/cases/{case.pk}/notes/{signed.pk}/addenda/", {"body": "Addition."}, 409),
        (f"/cases/{case.pk}/invite/", {"email": "new@example.org", "display_name": ""}, 400),
    ]
    before = everything_in(case)
    for url, data, status in posts:
        response = client.post(url, data)
        assert response.status_code == status, (url, response.status_code)
        assert "closed" in text(response), url
        assert 'role="alert"' in text(response), url
    assert everything_in(case) == before


def test_a_closed_case_page_offers_only_reopening(
    closed_case: Case, client_for: Callable[[str], Client]
) -> None:
    case, client = closed_case, client_for("clinician")
    page = text(client.get(f"/cases/{case.pk}/"))
    assert "This case is closed, so everything in it is read-only" in page
    for control in [
        "Acknowledge",
        "Record an individual session",
        "Lift the pause",
        "Move to individual sessions",
        "Change track",
        "Write a session note",
        "Send invitation",
        "Withdraw",
    ]:
        assert control not in page, control
    assert "Reopen the case" in page and "Close the case" not in page
    # Notes still read, never write.
    signed = SessionNote.objects.get(case=case, signed_at__isnull=False)
    draft = SessionNote.objects.get(case=case, signed_at__isnull=True)
    for note in (signed, draft):
        body = text(client.get(f"/cases/{case.pk}/notes/{note.pk}/"))
        assert "its notes are read-only" in body
        assert "Add addendum" not in body and "Save draft" not in body
    assert "Save draft" not in text(client.get(f"/cases/{case.pk}/notes/new/"))


def test_a_closed_case_takes_no_private_answers(
    closed_case: Case, client_for: Callable[[str], Client]
) -> None:
    client = client_for("partner_b")
    url = f"/cases/{closed_case.pk}/safety-check/"
    page = text(client.get(url))
    assert "This case is closed, so there is nothing to answer here now." in page
    assert "Send to my clinician only" not in page
    before = SafetyScreen.objects.count()
    response = client.post(url, {"submission_key": "after-closing", **ALL_NO})
    assert response.status_code == 409
    assert 'role="alert"' in text(response)
    assert SafetyScreen.objects.count() == before


def test_reopening_makes_the_case_writable_again(
    closed_case: Case, client_for: Callable[[str], Client]
) -> None:
    client = client_for("clinician")
    assert move(client, closed_case, "reopen", "They asked to come back.").status_code == 302
    response = client.post(
        f"/cases/{closed_case.pk}/notes/new/",
        {"session_date": timezone.localdate().isoformat(), "data": "Welcome back", "save": ""},
    )
    assert response.status_code == 302
    assert "Write a session note" in text(client.get(f"/cases/{closed_case.pk}/"))
