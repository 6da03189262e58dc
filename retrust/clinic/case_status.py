"""A case's status: which moves exist from each status, and who may make them. Pure Python.

``invited → intake`` happens by itself when the first partner joins (``core.actions``). From
then on the case's clinician moves it along the episode of care::

    intake → active → maintenance → closed
                 ↖──────────┘         │
    (any status may close;  closed → reopen → active)

``TABLE`` holds a row for every status, so a new status cannot slip in without a decision
about where it may go and who may take it there; one test walks every row. A closed case is
read-only for everyone (``READ_ONLY``) until its clinician reopens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    INVITED = "invited"
    INTAKE = "intake"
    ACTIVE = "active"
    MAINTENANCE = "maintenance"
    CLOSED = "closed"


class Actor(StrEnum):
    CLINICIAN = "clinician"
    PARTNER = "partner"


class Move(StrEnum):
    BEGIN = "begin"
    MAINTAIN = "maintain"
    RESUME = "resume"
    CLOSE = "close"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Transition:
    move: Move
    to: Status
    who: frozenset[Actor]
    # What the clinician's control says.
    label: str


_CLINICIAN = frozenset({Actor.CLINICIAN})

_CLOSE = Transition(Move.CLOSE, Status.CLOSED, _CLINICIAN, "Close the case")

TABLE: dict[Status, tuple[Transition, ...]] = {
    # Nobody has joined yet; the couple may never come, so the clinician can close it.
    Status.INVITED: (_CLOSE,),
    Status.INTAKE: (
        Transition(Move.BEGIN, Status.ACTIVE, _CLINICIAN, "Begin active work"),
        _CLOSE,
    ),
    Status.ACTIVE: (
        Transition(Move.MAINTAIN, Status.MAINTENANCE, _CLINICIAN, "Move to maintenance"),
        _CLOSE,
    ),
    Status.MAINTENANCE: (
        # A relapse or a new challenge: back to active work without closing first.
        Transition(Move.RESUME, Status.ACTIVE, _CLINICIAN, "Back to active work"),
        _CLOSE,
    ),
    Status.CLOSED: (Transition(Move.REOPEN, Status.ACTIVE, _CLINICIAN, "Reopen the case"),),
}

READ_ONLY: frozenset[Status] = frozenset({Status.CLOSED})


def moves(status: str, actor: Actor) -> tuple[Transition, ...]:
    """The moves ``actor`` may make from ``status`` (none for a status the table lacks)."""
    try:
        row = TABLE[Status(status)]
    except ValueError:
        return ()
    return tuple(t for t in row if actor in t.who)


def transition(status: str, move: str, actor: Actor) -> Transition | None:
    """The transition ``move`` names from ``status``, if ``actor`` may make it; else ``None``."""
    return next((t for t in moves(status, actor) if t.move == move), None)


def is_read_only(status: str) -> bool:
    """True when nothing in the case may change (only its clinician's reopening)."""
    return status in READ_ONLY
