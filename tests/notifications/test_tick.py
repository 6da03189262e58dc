"""The tick: what it finds due, for whom, written once however often it runs.

Every source names only what waits for the recipient themself; the other partner's doing is
never the subject of anyone's message. Each source reads a fixed number of queries however
much data there is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retrust.agreements import actions as agreements
from retrust.agreements.models import Confirmation
from retrust.assessments.models import MeasureResponse, MeasureSchedule
from retrust.conversations import actions as conversations
from retrust.core import pause
from retrust.core.models import Case, CaseMember
from retrust.notifications import sources
from retrust.notifications.models import (
    Channel,
    Delivery,
    Notification,
    Preference,
    Status,
    SwitchedOff,
)
from retrust.notifications.tick import run_tick, write_outbox
from retrust.program.models import (
    Assignment,
    ExerciseResponse,
    StageConfirmation,
    StageProposal,
)
from retrust.safety.actions import raise_alert
from tests.conftest import make_user

_serial = count(1)


def rows(**filters: Any) -> list[tuple[str, str, str, str]]:
    return sorted(
        Notification.objects.filter(**filters).values_list(
            "recipient__email", "kind", "subject", "occasion"
        )
    )


def propose(partner: Any, case: Case) -> Any:
    return agreements.propose_agreement(
        partner,
        case,
        category="communication",
        title="Evenings",
        text="We talk for ten minutes after dinner.",
    )


def high_alert(case: Case, partner: Any) -> Any:
    return raise_alert(
        case,
        source="phq9_item9",
        priority="high",
        summary="PHQ-9 item 9 answered 2",
        dedupe_key=f"test:{next(_serial)}",
        partner=partner,
    )


def assign(case: Case, *, due_on: date, for_role: str = "") -> Assignment:
    return Assignment.objects.create(
        case=case,
        exercise_id="gentle-start-up",
        title="Gentle start-up",
        for_role=for_role,
        maximum_visibility="couple",
        due_on=due_on,
    )


def schedule(case: Case, **fields: Any) -> MeasureSchedule:
    return MeasureSchedule.objects.create(case=case, instrument_id="phq-9", **fields)


# --- idempotence ----------------------------------------------------------------------------


def test_running_the_tick_again_writes_nothing_new(partner_a, partner_b, case):
    propose(partner_a, case)
    first = run_tick()
    assert first.written == 1
    again = run_tick()
    assert again.found == 1 and again.written == 0
    assert Notification.objects.count() == 1


def test_writing_the_same_item_twice_in_one_batch_keeps_one_row(partner_a, case):
    due = sources.Due(partner_a.pk, "homework", "program.assignment:1", "assigned", None)
    assert write_outbox([due, due], timezone.now()) == 1
    assert write_outbox([due], timezone.now()) == 0
    assert Notification.objects.count() == 1


# --- agreements ---------------------------------------------------------------------------


def test_a_proposed_agreement_waits_for_the_other_partners_answer_only(
    partner_a, partner_b, case, clinician
):
    agreement = propose(partner_a, case)
    run_tick()
    assert rows() == [
        (partner_b.email, "agreement_answer", f"agreements.agreement:{agreement.pk}", "version-1")
    ]


def test_an_amendment_asks_the_partner_who_has_not_answered_it(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    agreements.amend_agreement(partner_b, agreement, based_on=1, title="Evenings", text="Twenty.")
    run_tick()
    assert rows() == [
        (partner_a.email, "agreement_answer", f"agreements.agreement:{agreement.pk}", "version-2")
    ]


def test_an_answered_agreement_is_not_chased(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    agreements.accept_version(partner_b, agreement, version_number=1)
    run_tick()
    assert rows() == []


def test_nothing_is_chased_in_a_closed_case(partner_a, partner_b, case):
    propose(partner_a, case)
    Case.objects.filter(pk=case.pk).update(status="closed")
    run_tick()
    assert rows() == []


def test_couple_work_is_not_chased_while_the_case_is_paused(partner_a, partner_b, case):
    propose(partner_b, case)
    propose(partner_a, case)
    high_alert(case, partner_a)  # an item-9 alert pauses couple work, for partner A alone
    run_tick()
    # Partner A is held; partner B sees no change (nothing may tell them of A's disclosure).
    assert [row[0] for row in rows(kind="agreement_answer")] == [partner_b.email]
    Notification.objects.all().delete()
    pause.show(case)  # the clinician has acted: both partners are held now
    run_tick()
    assert rows(kind="agreement_answer") == []


def test_a_breach_report_asks_the_other_partner_for_an_answer(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    agreement = agreements.accept_version(partner_b, agreement, version_number=1)
    report = agreements.report_breach(
        partner_a, agreement, what_happened="It slipped.", happened_on=timezone.localdate()
    )
    run_tick()
    assert rows() == [
        (partner_b.email, "breach_answer", f"agreements.breachreport:{report.pk}", "")
    ]


def test_days_waiting_for_confirmation_become_one_message_per_case(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    agreement = agreements.accept_version(partner_b, agreement, version_number=1)
    today = timezone.localdate()
    commitment = agreements.make_commitment(
        partner_a,
        case,
        action="Text when I'm running late",
        schedule="daily",
        starts_on=today - timedelta(days=5),
        agreement=agreement,
    )
    for days_ago in (1, 2, 3):
        agreements.record_occurrence(
            partner_a, commitment, due_on=today - timedelta(days=days_ago), outcome="kept"
        )
    run_tick()
    waiting = rows(kind="confirmations")
    assert len(waiting) == 1
    assert waiting[0][:3] == (partner_b.email, "confirmations", f"core.case:{case.pk}")
    # Once everything is confirmed, nothing new is written.
    Notification.objects.all().delete()
    for occurrence in commitment.occurrences.all():
        Confirmation.objects.create(occurrence=occurrence, partner=partner_b, verdict="confirmed")
    run_tick()
    assert rows(kind="confirmations") == []


# --- clinicians ----------------------------------------------------------------------------


def test_a_high_alert_reaches_the_case_clinician_and_nobody_else(
    partner_a, partner_b, case, clinician, other_clinician, admin
):
    alert = high_alert(case, partner_a)
    run_tick()
    assert rows(kind="high_alert") == [
        (clinician.email, "high_alert", f"safety.alert:{alert.pk}", "")
    ]
    row = Notification.objects.get(kind="high_alert")
    assert row.subject_type.model == "alert" and row.subject_id == alert.pk


def test_a_clinician_no_longer_in_the_practice_is_not_told(partner_a, case, clinician):
    clinician.memberships.all().delete()
    high_alert(case, partner_a)
    run_tick()
    assert rows(kind="high_alert") == []


def test_an_acknowledged_or_normal_alert_sends_no_urgent_email(partner_a, case, clinician):
    alert = high_alert(case, partner_a)
    alert.acknowledged_at = timezone.now()
    alert.save()
    raise_alert(case, source="inactivity", priority="normal", summary="Quiet", dedupe_key="q:1")
    run_tick()
    assert rows(kind="high_alert") == []


def test_the_clinician_digest_waits_for_their_chosen_time(partner_a, case, clinician):
    Preference.objects.create(user=clinician, digest_at=time(7, 15), time_zone="Europe/London")
    raise_alert(case, source="inactivity", priority="normal", summary="Quiet", dedupe_key="q:2")
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    run_tick(now)
    digest = Notification.objects.get(kind="clinician_digest")
    assert digest.recipient == clinician
    assert digest.status == Status.PENDING
    local = digest.next_attempt_at.astimezone(Preference.objects.get(user=clinician).zone)
    assert (local.date(), local.time()) == (date(2026, 3, 3), time(7, 15))


# --- check-ins and homework ----------------------------------------------------------------


def test_a_check_in_round_is_chased_when_open_and_again_when_overdue(partner_a, partner_b, case):
    today = timezone.localdate()
    item = schedule(case, kind="every_n_weeks", every_weeks=2, starts_on=today)
    run_tick()
    assert {r[0] for r in rows(kind="checkin")} == {partner_a.email, partner_b.email}
    assert {r[3] for r in rows(kind="checkin")} == {"round-0:open"}
    # Partner A answers; four days on, only partner B's round is overdue.
    MeasureResponse.objects.create(
        case=case,
        author=partner_a,
        visibility="clinician",
        schedule=item,
        instrument_id="phq-9",
        instrument_version="1",
        round_key=0,
        due_on=today,
        status="submitted",
        submitted_at=timezone.now(),
    )
    later = timezone.now() + timedelta(days=4)
    run_tick(later)
    overdue = rows(kind="checkin", occasion="round-0:overdue")
    assert [r[0] for r in overdue] == [partner_b.email]


def test_a_check_in_before_a_session_is_chased_the_day_before(partner_a, case):
    today = timezone.localdate()
    schedule(
        case, kind="before_session", starts_on=today, next_session_on=today + timedelta(days=1)
    )
    run_tick()
    assert [r[3] for r in rows(kind="checkin")] == [
        f"round-{(today + timedelta(days=1)).toordinal()}:due-tomorrow"
    ]


def test_homework_is_announced_then_chased_when_due_and_never_after_it_is_sent(
    partner_a, partner_b, case
):
    today = timezone.localdate()
    assignment = assign(case, due_on=today + timedelta(days=5))
    run_tick()
    assert {(r[0], r[3]) for r in rows(kind="homework")} == {
        (partner_a.email, "assigned"),
        (partner_b.email, "assigned"),
    }
    ExerciseResponse.objects.create(
        case=case, author=partner_a, assignment=assignment, submitted_at=timezone.now()
    )
    run_tick(timezone.now() + timedelta(days=4))
    assert {(r[0], r[3]) for r in rows(kind="homework", occasion="due-soon")} == {
        (partner_b.email, "due-soon")
    }


def test_homework_for_one_partner_is_chased_with_that_partner_only(partner_a, partner_b, case):
    assign(case, due_on=timezone.localdate() + timedelta(days=3), for_role="partner_b")
    run_tick()
    assert [r[0] for r in rows(kind="homework")] == [partner_b.email]


# --- conversations and stages ---------------------------------------------------------------


def test_it_is_your_turn_after_your_partner_spoke_and_not_during_a_break(
    partner_a, partner_b, case
):
    talk = conversations.open_conversation(partner_a, case, topic="Weekends")
    run_tick()
    assert rows(kind="conversation_turn") == []  # the opener speaks first, and knows it
    conversations.post_turn(
        partner_a, talk, kind="statement", body="I miss Saturdays.", expected_seq=0
    )
    now = timezone.now()
    run_tick(now)
    assert rows(kind="conversation_turn") == [
        (partner_b.email, "conversation_turn", f"conversations.conversation:{talk.pk}", "turn-1")
    ]
    Notification.objects.all().delete()
    conversations.call_break(partner_b, talk, returns_at=now + timedelta(minutes=30), now=now)
    run_tick(now + timedelta(minutes=1))
    assert rows(kind="conversation_turn") == []
    # Ten minutes before it ends, both hear that the break is ending; once over, the turn again.
    run_tick(now + timedelta(minutes=21))
    assert {r[0] for r in rows(kind="break_ending")} == {partner_a.email, partner_b.email}
    run_tick(now + timedelta(minutes=31))
    assert [r[0] for r in rows(kind="conversation_turn")] == [partner_b.email]


def test_a_stage_move_waits_for_each_partner_who_has_not_confirmed(
    partner_a, partner_b, case, clinician
):
    proposal = StageProposal.objects.create(
        case=case,
        track="conjoint",
        from_stage=1,
        to_stage=2,
        goals_review="-",
        proposed_by=clinician,
    )
    StageConfirmation.objects.create(proposal=proposal, user=partner_a)
    run_tick()
    assert rows(kind="stage_confirmation") == [
        (partner_b.email, "stage_confirmation", f"program.stageproposal:{proposal.pk}", "")
    ]


# --- preferences at write time -------------------------------------------------------------


def test_a_switched_off_kind_or_in_app_only_is_written_as_suppressed(partner_a, partner_b, case):
    SwitchedOff.objects.create(user=partner_b, kind="homework")
    Preference.objects.create(user=partner_a, channel=Channel.IN_APP)
    assign(case, due_on=timezone.localdate() + timedelta(days=3))
    run_tick()
    found = dict(Notification.objects.values_list("recipient__email", "suppressed_reason"))
    assert found == {partner_a.email: "in_app", partner_b.email: "switched_off"}
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SUPPRESSED}


def test_daily_digest_people_get_their_updates_at_their_time(partner_a, partner_b, case):
    Preference.objects.create(
        user=partner_b, delivery=Delivery.DIGEST, digest_at=time(18, 0), time_zone="UTC"
    )
    propose(partner_a, case)
    run_tick(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    row = Notification.objects.get()
    assert row.next_attempt_at == datetime(2026, 5, 4, 18, 0, tzinfo=UTC)


# --- constant queries ----------------------------------------------------------------------


def _grow(case: Case, n: int) -> None:
    """n more couples in the same practice, each with one of everything waiting."""
    clinician = case.clinicians.first()
    today = timezone.localdate()
    for _ in range(n):
        serial = next(_serial)
        other = Case.objects.create(practice=case.practice, label=f"C{serial}", status="active")
        other.clinicians.add(clinician)
        a = make_user(f"a{serial}@example.org")
        b = make_user(f"b{serial}@example.org")
        CaseMember.objects.create(case=other, user=a, role="partner_a")
        CaseMember.objects.create(case=other, user=b, role="partner_b")
        propose(a, other)
        assign(other, due_on=today + timedelta(days=3))
        schedule(other, kind="every_n_weeks", every_weeks=2, starts_on=today)
        raise_alert(
            other, source="inactivity", priority="normal", summary="-", dedupe_key=f"g{serial}"
        )


def _source_queries(now: datetime) -> dict[str, int]:
    counts = {}
    for find in sources.registered():
        with CaptureQueriesContext(connection) as captured:
            found = list(find(now))
        counts[find.__name__] = len(captured.captured_queries)
        assert found is not None
    return counts


def test_each_source_reads_a_fixed_number_of_queries_however_much_is_waiting(
    partner_a, partner_b, case
):
    _grow(case, 1)
    now = timezone.now()
    small = _source_queries(now)
    _grow(case, 6)
    assert _source_queries(now) == small
    assert max(small.values()) <= 2


def test_the_tick_writes_and_queues_in_a_fixed_number_of_queries(partner_a, partner_b, case):
    _grow(case, 1)
    run_tick()  # warm-up: content types are cached per process
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as small:
        first = run_tick()
    Notification.objects.all().delete()
    _grow(case, 6)
    with CaptureQueriesContext(connection) as large:
        second = run_tick()
    assert second.written > first.written
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_row_the_tick_writes_is_the_models_own_row_with_its_defaults(partner_b):
    """The tick writes outbox rows with one prepared INSERT, not the ORM: every column it does
    not set must hold the model's default, as ``Notification()`` would have it."""
    due = sources.Due(partner_b.pk, "homework", "program.assignment:7", "assigned", None)
    now = timezone.now()
    assert write_outbox([due], now) == 1
    row = Notification.objects.get()
    blank = Notification()
    assert (row.recipient_id, row.kind, row.subject, row.occasion) == (
        partner_b.pk,
        "homework",
        "program.assignment:7",
        "assigned",
    )
    assert (row.status, row.created_at, row.next_attempt_at) == (Status.PENDING, now, now)
    for field in Notification._meta.concrete_fields:
        if field.attname in {
            "id",
            "recipient_id",
            "kind",
            "subject",
            "subject_type_id",
            "subject_id",
            "occasion",
            "created_at",
            "next_attempt_at",
        }:
            continue
        assert getattr(row, field.attname) == getattr(blank, field.attname), field.attname


def test_the_tick_counts_only_the_rows_it_wrote(partner_a, partner_b, case):
    propose(partner_a, case)
    due = sources.Due(partner_b.pk, "homework", "program.assignment:1", "assigned", None)
    now = timezone.now()
    assert write_outbox([due, due], now) == 1
    first = run_tick(now)
    assert (first.found, first.written) == (1, 1)  # the agreement; nothing else new
    assert run_tick(now).written == 0
    assert Notification.objects.count() == 2
