"""Quiet hours, the daily time and retry back-off, read in the person's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from retrust.notifications import kinds
from retrust.notifications.timing import (
    MAX_BACKOFF,
    backoff,
    in_quiet_hours,
    next_daily,
    quiet_hours_end,
    send_at,
)

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(time(21, 59), False), (time(22, 0), True), (time(3, 0), True), (time(7, 0), False)],
)
def test_quiet_hours_that_wrap_midnight(moment, expected):
    assert in_quiet_hours(moment, time(22, 0), time(7, 0)) is expected


def test_quiet_hours_within_one_day_and_none_at_all():
    assert in_quiet_hours(time(13, 30), time(13, 0), time(14, 0))
    assert not in_quiet_hours(time(14, 0), time(13, 0), time(14, 0))
    assert not in_quiet_hours(time(3, 0), None, None)
    assert not in_quiet_hours(time(3, 0), time(5, 0), time(5, 0))


def test_a_message_in_quiet_hours_waits_until_they_end_in_the_persons_zone():
    # 23:30 in London on a winter evening is 23:30 UTC; quiet 22:00–07:00 ends at 07:00 next day.
    now = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)
    assert quiet_hours_end(now, LONDON, time(22, 0), time(7, 0)) == datetime(
        2026, 1, 15, 7, 0, tzinfo=LONDON
    )
    # Early morning, still inside the same window: it ends today.
    early = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)
    assert quiet_hours_end(early, LONDON, time(22, 0), time(7, 0)) == datetime(
        2026, 1, 15, 7, 0, tzinfo=LONDON
    )
    # Outside quiet hours nothing waits.
    noon = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert quiet_hours_end(noon, LONDON, time(22, 0), time(7, 0)) == noon


def test_the_same_instant_is_quiet_in_one_zone_and_not_in_another():
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # noon in London, 01:00 in Auckland
    assert quiet_hours_end(now, LONDON, time(22, 0), time(7, 0)) == now
    assert quiet_hours_end(now, AUCKLAND, time(22, 0), time(7, 0)) == datetime(
        2026, 1, 16, 7, 0, tzinfo=AUCKLAND
    )


def test_the_daily_time_is_today_if_still_to_come_else_tomorrow():
    morning = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # 07:00 in London (summer time)
    assert next_daily(morning, LONDON, time(8, 0)) == datetime(2026, 6, 1, 8, 0, tzinfo=LONDON)
    evening = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)
    assert next_daily(evening, LONDON, time(8, 0)) == datetime(2026, 6, 2, 8, 0, tzinfo=LONDON)


def test_a_digest_time_inside_quiet_hours_moves_to_their_end():
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    when = send_at(
        now, LONDON, quiet_start=time(22, 0), quiet_end=time(7, 30), digest_at=time(6, 0)
    )
    assert when == datetime(2026, 1, 16, 7, 30, tzinfo=LONDON)


def test_backoff_doubles_from_the_base_and_is_capped():
    assert backoff(0, 60) == timedelta(0)
    assert [backoff(n, 60).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(30, 60) == MAX_BACKOFF


def test_kinds_are_a_registry_that_refuses_two_different_kinds_of_one_name():
    same = kinds.Kind("homework", kinds.HOMEWORK.label, "partner")
    assert kinds.register(same) is same  # registering the same kind again is harmless
    with pytest.raises(ValueError, match="Two different"):
        kinds.register(kinds.Kind("homework", "Something else", "partner"))
    with pytest.raises(ValueError):
        kinds.Kind("Not a key!", "x", "partner")
    assert kinds.HIGH_ALERT in kinds.for_audiences({"clinician"})
    assert kinds.HIGH_ALERT not in kinds.for_audiences({"partner"})
