"""The partner's "Waiting for you" list and the clinician's "Today".

Both are built from the same open-item queries as the tick; both read a fixed number of queries
however much waits; a partner's list is about them alone.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from itertools import count
from typing import Any

from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from retrust.agreements import actions as agreements
from retrust.clinic.models import SessionNote
from retrust.conversations.models import Conversation
from retrust.core import pause
from retrust.core.models import Case
from retrust.notifications import waiting
from tests.conftest import signed_in_client
from tests.notifications.test_tick import _grow, assign, high_alert, propose, schedule

_days = count(1)


def home(user: Any) -> str:
    response = signed_in_client(user).get(reverse("partner_home"))
    assert response.status_code == 200
    return response.content.decode()


def kinds_for(user: Any) -> list[str]:
    return [item.kind for item in waiting.waiting_for([user.pk])[user.pk]]


def test_an_agreement_waits_for_the_other_partner_until_they_answer(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    assert kinds_for(partner_b) == ["agreement_answer"]
    assert kinds_for(partner_a) == []
    page = home(partner_b)
    assert "Waiting for you" in page
    assert "A new agreement waits for your answer" in page
    assert reverse("agreement_detail", args=[agreement.pk]) in page
    assert '<span class="badge">1<span class="visually-hidden"> waiting for you' in page
    assert "A new agreement waits for your answer" not in home(partner_a)

    agreements.accept_version(partner_b, agreement, version_number=1)

    assert kinds_for(partner_b) == [] and kinds_for(partner_a) == []
    for page in (home(partner_b), home(partner_a)):
        assert "waits for your answer" not in page
        assert "Nothing is waiting for you right now." in page
        assert 'class="badge">' not in page.split("</header>")[0]


def test_the_list_is_oldest_first_and_names_each_kind_plainly(partner_a, partner_b, case):
    today = timezone.localdate()
    old = assign(case, due_on=today + timedelta(days=2))
    old.created_at = timezone.now() - timedelta(days=5)
    old.save(update_fields=["created_at"])
    propose(partner_a, case)
    schedule(case, kind="every_n_weeks", every_weeks=2, starts_on=today - timedelta(days=1))
    conversation = Conversation.objects.create(
        case=case,
        author=partner_a,
        visibility="couple",
        topic="Sunday plans",
        speaker=partner_a,
        listener=partner_b,
        phase="listen",
        turn_count=1,
    )
    items = waiting.waiting_for([partner_b.pk])[partner_b.pk]
    assert [item.kind for item in items][0] == "homework"
    assert {item.kind for item in items} == {
        "homework",
        "agreement_answer",
        "checkin",
        "conversation_turn",
    }
    assert [item.since for item in items] == sorted(item.since for item in items)
    page = home(partner_b)
    assert "Your turn in the conversation “Sunday plans”" in page
    assert reverse("conversation", args=[conversation.pk]) in page
    assert page.index("Waiting for you") < page.index("Way of working")


def test_partner_b_never_sees_partner_as_items(partner_a, partner_b, case):
    today = timezone.localdate()
    assign(case, due_on=today + timedelta(days=1), for_role="partner_a")
    mine = assign(case, due_on=today + timedelta(days=2), for_role="partner_a")
    mine.title = "Letter to yourself"
    mine.save(update_fields=["title"])
    schedule(case, kind="intake", starts_on=today)
    propose(partner_b, case)  # waits for A, not for B

    a_kinds = kinds_for(partner_a)
    assert a_kinds.count("homework") == 2 and "agreement_answer" in a_kinds
    assert kinds_for(partner_b) == ["checkin"]  # B's own check-in, nothing of A's
    page = home(partner_b)
    assert "Letter to yourself" not in page
    assert "waits for your answer" not in page


def test_a_pause_held_for_one_partner_changes_nothing_in_the_others_list(
    partner_a, partner_b, case
):
    propose(partner_b, case)
    propose(partner_a, case)
    before_b = home(partner_b).count("waits for your answer")
    high_alert(case, partner_a)  # an item-9 answer holds partner A alone, unannounced
    assert kinds_for(partner_a) == []
    assert kinds_for(partner_b) == ["agreement_answer"]
    assert home(partner_b).count("waits for your answer") == before_b == 1
    pause.show(case)
    assert kinds_for(partner_b) == []


def _many_for(partner: Any, case: Case, n: int) -> None:
    for _ in range(n):
        propose(partner, case)
        assign(case, due_on=timezone.localdate() + timedelta(days=4 + next(_days)))


def test_the_list_reads_a_fixed_number_of_queries_however_much_waits(partner_a, partner_b, case):
    _grow(case, 1)
    _many_for(partner_a, case, 1)
    with CaptureQueriesContext(connection) as small:
        small_items = waiting.waiting_for([partner_b.pk])
    with CaptureQueriesContext(connection) as small_page:
        home(partner_b)
    _grow(case, 5)
    _many_for(partner_a, case, 6)
    with CaptureQueriesContext(connection) as large:
        large_items = waiting.waiting_for([partner_b.pk])
    with CaptureQueriesContext(connection) as large_page:
        home(partner_b)
    assert len(large_items[partner_b.pk]) > len(small_items[partner_b.pk])
    assert len(small.captured_queries) == len(large.captured_queries) <= 8
    assert len(small_page.captured_queries) == len(large_page.captured_queries)


# --- the clinician's Today ----------------------------------------------------------------


def _clinician_world(case: Case, clinician: Any, partner_a: Any) -> None:
    today = timezone.localdate()
    high_alert(case, partner_a)
    late = assign(case, due_on=today - timedelta(days=3))
    late.title = "Repair attempt"
    late.save(update_fields=["title"])
    schedule(case, kind="intake", starts_on=today - timedelta(days=20))
    SessionNote.objects.create(case=case, author=clinician, session_date=date(2026, 1, 5))


def test_today_lists_alerts_overdue_work_and_notes_to_sign(
    partner_a, partner_b, case, clinician, other_clinician
):
    _clinician_world(case, clinician, partner_a)
    page = signed_in_client(clinician).get("/caseload/today/").content.decode()
    assert "Open alerts" in page and "High" in page
    assert "“Repair attempt”" in page
    assert "check-in" in page
    assert "Sign your note" in page
    other = signed_in_client(other_clinician).get("/caseload/today/").content.decode()
    assert "Nothing needs you today." in other
    assert case.label not in other


def test_today_reads_a_fixed_number_of_queries(partner_a, partner_b, case, clinician):
    _clinician_world(case, clinician, partner_a)
    client = signed_in_client(clinician)
    client.get("/caseload/today/")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/caseload/today/").status_code == 200
    _grow(case, 6)
    for _ in range(3):
        assign(case, due_on=timezone.localdate() - timedelta(days=1 + next(_days) % 10))
    with CaptureQueriesContext(connection) as large:
        client.get("/caseload/today/")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_two_open_check_ins_are_named_in_the_app_and_never_in_the_email(
    partner_a, partner_b, case, smtp_server, settings
):
    from retrust.assessments.models import MeasureSchedule
    from retrust.notifications.tick import run_tick
    from tests.support.mail import body_of, run_queued_tasks

    today = timezone.localdate()
    schedule(case, kind="every_n_weeks", every_weeks=2, starts_on=today)
    MeasureSchedule.objects.create(
        case=case, instrument_id="gad-7", kind="every_n_weeks", every_weeks=2, starts_on=today
    )
    texts = sorted(item.text for item in waiting.waiting_for([partner_b.pk])[partner_b.pk])
    assert texts == [
        "Your check-in is ready: Generalized Anxiety Disorder scale (GAD-7)",
        "Your check-in is ready: Patient Health Questionnaire (PHQ-9)",
    ]
    page = home(partner_b)
    assert "Patient Health Questionnaire (PHQ-9)" in page
    run_tick()
    run_queued_tasks()
    message = next(m for m in smtp_server.wait_for(2) if m["To"] == partner_b.email)
    email = f"{message['Subject']}\n{body_of(message)}"
    for word in ("PHQ", "GAD", "Anxiety", "Health", "check-in", "Questionnaire"):
        assert word not in email
    # The unsubscribe link's token is signed, not secret: whoever decodes it must learn nothing.
    token = body_of(message).split("/notifications/unsubscribe/")[1].split("/")[0]
    payload = token.split(":")[0]
    decoded = signing.b64_decode(payload.lstrip(".").encode())
    if payload.startswith("."):
        decoded = zlib.decompress(decoded)
    assert b"checkin" not in decoded
