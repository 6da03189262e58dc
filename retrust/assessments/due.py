"""When a scheduled measure is due. No Django.

A schedule asks each partner for one response per *round*. ``round_for`` says which round is
open on a given day and when it became due; a round is overdue ``GRACE_DAYS`` after that.
Units: calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Kind = Literal["intake", "every_n_weeks", "before_session"]
GRACE_DAYS = 3
# A "before each session" round opens this many days before the session.
OPENS_BEFORE_SESSION_DAYS = 3


@dataclass(frozen=True, slots=True)
class Round:
    # Stable key of the round: 0 for intake, the week-block number, or the session date ordinal.
    key: int
    due_on: date

    def overdue(self, today: date) -> bool:
        return today > self.due_on + timedelta(days=GRACE_DAYS)


def round_for(
    kind: Kind,
    today: date,
    *,
    starts_on: date,
    every_weeks: int | None = None,
    next_session_on: date | None = None,
) -> Round | None:
    """The round open on ``today``, or ``None`` when nothing is open yet."""
    if today < starts_on:
        return None
    if kind == "intake":
        return Round(key=0, due_on=starts_on)
    if kind == "every_n_weeks":
        if not every_weeks or every_weeks < 1:
            raise ValueError("every_n_weeks needs every_weeks of 1 or more")
        block = (today - starts_on).days // (7 * every_weeks)
        return Round(key=block, due_on=starts_on + timedelta(weeks=block * every_weeks))
    if next_session_on is None:
        return None
    if today < next_session_on - timedelta(days=OPENS_BEFORE_SESSION_DAYS):
        return None
    return Round(key=next_session_on.toordinal(), due_on=next_session_on)
