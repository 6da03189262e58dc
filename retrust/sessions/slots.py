"""Free slots from weekly hours, exceptions and what is already booked. No Django.

Weekly hours are wall-clock times in the clinician's practice time zone ("Tuesdays 09:00 to
17:00, Europe/London"). A slot is turned into an aware instant day by day with ``zoneinfo``,
so a Tuesday 09:00 slot stays at 09:00 local time across a daylight-saving change (and moves
by an hour in UTC). A wall-clock time that does not exist on a given day (skipped by the
clocks going forward) is left out; one that happens twice (clocks going back) is offered once,
at its first occurrence.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Hours:
    """Open from ``start`` to ``end`` (wall clock) on ``weekday`` (0 = Monday)."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class DayException:
    """A day that differs from the weekly hours: closed (no hours) or open only these hours."""

    day: date
    hours: tuple[tuple[time, time], ...] = ()


@dataclass(frozen=True, slots=True)
class Busy:
    """An aware interval already taken, [start, end)."""

    start: datetime
    end: datetime


def exists(day: date, at: time, zone: ZoneInfo) -> bool:
    """Whether the wall-clock time ``at`` happens on ``day`` in ``zone`` (not skipped by DST)."""
    local = datetime.combine(day, at, tzinfo=zone)
    round_trip = local.astimezone(UTC).astimezone(zone)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def at_wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The aware instant of ``at`` on ``day`` in ``zone``; the first one when it happens twice."""
    return datetime.combine(day, at, tzinfo=zone).replace(fold=0)


def _open_hours(
    day: date, weekly: Iterable[Hours], exceptions: dict[date, DayException]
) -> list[tuple[time, time]]:
    if day in exceptions:
        return list(exceptions[day].hours)
    return [(h.start, h.end) for h in weekly if h.weekday == day.weekday()]


def free_slots(
    *,
    weekly: Iterable[Hours],
    exceptions: Iterable[DayException],
    busy: Iterable[Busy],
    zone: ZoneInfo,
    first_day: date,
    days: int,
    length: timedelta,
    step: timedelta | None = None,
    not_before: datetime | None = None,
) -> Iterator[datetime]:
    """Starts (aware, in UTC) of every free slot of ``length`` from ``first_day`` for ``days`` days.

    Slots start at the opening time and every ``step`` (default: ``length``) after it, and end
    by the closing time. A slot overlapping anything in ``busy`` is not free; neither is one
    starting before ``not_before`` (e.g. now). Starts are yielded in time order.
    """
    if length <= timedelta(0):
        raise ValueError("A slot must last longer than zero minutes.")
    step = step or length
    weekly = list(weekly)
    by_day = {e.day: e for e in exceptions}
    clashes = _clash_finder(busy)
    found: list[datetime] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for opens, closes in _open_hours(day, weekly, by_day):
            # Walk in wall-clock minutes so that the grid is the same every day.
            minute = opens.hour * 60 + opens.minute
            last = closes.hour * 60 + closes.minute
            size = int(length.total_seconds() // 60)
            stride = max(1, int(step.total_seconds() // 60))
            while minute + size <= last:
                at = time(minute // 60, minute % 60)
                minute += stride
                if not exists(day, at, zone):
                    continue
                # Arithmetic and comparisons in UTC: Python adds to an aware local time on the
                # wall clock, which is wrong across a clock change.
                start = at_wall_clock(day, at, zone).astimezone(UTC)
                end = start + length
                if not_before is not None and start < not_before:
                    continue
                if clashes(start, end):
                    continue
                found.append(start)
    yield from sorted(set(found))


def _clash_finder(busy: Iterable[Busy]) -> Callable[[datetime, datetime], bool]:
    """A test "does [start, end) meet anything taken?" in O(log n) per slot.

    Taken intervals sorted by start, with the latest end among the first i of them: an
    interval meets one of those starting before ``end`` exactly when that latest end is after
    ``start``.
    """
    taken = sorted(busy, key=lambda b: b.start)
    starts = [b.start for b in taken]
    latest_end: list[datetime] = []
    for b in taken:
        latest_end.append(max(latest_end[-1], b.end) if latest_end else b.end)

    def clashes(start: datetime, end: datetime) -> bool:
        before = bisect_left(starts, end)
        return before > 0 and latest_end[before - 1] > start

    return clashes


def overlaps(start: datetime, length: timedelta, busy: Iterable[Busy]) -> bool:
    """Whether [start, start + length) meets anything already taken."""
    start = start.astimezone(UTC)
    return _clash_finder(busy)(start, start + length)
