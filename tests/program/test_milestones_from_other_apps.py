"""Milestones fed by the agreements ledger and by questionnaire check-ins.

Shared cards come only from what both partners see; a card about one person's own check-ins
or questionnaire answers reaches that person and the clinician, never the other partner.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from retrust.agreements.models import Commitment, Occurrence
from retrust.assessments import actions as measures
from retrust.assessments.models import MeasureResponse, ResponseStatus
from retrust.core.policy import case_access
from retrust.program import milestones
from retrust.program.queries import milestones_for, shared_milestones
from tests.conftest import signed_in_client


def keys_for(user, case):
    return [m.key for m in milestones_for(case_access(user, case.pk))]


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
    assert "kept-7-in-a-row" in [m.key for m in shared_milestones(case)]
    assert "kept-7-in-a-row" in keys_for(partner_b, case)


def test_a_private_commitment_never_becomes_a_couple_card(case, partner_a, partner_b):
    _kept(_commitment(case, partner_a, "private"), 10)
    assert "kept-7-in-a-row" not in [m.key for m in shared_milestones(case)]
    assert "kept-7-in-a-row" not in keys_for(partner_b, case)


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
    assert "checkins-4-weeks" in keys_for(partner_a, case)
    assert "checkins-4-weeks" in keys_for(clinician, case)
    # Partner B learns nothing of how often Ari answers a questionnaire.
    assert "checkins-4-weeks" not in keys_for(partner_b, case)


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


def test_a_reliable_improvement_reaches_only_its_author_and_the_clinician(
    case, clinician, partner_a, partner_b
):
    _phq9_history(case, clinician, partner_a, [16, 8])  # 8 points down: beyond the 6-point figure
    ari = [m for m in milestones_for(case_access(partner_a, case.pk)) if m.key == "improved-PHQ-9"]
    assert ari and "Your answers on PHQ-9" in ari[0].message and not ari[0].shared
    assert not any(k.startswith("improved-") for k in keys_for(partner_b, case))
    assert not any(m.key.startswith("improved-") for m in shared_milestones(case))
    seen_by_clinician = [m.message for m in milestones_for(case_access(clinician, case.pk))]
    assert "Ari's answers on PHQ-9 moved by more than chance alone would explain." in (
        seen_by_clinician
    )


def test_the_other_partner_never_reads_a_card_about_ari_s_phq9(
    case, clinician, partner_a, partner_b
):
    """Hole 1: even with the clinician suggesting shared totals, Bo's page says nothing of
    Ari's PHQ-9."""
    from retrust.assessments.models import TotalsSuggestion

    TotalsSuggestion.objects.create(case=case, suggested=True, changed_by=clinician)
    _phq9_history(case, clinician, partner_a, [16, 8])
    bo_page = signed_in_client(partner_b).get(f"/program/{case.pk}/").content.decode()
    assert "PHQ-9" not in bo_page and "A change worth noticing" not in bo_page
    bo_api = signed_in_client(partner_b).get(f"/api/v1/program/cases/{case.pk}").json()
    assert not any(m["key"].startswith("improved-") for m in bo_api["milestones"])
    ari_page = signed_in_client(partner_a).get(f"/program/{case.pk}/").content.decode()
    assert "Your answers on PHQ-9 moved" in ari_page
    # A personal card carries no note to the other partner.
    assert 'value="improved-PHQ-9"' not in ari_page
    staff_page = signed_in_client(clinician).get(f"/cases/{case.pk}/program/").content.decode()
    assert "Ari&#x27;s answers on PHQ-9 moved" in staff_page


def test_a_note_cannot_come_from_a_personal_card(case, clinician, partner_a, partner_b):
    from retrust.core.actions import ActionError
    from retrust.program import actions

    _phq9_history(case, clinician, partner_a, [16, 8])
    # A note from a personal card would tell Bo about Ari's PHQ-9.
    with pytest.raises(ActionError) as caught:
        actions.send_appreciation(partner_a, case, milestone_key="improved-PHQ-9", body="Look")
    assert caught.value.field == "milestone_key"


def test_a_small_change_is_not_called_reliable(case, clinician, partner_a, partner_b):
    _phq9_history(case, clinician, partner_a, [12, 8])  # 4 points: within the 6-point figure
    assert not any(k.startswith("improved-") for k in keys_for(partner_a, case))
    assert not any(k.startswith("improved-") for k in keys_for(clinician, case))
