"""The follow-through ledger's promises, as properties (hypothesis) and a few worked cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrust.agreements import ledger, schedule
from retrust.agreements.ledger import Observation, Source

TODAY = date(2026, 11, 22)

observations = st.builds(
    Observation,
    on=st.integers(min_value=0, max_value=400).map(lambda ago: TODAY - timedelta(days=ago)),
    kept=st.booleans(),
    source=st.sampled_from(list(Source)),
)
histories = st.lists(observations, max_size=60)
half_lives = st.floats(min_value=1.0, max_value=365.0)


def est(history: list[Observation], **kwargs: object) -> ledger.Estimate:
    return ledger.estimate(history, TODAY, minimum=0, **kwargs)  # type: ignore[arg-type]


@settings(deadline=None)
@given(histories, half_lives)
def test_estimates_stay_between_zero_and_one(history, half_life):
    e = est(history, half_life_days=half_life)
    assert e.mean is not None and e.low is not None and e.high is not None
    assert 0.0 <= e.low <= e.mean <= e.high <= 1.0


@settings(deadline=None)
@given(
    histories,
    st.integers(min_value=0, max_value=400),
    st.sampled_from([Source.CONFIRMED, Source.SELF_REPORTED]),
    half_lives,
)
def test_one_more_kept_occurrence_never_lowers_the_mean(history, ago, source, half_life):
    before = est(history, half_life_days=half_life)
    extra = Observation(TODAY - timedelta(days=ago), kept=True, source=source)
    after = est([*history, extra], half_life_days=half_life)
    assert after.mean >= before.mean  # type: ignore[operator]


@settings(deadline=None)
@given(histories, half_lives)
def test_a_disputed_occurrence_changes_nothing_but_the_dispute_count(history, half_life):
    before = est(history, half_life_days=half_life)
    after = est(
        [*history, Observation(TODAY, kept=True, source=Source.DISPUTED)],
        half_life_days=half_life,
    )
    assert after.mean == before.mean
    assert after.disputed == before.disputed + 1
    assert after.counted == before.counted


@settings(deadline=None)
@given(histories.filter(lambda h: h), st.integers(min_value=2, max_value=5), half_lives)
def test_more_of_the_same_data_narrows_the_interval(history, times, half_life):
    once = est(history, half_life_days=half_life)
    more = est(history * times, half_life_days=half_life)
    assert more.high - more.low <= once.high - once.low + 1e-12  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=1, max_value=200),
    st.sampled_from([Source.CONFIRMED, Source.SELF_REPORTED]),
    half_lives,
)
def test_recent_behaviour_counts_more(kept_n, missed_n, gap, source, half_life):
    """The same kept and missed occurrences: kept recently beats kept long ago."""
    recent, old = TODAY, TODAY - timedelta(days=gap)
    kept_recently = [Observation(recent, True, source)] * kept_n + [
        Observation(old, False, source)
    ] * missed_n
    kept_long_ago = [Observation(old, True, source)] * kept_n + [
        Observation(recent, False, source)
    ] * missed_n
    assert (
        est(kept_recently, half_life_days=half_life).mean
        > est(kept_long_ago, half_life_days=half_life).mean
    )


def test_a_new_commitment_says_not_enough_data_yet():
    few = [Observation(TODAY - timedelta(days=i), True, Source.CONFIRMED) for i in range(4)]
    e = ledger.estimate(few, TODAY)
    assert e.mean is None and e.low is None and e.high is None
    assert e.counted == 4
    assert e.describe() == "Not enough data yet"
    five = ledger.estimate([*few, Observation(TODAY, True)], TODAY)
    assert five.mean is not None
    assert five.describe().startswith("About ")


def test_confirmed_counts_fully_and_self_reports_count_half():
    confirmed = ledger.estimate([Observation(TODAY, True, Source.CONFIRMED)] * 6, TODAY)
    self_only = ledger.estimate([Observation(TODAY, True, Source.SELF_REPORTED)] * 6, TODAY)
    assert confirmed.alpha == pytest.approx(1 + 6 * ledger.CONFIRMED_WEIGHT)
    assert self_only.alpha == pytest.approx(1 + 6 * ledger.SELF_REPORTED_WEIGHT)
    assert confirmed.confirmed == 6 and self_only.confirmed == 0


def test_an_occurrence_one_half_life_old_counts_half():
    e = ledger.estimate(
        [Observation(TODAY - timedelta(days=30), True, Source.CONFIRMED)] * 5,
        TODAY,
        half_life_days=30,
    )
    assert e.alpha == pytest.approx(1 + 5 * 0.5)
    assert e.beta == pytest.approx(1.0)


def test_the_interval_is_the_central_80_percent_of_the_posterior():
    from scipy.stats import beta as beta_dist

    history = [Observation(TODAY, i % 4 != 0, Source.CONFIRMED) for i in range(20)]
    e = ledger.estimate(history, TODAY)
    assert e.low == pytest.approx(beta_dist.ppf(0.10, e.alpha, e.beta))
    assert e.high == pytest.approx(beta_dist.ppf(0.90, e.alpha, e.beta))
    assert e.mean == pytest.approx(e.alpha / (e.alpha + e.beta))


def test_future_occurrences_are_ignored():
    history = [Observation(TODAY + timedelta(days=1), False, Source.CONFIRMED)] * 10
    e = ledger.estimate(history, TODAY, minimum=0)
    assert e.counted == 0 and e.alpha == 1.0 and e.beta == 1.0


def test_the_series_matches_one_estimate_per_day():
    history = [
        Observation(
            TODAY - timedelta(days=i),
            i % 3 != 0,
            Source(["confirmed", "self_reported", "disputed"][i % 3]),
        )
        for i in range(40)
    ]
    days = [TODAY - timedelta(days=d) for d in (30, 10, 0)]
    for point, day in zip(ledger.series(history, days), days, strict=True):
        single = ledger.estimate(history, day)
        assert (point.counted, point.confirmed, point.disputed) == (
            single.counted,
            single.confirmed,
            single.disputed,
        )
        for name in ("mean", "low", "high", "alpha", "beta", "weight"):
            assert getattr(point, name) == pytest.approx(getattr(single, name), rel=1e-12)


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        ledger.estimate([], TODAY, half_life_days=0)
    with pytest.raises(ValueError):
        ledger.estimate([], TODAY, self_reported_weight=1.5)


def test_streaks_count_back_from_the_latest_and_skip_disputes():
    history = [
        Observation(TODAY - timedelta(days=5), False),
        Observation(TODAY - timedelta(days=4), True),
        Observation(TODAY - timedelta(days=3), True, Source.CONFIRMED),
        Observation(TODAY - timedelta(days=2), False, Source.DISPUTED),
        Observation(TODAY - timedelta(days=1), True),
    ]
    assert ledger.current_streak(history) == 3
    assert ledger.current_streak([]) == 0


def test_schedules_name_their_due_days():
    monday = date(2026, 11, 16)
    sunday = monday + timedelta(days=6)
    assert len(schedule.due_dates(schedule.Kind.DAILY, monday, frozenset(), monday, sunday)) == 7
    weekdays = schedule.due_dates(schedule.Kind.WEEKDAYS, monday, frozenset({0, 2}), monday, sunday)
    assert [d.weekday() for d in weekdays] == [0, 2]
    once = schedule.due_dates(
        schedule.Kind.ONCE, monday + timedelta(days=2), frozenset(), monday, sunday
    )
    assert once == [monday + timedelta(days=2)]
    assert schedule.due_dates(schedule.Kind.EACH_TIME, monday, frozenset(), monday, sunday) == []
    assert schedule.due_dates(schedule.Kind.DAILY, sunday, frozenset(), monday, sunday) == [sunday]
    assert schedule.parse_weekdays("4, 0,2") == frozenset({0, 2, 4})
    assert schedule.format_weekdays({4, 0}) == "0,4"
    with pytest.raises(ValueError):
        schedule.parse_weekdays("7")
    assert schedule.is_due(schedule.Kind.EACH_TIME, monday, frozenset(), sunday)
    assert not schedule.is_due(schedule.Kind.WEEKDAYS, monday, frozenset({0}), sunday)


@settings(deadline=None)
@given(histories, st.lists(st.integers(min_value=-30, max_value=450), min_size=1, max_size=12))
def test_the_series_matches_the_formula_written_out(history, offsets):
    """The fast running-sum series equals the weights summed one by one, in any day order."""
    days = [TODAY - timedelta(days=o) for o in offsets]
    for point in ledger.series(history, days, half_life_days=20.0, minimum=0):
        alpha = beta = 1.0
        for obs in history:
            age = (point.as_of - obs.on).days
            if obs.source is Source.DISPUTED or age < 0:
                continue
            weight = (1.0 if obs.source is Source.CONFIRMED else 0.5) * 0.5 ** (age / 20.0)
            alpha += weight if obs.kept else 0.0
            beta += 0.0 if obs.kept else weight
        assert point.alpha == pytest.approx(alpha, rel=1e-9, abs=1e-12)
        assert point.beta == pytest.approx(beta, rel=1e-9, abs=1e-12)
        counted = [o for o in history if o.source is not Source.DISPUTED and o.on <= point.as_of]
        assert point.counted == len(counted)
        assert point.confirmed == sum(o.source is Source.CONFIRMED for o in counted)
        assert point.disputed == sum(
            o.source is Source.DISPUTED and o.on <= point.as_of for o in history
        )
