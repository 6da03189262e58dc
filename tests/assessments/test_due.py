"""When a scheduled measure is open, due and overdue (pure, by hand)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from retrust.assessments.due import GRACE_DAYS, round_for

START = date(2026, 3, 2)  # a Monday


def test_nothing_is_open_before_the_start():
    assert round_for("intake", START - timedelta(days=1), starts_on=START) is None


def test_intake_is_one_round_due_on_the_start_date():
    later = round_for("intake", START + timedelta(days=40), starts_on=START)
    assert (later.key, later.due_on) == (0, START)


@pytest.mark.parametrize(
    ("days_after_start", "key", "due_days_after_start"),
    [(0, 0, 0), (13, 0, 0), (14, 1, 14), (27, 1, 14), (28, 2, 28)],
)
def test_every_two_weeks_opens_a_new_round_on_each_boundary(
    days_after_start, key, due_days_after_start
):
    found = round_for(
        "every_n_weeks", START + timedelta(days=days_after_start), starts_on=START, every_weeks=2
    )
    assert (found.key, found.due_on) == (key, START + timedelta(days=due_days_after_start))


def test_overdue_only_after_the_grace_days():
    found = round_for("every_n_weeks", START, starts_on=START, every_weeks=2)
    assert not found.overdue(START + timedelta(days=GRACE_DAYS))
    assert found.overdue(START + timedelta(days=GRACE_DAYS + 1))


def test_before_session_opens_three_days_ahead_and_is_keyed_by_the_session():
    session = START + timedelta(days=10)
    kwargs = {"starts_on": START, "next_session_on": session}
    assert round_for("before_session", session - timedelta(days=4), **kwargs) is None
    opened = round_for("before_session", session - timedelta(days=3), **kwargs)
    assert (opened.key, opened.due_on) == (session.toordinal(), session)
    assert round_for("before_session", session, starts_on=START) is None


def test_every_n_weeks_needs_a_number_of_weeks():
    with pytest.raises(ValueError):
        round_for("every_n_weeks", START, starts_on=START, every_weeks=0)
