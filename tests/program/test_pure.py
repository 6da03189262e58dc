"""The pure parts: the stage and track table, and milestone detection."""

from __future__ import annotations

from datetime import date, timedelta

from retrust.program import milestones, transitions
from retrust.program.transitions import Actor, Step, Track


def test_the_table_covers_every_state_and_every_step():
    expected = {(track, stage) for track in Track for stage in transitions.STAGE_NAMES}
    assert set(transitions.TABLE) == expected
    for state, row in transitions.TABLE.items():
        assert set(row) == set(Step), state
        for actors in row.values():
            assert actors <= set(Actor), state


def test_stage_names_are_the_six_stages_of_the_process():
    assert list(transitions.STAGE_NAMES) == [0, 1, 2, 3, 4, 5]
    assert transitions.stage_name(1) == "Acknowledge the hurt without blame"


def test_only_clinicians_propose_and_only_before_the_last_stage():
    for track in (Track.CONJOINT, Track.INDIVIDUAL):
        for stage in range(5):
            assert transitions.may(Actor.CLINICIAN, Step.PROPOSE_ADVANCE, track, stage)
            assert not transitions.may(Actor.PARTNER, Step.PROPOSE_ADVANCE, track, stage)
        assert not transitions.may(Actor.CLINICIAN, Step.PROPOSE_ADVANCE, track, 5)


def test_partners_confirm_in_conjoint_work_and_the_clinician_alone_in_individual_work():
    assert transitions.may(Actor.PARTNER, Step.CONFIRM_ADVANCE, "conjoint", 2)
    assert not transitions.may(Actor.CLINICIAN, Step.CONFIRM_ADVANCE, "conjoint", 2)
    assert transitions.may(Actor.CLINICIAN, Step.CONFIRM_ADVANCE, "individual", 2)
    assert not transitions.may(Actor.PARTNER, Step.CONFIRM_ADVANCE, "individual", 2)


def test_discernment_has_no_stage_advance_but_a_decision():
    for stage in transitions.STAGE_NAMES:
        assert not transitions.may(Actor.CLINICIAN, Step.PROPOSE_ADVANCE, "discernment", stage)
        assert transitions.may(Actor.CLINICIAN, Step.RECORD_DECISION, "discernment", stage)
        assert not transitions.may(Actor.CLINICIAN, Step.RECORD_DECISION, "conjoint", stage)


def test_advance_completes_when_every_partner_confirms():
    assert not transitions.advance_complete("conjoint", 1, 2)
    assert transitions.advance_complete("conjoint", 2, 2)
    assert not transitions.advance_complete("conjoint", 0, 0)
    assert transitions.advance_complete("individual", 0, 1)
    assert not transitions.advance_complete("discernment", 2, 2)


def test_no_milestones_from_no_facts():
    assert milestones.detect(milestones.Facts(), transitions.STAGE_NAMES) == []


def test_milestones_from_facts():
    monday = date(2026, 11, 2)
    facts = milestones.Facts(
        together_dates=(date(2026, 11, 5), date(2026, 11, 3)),
        stages_completed=(0, 1),
        checkin_days=tuple(monday + timedelta(weeks=w, days=2) for w in range(4)),
    )
    found = milestones.detect(facts, transitions.STAGE_NAMES)
    keys = [m.key for m in found]
    assert keys == ["first-together", "stage-0", "stage-1", "checkins-4-weeks"]
    assert found[0].reached_on == date(2026, 11, 3)
    assert "Understanding and goals" in found[1].title


def test_a_gap_week_breaks_the_check_in_run():
    monday = date(2026, 11, 2)
    days = [monday, monday + timedelta(weeks=1), monday + timedelta(weeks=3)]
    assert milestones.longest_weekly_run(days) == (2, monday + timedelta(weeks=1))
    assert milestones.longest_weekly_run([]) == (0, None)


def test_reliable_improvement_card_appears_only_when_a_measure_reports_one():
    found = milestones.detect(
        milestones.Facts(reliable_improvements=("trust scale",)), transitions.STAGE_NAMES
    )
    assert [m.key for m in found] == ["improved-trust scale"]
