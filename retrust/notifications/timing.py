"""When a message may go out: quiet hours, the daily digest time, retry back-off. No Django.

All instants are aware datetimes; wall-clock times (quiet hours, digest time) are read in the
person's own time zone. Units: seconds for back-off.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

# A failed send is never retried further apart than this, however many attempts it has had.
MAX_BACKOFF = timedelta(hours=6)


def in_quiet_hours(moment: time, start: time | None, end: time | None) -> bool:
    """Whether the wall-clock ``moment`` falls in quiet hours [start, end).

    A window whose start is after its end wraps midnight (22:00–07:00). No window, or a window
    that starts and ends at the same minute, means no quiet hours.
    """
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def quiet_hours_end(now: datetime, zone: tzinfo, start: time | None, end: time | None) -> datetime:
    """``now`` if it is outside quiet hours, else the instant they end (in the same zone)."""
    local = now.astimezone(zone)
    if start is None or end is None or not in_quiet_hours(local.time(), start, end):
        return now
    day = local.date()
    if start > end and local.time() >= start:
        day += timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def next_daily(now: datetime, zone: tzinfo, at: time) -> datetime:
    """The next instant, at or after ``now``, when the wall clock in ``zone`` reads ``at``."""
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), at, tzinfo=zone)
    if candidate < now:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate


def send_at(
    now: datetime,
    zone: tzinfo,
    *,
    quiet_start: time | None,
    quiet_end: time | None,
    digest_at: time | None,
) -> datetime:
    """When a message written at ``now`` should go out.

    ``digest_at`` set: at the next digest time. Either way, never inside quiet hours: a message
    that would fall inside them waits until they end.
    """
    moment = next_daily(now, zone, digest_at) if digest_at is not None else now
    return quiet_hours_end(moment, zone, quiet_start, quiet_end)


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """The wait before attempt ``attempts + 1``: base, 2 × base, 4 × base … up to MAX_BACKOFF."""
    if attempts < 1:
        return timedelta(0)
    seconds = base_seconds * 2 ** min(attempts - 1, 20)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)
