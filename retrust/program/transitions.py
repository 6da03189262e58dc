"""Stages and tracks: who may do what, in which state. Pure Python, no Django.

A case's program state is its track and its stage. ``TABLE`` says, for every state, which
people may take each step; ``may`` reads it and ``confirmers`` says whose yes completes a
stage advance. One test walks every state, so a new track or stage cannot slip in without a
decision about who may move it.
"""

from __future__ import annotations

from enum import StrEnum

STAGE_NAMES: dict[int, str] = {
    0: "Understanding and goals",
    1: "Acknowledge the hurt without blame",
    2: "Clear boundaries and expectations",
    3: "Rebuild intimacy with new tools",
    4: "Consistent action over time",
    5: "Maintain and grow",
}
LAST_STAGE = max(STAGE_NAMES)


class Track(StrEnum):
    CONJOINT = "conjoint"
    INDIVIDUAL = "individual"
    DISCERNMENT = "discernment"


class Actor(StrEnum):
    CLINICIAN = "clinician"
    PARTNER = "partner"


class Step(StrEnum):
    ASSIGN_HOMEWORK = "assign_homework"
    PROPOSE_ADVANCE = "propose_advance"
    CONFIRM_ADVANCE = "confirm_advance"
    WITHDRAW_PROPOSAL = "withdraw_proposal"
    CHANGE_TRACK = "change_track"
    RECORD_DECISION = "record_decision"
    SET_CASE_GOALS = "set_case_goals"
    WRITE_OWN_GOAL = "write_own_goal"


State = tuple[Track, int]
STATES: tuple[State, ...] = tuple((track, stage) for track in Track for stage in STAGE_NAMES)

_C = frozenset({Actor.CLINICIAN})
_P = frozenset({Actor.PARTNER})
_NOBODY: frozenset[Actor] = frozenset()

# Whose yes turns a proposal into a new stage. In conjoint work both partners confirm; in
# individual work the clinician decides with the one partner in the room; discernment has no
# stages to climb: it ends with a decision instead.
CONFIRMERS: dict[Track, frozenset[Actor]] = {
    Track.CONJOINT: _P,
    Track.INDIVIDUAL: _C,
    Track.DISCERNMENT: _NOBODY,
}


def _row(track: Track, stage: int) -> dict[Step, frozenset[Actor]]:
    can_advance = track is not Track.DISCERNMENT and stage < LAST_STAGE
    return {
        Step.ASSIGN_HOMEWORK: _C,
        Step.PROPOSE_ADVANCE: _C if can_advance else _NOBODY,
        Step.CONFIRM_ADVANCE: CONFIRMERS[track] if can_advance else _NOBODY,
        Step.WITHDRAW_PROPOSAL: _C if can_advance else _NOBODY,
        Step.CHANGE_TRACK: _C,
        Step.RECORD_DECISION: _C if track is Track.DISCERNMENT else _NOBODY,
        Step.SET_CASE_GOALS: _C,
        Step.WRITE_OWN_GOAL: _P,
    }


TABLE: dict[State, dict[Step, frozenset[Actor]]] = {
    (track, stage): _row(track, stage) for track, stage in STATES
}


def may(actor: Actor, step: Step, track: str, stage: int) -> bool:
    """True when ``actor`` may take ``step`` in a case on ``track`` at ``stage`` (0–5)."""
    row = TABLE.get((Track(track), stage))
    return row is not None and actor in row[step]


def confirmers(track: str) -> frozenset[Actor]:
    """Who must confirm a proposed stage advance on ``track``."""
    return CONFIRMERS[Track(track)]


def advance_complete(track: str, partners_confirmed: int, partners_in_case: int) -> bool:
    """Whether a proposal is now carried.

    Conjoint: every partner in the case (at least one) has confirmed. Individual: the
    clinician's proposal carries by itself. Discernment: never (there is no stage advance).
    """
    who = confirmers(track)
    if not who:
        return False
    if Actor.PARTNER in who:
        return partners_in_case > 0 and partners_confirmed >= partners_in_case
    return True


def stage_name(stage: int) -> str:
    return STAGE_NAMES.get(stage, f"Stage {stage}")
