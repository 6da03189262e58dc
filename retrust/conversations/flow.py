"""The rules of a speaker–listener conversation and of a break. Pure Python, no Django.

One round: the speaker shares their view; the listener sums up what they heard, before saying
anything of their own; the speaker confirms ("yes, that's it") or clarifies, and a
clarification goes back to the listener for a new summary. After a confirmation the roles
swap. A break locks the conversation for at least 20 minutes and at most 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SPEAK, SUMMARISE, CONFIRM = "speak", "summarise", "confirm"
STATEMENT, SUMMARY, CLARIFICATION, CONFIRMATION = (
    "statement",
    "summary",
    "clarification",
    "confirmation",
)
SPEAKER, LISTENER = "speaker", "listener"

BREAK_MIN = timedelta(minutes=20)
BREAK_MAX = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Step:
    """What a turn of ``kind`` in ``phase`` leads to."""

    phase: str
    swap_roles: bool


# (phase, kind) -> who may post it, and what comes next. Anything not here is refused.
TABLE: dict[tuple[str, str], tuple[str, Step]] = {
    (SPEAK, STATEMENT): (SPEAKER, Step(SUMMARISE, False)),
    (SUMMARISE, SUMMARY): (LISTENER, Step(CONFIRM, False)),
    (CONFIRM, CONFIRMATION): (SPEAKER, Step(SPEAK, True)),
    (CONFIRM, CLARIFICATION): (SPEAKER, Step(SUMMARISE, False)),
}

WAITING_FOR: dict[str, str] = {SPEAK: SPEAKER, SUMMARISE: LISTENER, CONFIRM: SPEAKER}


def step(phase: str, kind: str, role: str) -> Step | None:
    """The next step when someone in ``role`` posts a ``kind`` turn in ``phase``; None if not
    allowed (wrong turn, or wrong person)."""
    entry = TABLE.get((phase, kind))
    if entry is None or entry[0] != role:
        return None
    return entry[1]


def kinds_for(phase: str, role: str) -> list[str]:
    """The kinds of turn ``role`` may post now, in the order a page offers them."""
    return [kind for (p, kind), (who, _) in TABLE.items() if p == phase and who == role]


def break_problem(now: datetime, returns_at: datetime) -> str | None:
    """A plain-words reason why ``returns_at`` is not a valid return time, or None."""
    if returns_at - now < BREAK_MIN:
        return "Pick a return time at least 20 minutes from now: long enough to calm down."
    if returns_at - now > BREAK_MAX:
        return "Pick a return time within the next 24 hours, so the talk doesn't drift away."
    return None


CALMING_SUGGESTIONS: tuple[str, ...] = (
    "Breathe out more slowly than you breathe in, for a few minutes.",
    "Take a walk, or do something with your hands.",
    "Notice your body: where are you holding tension? Let it go a little.",
    "Skip rehearsing your next argument; think about what you want your partner to understand.",
    "Have a glass of water and something to eat if it has been a while.",
)
