"""When a commitment is due: once, daily, on certain weekdays, or each time it applies. No Django.

Weekdays are numbered as ``date.weekday()`` does: Monday 0 … Sunday 6.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum


class Kind(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    EACH_TIME = "each_time"  # "each time it applies": no calendar, recorded when it comes up


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_weekdays(text: str) -> frozenset[int]:
    """``"0,2,4"`` → {0, 2, 4}; raises ``ValueError`` on anything that is not 0–6."""
    days: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        day = int(part)
        if not 0 <= day <= 6:
            raise ValueError(f"not a weekday number: {day}")
        days.add(day)
    return frozenset(days)


def format_weekdays(days: Iterable[int]) -> str:
    return ",".join(str(day) for day in sorted(set(days)))


def due_dates(
    kind: Kind, starts_on: date, weekdays: frozenset[int], first: date, last: date
) -> list[date]:
    """Days in [first, last] (inclusive) on which the commitment is due, oldest first.

    "Each time it applies" has no due days: the partner records it when it comes up.
    """
    first = max(first, starts_on)
    if last < first or kind is Kind.EACH_TIME:
        return []
    if kind is Kind.ONCE:
        return [starts_on] if first <= starts_on <= last else []
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if kind is Kind.WEEKDAYS:
        return [day for day in days if day.weekday() in weekdays]
    return days


def is_due(kind: Kind, starts_on: date, weekdays: frozenset[int], day: date) -> bool:
    """Whether ``day`` is one on which this commitment can be recorded."""
    if kind is Kind.EACH_TIME:
        return day >= starts_on
    return bool(due_dates(kind, starts_on, weekdays, day, day))
