"""The chart geometry: inside the view box, gaps where there is not enough data."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from retrust.agreements import chart, ledger
from retrust.agreements.ledger import Observation, Source

TODAY = date(2026, 11, 22)


def test_points_without_enough_data_are_gaps_not_zeros():
    history = [Observation(TODAY - timedelta(days=i), True, Source.CONFIRMED) for i in range(8)]
    days = [TODAY - timedelta(days=i) for i in range(9, -1, -1)]
    points = ledger.series(history, days)
    drawn = chart.follow_through_chart(points)
    # The first points have fewer than five occurrences behind them: no line there.
    assert sum(p.mean is not None for p in points) == len(drawn.dots) == 4
    assert len(drawn.lines) == len(drawn.bands) == 1
    anchors = [anchor for _, _, anchor in drawn.x_labels]
    assert anchors[0] == "start" and anchors[-1] == "end" and set(anchors[1:-1]) <= {"middle"}
    assert drawn.x_labels[-1][1] == f"{TODAY.day} {TODAY:%b}"


def test_an_empty_ledger_draws_no_line():
    drawn = chart.follow_through_chart(ledger.series([], [TODAY]))
    assert drawn.lines == [] and drawn.dots == []


@settings(deadline=None)
@given(
    st.lists(
        st.builds(
            Observation,
            on=st.integers(0, 200).map(lambda ago: TODAY - timedelta(days=ago)),
            kept=st.booleans(),
            source=st.sampled_from(list(Source)),
        ),
        max_size=80,
    ),
    st.integers(min_value=1, max_value=30),
)
def test_everything_drawn_stays_inside_the_view_box(history, n):
    days = [TODAY - timedelta(days=7 * i) for i in range(n - 1, -1, -1)]
    drawn = chart.follow_through_chart(ledger.series(history, days, minimum=0))
    for x, y in drawn.dots:
        assert drawn.plot_left <= x <= drawn.plot_right
        assert 0 <= y <= drawn.plot_bottom
    for polygon in drawn.bands + drawn.lines:
        for pair in polygon.split():
            x, y = map(float, pair.split(","))
            assert 0 <= x <= drawn.width and 0 <= y <= drawn.height
