"""Constant SQL queries for the pages issue 4 changed: the caseload with alerts and pauses, and
the case view with alerts, notes, individual sessions, screens and track changes.

Same method as ``test_query_counts``: count with a little data, add a lot more, count again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import count

import pytest
from django.test import Client
from django.utils import timezone

from retrust.clinic.models import CaseStatusChange, NoteAddendum, SessionNote, TrackChange
from retrust.core.models import Case, Practice, User
from retrust.safety import screen
from retrust.safety.models import Alert, IndividualSession, SafetyScreen
from tests.conftest import pause_case
from tests.test_query_counts import add_cases, add_entries, assert_constant, queries_for

_serial: Iterator[int] = count(1)


def add_alerts(cases: list[Case], *, acknowledged_by: User | None = None) -> None:
    """Alerts of every kind on the cases, some acknowledged; a pause on every third case."""
    now = timezone.now()
    alerts = []
    for i, case in enumerate(cases):
        for priority, source in [("high", "safety_screen"), ("normal", "inactivity")][: 1 + i % 2]:
            n = next(_serial)
            acknowledged = acknowledged_by is not None and n % 3 == 0
            alerts.append(
                Alert(
                    case=case,
                    priority=priority,
                    source=source,
                    summary=f"Alert {n}",
                    dedupe_key=f"qc:{n}",
                    created_at=now - timedelta(minutes=n),
                    acknowledged_by=acknowledged_by if acknowledged else None,
                    acknowledged_at=now if acknowledged else None,
                    acknowledgement_note="Done" if acknowledged else "",
                )
            )
    Alert.objects.bulk_create(alerts)
    for i, paused_case in enumerate(cases):
        if i % 3 == 0:
            pause_case(paused_case)


@pytest.mark.parametrize("query", ["", "?sort=attention", "?sort=name", "?status=active"])
def test_caseload_is_constant_from_5_to_300_cases_with_alerts_and_pauses(
    query: str, practice: Practice, clinician: User, client_for: Callable[[str], Client]
) -> None:
    # The personas' own case ("Ari and Bo") makes the fifth.
    add_alerts(add_cases(practice, clinician, 4), acknowledged_by=clinician)
    client = client_for("clinician")
    assert Case.objects.filter(clinicians=clinician).count() == 5

    def grow() -> None:
        add_alerts(add_cases(practice, clinician, 295), acknowledged_by=clinician)

    assert_constant(client, f"/caseload/{query}", grow)
    if not query:
        text = client.get("/caseload/").content.decode()
        assert Case.objects.filter(clinicians=clinician).count() == 300
        assert text.count('<th scope="row">') == 50  # the first page of 50
        assert "Shared work paused" in text and "high alert" in text


def test_caseload_htmx_fragment_is_constant_with_alerts(
    practice: Practice, clinician: User, client_for: Callable[[str], Client]
) -> None:
    add_alerts(add_cases(practice, clinician, 5))
    client = client_for("clinician")
    client.defaults["HTTP_HX_REQUEST"] = "true"
    assert_constant(client, "/caseload/", lambda: add_alerts(add_cases(practice, clinician, 60)))


def grow_case(case: Case, clinician: User, partners: list[User], n: int) -> None:
    """``n`` of each: alerts, session notes (with addenda), individual sessions, screens,
    track and status changes and journal entries."""
    now = timezone.now()
    today = timezone.localdate()
    tracks = ["conjoint", "individual", "discernment"]
    for i in range(n):
        k = next(_serial)
        partner = partners[i % 2]
        Alert.objects.create(
            case=case,
            partner=partner if i % 2 else None,
            priority=["high", "normal"][i % 2],
            source=["safety_screen", "inactivity", "phq9_item9"][i % 3],
            summary=f"Case alert {k}",
            dedupe_key=f"case-qc:{k}",
            acknowledged_by=clinician if i % 3 == 0 else None,
            acknowledged_at=now if i % 3 == 0 else None,
            acknowledgement_note="Handled" if i % 3 == 0 else "",
        )
        note = SessionNote.objects.create(
            case=case,
            author=clinician,
            session_date=today - timedelta(days=i),
            data=f"Note {k}",
            signed_at=now if i % 2 else None,
        )
        if note.signed_at:
            NoteAddendum.objects.create(note=note, author=clinician, body=f"Addendum {k}")
        IndividualSession.objects.create(
            case=case, partner=partner, seen_on=today - timedelta(days=i), recorded_by=clinician
        )
        SafetyScreen.objects.create(
            case=case,
            respondent=partner,
            answers={q.id: screen.NO for q in screen.QUESTIONS},
            submission_key=f"qc-{k}",
        )
        TrackChange.objects.create(
            case=case,
            changed_by=clinician,
            old_track=tracks[i % 3],
            new_track=tracks[(i + 1) % 3],
            reason=f"Reason {k}",
        )
        CaseStatusChange.objects.create(
            case=case,
            changed_by=clinician,
            old_status="active",
            new_status="maintenance",
            reason=f"Status reason {k}",
        )
    add_entries(case, partners, n)


@pytest.mark.parametrize("paused", ["no", "held", "shown"])
def test_case_detail_is_constant_from_2_to_40_of_everything(
    paused: str,
    case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
    client_for: Callable[[str], Client],
) -> None:
    """Paused or not, and before or after the clinician moved to individual sessions."""
    if paused != "no":
        pause_case(case, held_for=partner_a, shown=paused == "shown")
    grow_case(case, clinician, [partner_a, partner_b], 2)
    client = client_for("clinician")
    assert_constant(
        client,
        f"/cases/{case.pk}/",
        lambda: grow_case(case, clinician, [partner_a, partner_b], 38),
    )
    text = client.get(f"/cases/{case.pk}/").content.decode()
    assert ("Shared work is paused" in text) == (paused != "no")
    assert ("Move to individual sessions" in text) == (paused == "held")
    assert "Private safety questions" in text


def test_case_detail_after_a_failed_form_is_constant(
    case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
    client_for: Callable[[str], Client],
) -> None:
    """The page re-rendered with a form's message runs the same queries, small or large."""
    pause_case(case)
    grow_case(case, clinician, [partner_a, partner_b], 2)
    client = client_for("clinician")
    url = f"/cases/{case.pk}/pause/lift/"

    def post_count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, {"reason": ""})
        assert response.status_code == 400
        return len(captured.captured_queries)

    post_count()
    small = post_count()
    grow_case(case, clinician, [partner_a, partner_b], 38)
    assert post_count() == small


def test_session_note_page_is_constant_in_addenda(
    case: Case, clinician: User, client_for: Callable[[str], Client]
) -> None:
    note = SessionNote.objects.create(
        case=case,
        author=clinician,
        session_date=timezone.localdate(),
        data="Signed",
        signed_at=timezone.now(),
    )
    NoteAddendum.objects.create(note=note, author=clinician, body="First")
    client = client_for("clinician")

    def grow() -> None:
        NoteAddendum.objects.bulk_create(
            [NoteAddendum(note=note, author=clinician, body=f"More {i}") for i in range(30)]
        )

    assert_constant(client, f"/cases/{case.pk}/notes/{note.pk}/", grow)
    assert queries_for(client, f"/cases/{case.pk}/notes/{note.pk}/")
