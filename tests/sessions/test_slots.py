"""Free slots: the pure rules (no database), across a daylight-saving change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrust.sessions.slots import (
    Busy,
    DayException,
    Hours,
    at_wall_clock,
    exists,
    free_slots,
    overlaps,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
FIFTY = timedelta(minutes=50)


def slots(**kw):
    base = dict(
        weekly=[Hours(d, time(9), time(12)) for d in range(7)],
        exceptions=[],
        busy=[],
        zone=LONDON,
        length=FIFTY,
        step=timedelta(hours=1),
    )
    base.update(kw)
    return list(free_slots(**base))


def test_a_nine_oclock_slot_stays_at_nine_in_london_across_the_october_change():
    # The clocks go back on Sunday 25 October 2026 at 02:00 BST.
    found = slots(first_day=date(2026, 10, 24), days=2)
    nine = [s for s in found if s.astimezone(LONDON).hour == 9]
    assert [s.astimezone(LONDON).strftime("%d %H:%M") for s in nine] == ["24 09:00", "25 09:00"]
    # In UTC the same wall-clock slot moved by an hour.
    assert [s.astimezone(UTC).hour for s in nine] == [8, 9]


def test_a_partner_in_new_york_reads_the_hour_gap_of_the_weeks_when_the_clocks_disagree():
    # London changes on 25 October, New York on 1 November: for one week the gap is 4 hours.
    found = slots(first_day=date(2026, 10, 23), days=11)
    by_day = {s.astimezone(LONDON).date(): s for s in found if s.astimezone(LONDON).hour == 9}
    assert by_day[date(2026, 10, 23)].astimezone(NEW_YORK).hour == 4
    assert by_day[date(2026, 10, 27)].astimezone(NEW_YORK).hour == 5
    assert by_day[date(2026, 11, 2)].astimezone(NEW_YORK).hour == 4


def test_a_time_the_clocks_skip_is_not_offered_and_a_doubled_one_is_offered_once():
    night = [Hours(6, time(0, 30), time(3, 0))]  # Sundays
    spring = slots(weekly=night, first_day=date(2026, 3, 29), days=1, step=timedelta(minutes=30))
    local = [s.astimezone(LONDON).strftime("%H:%M") for s in spring]
    assert "01:30" not in local  # 01:00–02:00 does not exist on 29 March 2026
    autumn = slots(weekly=night, first_day=date(2026, 10, 25), days=1, step=timedelta(minutes=30))
    assert len(autumn) == len(set(autumn))
    assert not exists(date(2026, 3, 29), time(1, 30), LONDON)
    assert exists(date(2026, 10, 25), time(1, 30), LONDON)


def test_busy_time_and_a_closed_day_take_slots_away():
    first = date(2026, 6, 1)  # a Monday
    taken = at_wall_clock(first, time(10), LONDON)
    found = slots(
        first_day=first,
        days=2,
        busy=[Busy(taken, taken + FIFTY)],
        exceptions=[DayException(first + timedelta(days=1))],
    )
    assert [s.astimezone(LONDON).strftime("%d %H:%M") for s in found] == ["01 09:00", "01 11:00"]


def test_an_exception_can_open_other_hours_and_nothing_starts_before_now():
    first = date(2026, 6, 1)
    now = datetime(2026, 6, 1, 14, 30, tzinfo=LONDON)
    found = slots(
        first_day=first,
        days=1,
        exceptions=[DayException(first, ((time(14), time(17)),))],
        not_before=now,
    )
    assert [s.astimezone(LONDON).strftime("%H:%M") for s in found] == ["15:00", "16:00"]


def test_a_slot_of_no_length_is_refused():
    with pytest.raises(ValueError):
        slots(first_day=date(2026, 6, 1), days=1, length=timedelta(0))


@given(
    start_day=st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 1)),
    zone=st.sampled_from([LONDON, NEW_YORK, ZoneInfo("Australia/Sydney")]),
)
def test_every_slot_lies_inside_the_hours_and_lasts_exactly_its_length(start_day, zone):
    found = slots(first_day=start_day, days=7, zone=zone)
    for start in found:
        local = start.astimezone(zone)
        assert time(9) <= local.time() and (start + FIFTY).astimezone(zone).time() <= time(12)
        assert (start + FIFTY) - start == FIFTY
    assert found == sorted(found)


@given(
    taken=st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 300)), max_size=30),
    probe=st.tuples(st.integers(0, 2400), st.integers(1, 300)),
)
def test_the_fast_overlap_test_agrees_with_checking_every_interval(taken, probe):
    base = datetime(2026, 6, 1, tzinfo=UTC)
    busy = [Busy(base + timedelta(minutes=s), base + timedelta(minutes=s + n)) for s, n in taken]
    start, length = base + timedelta(minutes=probe[0]), timedelta(minutes=probe[1])
    brute = any(b.start < start + length and start < b.end for b in busy)
    assert overlaps(start, length, busy) == brute
