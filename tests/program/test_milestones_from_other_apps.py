"""Milestones fed by the agreements ledger and by questionnaire check-ins."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from retrust.agreements.models import Commitment, Occurrence
from retrust.assessments import actions as measures
from retrust.assessments.models import MeasureResponse, ResponseStatus
from retrust.program import milestones
from retrust.program.queries import milestones_for


def test_seven_kept_in_a_row_earns_a_card():
    found = milestones.detect(milestones.Facts(kept_streaks=(3, 7)), {})
    assert [m.key for m in found] == ["kept-7-in-a-row"]


def test_six_in_a_row_is_not_yet_a_card():
    assert milestones.detect(milestones.Facts(kept_streaks=(6,)), {}) == []


def _commitment(case, author, visibility):
    return Commitment.objects.create(
        case=case,
        author=author,
        visibility=visibility,
        action="Text if I'm running more than 15 minutes late",
        schedule="daily",
        starts_on=date(2026, 1, 1),
    )


def _kept(commitment, days):
    for n in range(days):
        Occurrence.objects.create(
            case=commitment.case,
            author=commitment.author,
            visibility=commitment.visibility,
            commitment=commitment,
            due_on=date(2026, 1, 1) + timedelta(days=n),
            outcome="kept",
        )


def test_a_shared_commitment_kept_a_week_shows_a_card(case, partner_a, partner_b):
    _kept(_commitment(case, partner_a, "couple"), 7)
    assert "kept-7-in-a-row" in [m.key for m in milestones_for(case)]


def test_a_private_commitment_never_becomes_a_couple_card(case, partner_a, partner_b):
    _kept(_commitment(case, partner_a, "private"), 10)
    assert "kept-7-in-a-row" not in [m.key for m in milestones_for(case)]


def test_four_weeks_of_questionnaire_check_ins_earn_the_check_in_card(
    case, clinician, partner_a, partner_b
):
    schedule, _ = measures.schedule_measure(
        clinician,
        case,
        instrument_id="phq-9",
        kind="every_n_weeks",
        every_weeks=1,
        starts_on=timezone.localdate(),
    )
    now = timezone.now()
    for week in range(4):
        MeasureResponse.objects.create(
            case=case,
            author=partner_a,
            visibility="clinician",
            schedule=schedule,
            instrument_id="phq-9",
            instrument_version="1.0.0",
            round_key=-100 - week,
            due_on=now.date(),
            status=ResponseStatus.SUBMITTED,
            answers={},
            scores={},
            total=3,
            submitted_at=now - timedelta(weeks=week),
        )
    assert "checkins-4-weeks" in [m.key for m in milestones_for(case)]


def _phq9_history(case, clinician, author, totals):
    schedule, _ = measures.schedule_measure(
        clinician,
        case,
        instrument_id="phq-9",
        kind="every_n_weeks",
        every_weeks=1,
        starts_on=timezone.localdate(),
    )
    now = timezone.now()
    for i, total in enumerate(totals):
        MeasureResponse.objects.create(
            case=case,
            author=author,
            visibility="clinician",
            schedule=schedule,
            instrument_id="phq-9",
            instrument_version="1.0.0",
            round_key=-200 - i,
            due_on=now.date(),
            status=ResponseStatus.SUBMITTED,
            answers={},
            scores={},
            total=total,
            submitted_at=now - timedelta(days=60 - i),
        )


def test_a_reliable_improvement_shows_only_where_the_case_shares_totals(
    case, clinician, partner_a, partner_b
):
    from retrust.assessments.models import TotalsSharing

    _phq9_history(case, clinician, partner_a, [16, 8])  # 8 points down: beyond the 6-point figure
    assert not any(m.key.startswith("improved-") for m in milestones_for(case))
    TotalsSharing.objects.create(case=case, enabled=True, changed_by=clinician)
    assert "improved-PHQ-9" in [m.key for m in milestones_for(case)]


def test_a_small_change_is_not_called_reliable(case, clinician, partner_a, partner_b):
    from retrust.assessments.models import TotalsSharing

    TotalsSharing.objects.create(case=case, enabled=True, changed_by=clinician)
    _phq9_history(case, clinician, partner_a, [12, 8])  # 4 points: within the 6-point figure
    assert not any(m.key.startswith("improved-") for m in milestones_for(case))
