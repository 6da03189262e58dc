"""Chart axes: round score ticks ending at the scale's maximum, date labels that never touch,
and the two charts (check-ins, follow-through) drawn with them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrust.agreements import chart as follow_through
from retrust.agreements import ledger
from retrust.agreements.ledger import Observation, Source
from retrust.assessments.chart import LAYOUT_FONT, Series, trajectory_svg
from retrust.core import axes

DAY = date(2026, 11, 2)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 27, [0, 5, 10, 15, 20, 25, 27]),  # PHQ-9
        (0, 21, [0, 5, 10, 15, 20, 21]),  # GAD-7, CSI-4
        (0, 80, [0, 20, 40, 60, 80]),
        (0, 81, [0, 20, 40, 60, 80, 81]),  # CSI-16
        (0, 12, [0, 2, 4, 6, 8, 10, 12]),  # AUDIT-C
        (0, 20, [0, 5, 10, 15, 20]),  # trust pulse
        (0, 100, [0, 20, 40, 60, 80, 100]),
        (1, 7, [1, 2, 3, 4, 5, 6, 7]),
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (3, 3, [3]),
    ],
)
def test_value_ticks_are_round_and_end_at_the_maximum(low, high, expected):
    assert axes.value_ticks(low, high) == expected


@given(
    st.integers(min_value=-1000, max_value=1000),
    st.integers(min_value=1, max_value=100_000),
    st.integers(min_value=2, max_value=10),
)
def test_value_ticks_cover_the_range_in_steps_of_one_two_or_five(low, span, target):
    high = low + span
    ticks = axes.value_ticks(low, high, target)
    assert ticks[0] == low and ticks[-1] == high
    assert ticks == sorted(set(ticks))
    step = axes.nice_step(span, target)
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 9) in {1, 2, 5}
    # Between the ends, every tick is a whole multiple of the step, and none is skipped.
    inner = ticks[1:-1]
    for tick in inner:
        assert abs(tick / step - round(tick / step)) < 1e-6
    for a, b in zip(inner, inner[1:], strict=False):
        assert abs(b - a - step) < 1e-6 * step
    assert len(ticks) <= 3 * target + 2


def test_percentages_can_go_by_quarters():
    assert axes.value_ticks(0, 100, target=4, steps=(1, 2.5, 5)) == [0, 25, 50, 75, 100]


def test_a_span_that_is_not_positive_is_refused():
    with pytest.raises(ValueError):
        axes.nice_step(0)
    with pytest.raises(ValueError):
        axes.value_ticks(5, 1)


def test_dates_read_short_and_carry_the_year_only_across_years():
    assert axes.date_labels([date(2026, 11, 2), date(2026, 12, 24)]) == ["2 Nov", "24 Dec"]
    assert axes.date_labels([date(2025, 12, 30), date(2026, 1, 6)]) == [
        "30 Dec 2025",
        "6 Jan 2026",
    ]


def _overlaps(spans, gap):
    return any(a[1] + gap > b[0] for a, b in zip(spans, spans[1:], strict=False))


@given(
    st.lists(st.floats(min_value=0, max_value=400), min_size=1, max_size=60, unique=True),
    st.floats(min_value=5, max_value=80),
)
def test_thinned_labels_never_touch_and_keep_the_last(raw, width):
    positions = sorted(raw)
    anchors = ["middle"] * len(positions)
    if len(positions) > 1:
        anchors[0], anchors[-1] = "start", "end"
    kept = axes.thin(positions, [width] * len(positions), gap=4, anchors=anchors)
    assert kept == sorted(kept) and kept[-1] == len(positions) - 1
    spans = [axes._extent(positions[i], width, anchors[i]) for i in kept]
    assert not _overlaps(spans, 4)


def test_thinning_keeps_every_label_that_fits():
    assert axes.thin([0, 100, 200, 300], [40] * 4, gap=5) == [0, 1, 2, 3]
    assert axes.thin([0, 10, 20, 30, 300], [40] * 5, gap=5) == [0, 4]


# --- the check-in chart ---------------------------------------------------------------------


def _texts(svg: str, klass: str) -> list[tuple[float, str]]:
    found = re.findall(rf'<text class="{klass}" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    return [(float(x if klass == "tick-x" else y), text) for x, y, text in found]


def test_the_check_in_chart_has_round_score_ticks_with_gridlines_and_date_labels():
    days = [DAY + timedelta(weeks=i) for i in range(4)]
    svg = trajectory_svg(
        "PHQ-9 over time",
        [Series("Ari", list(zip(days, [14, 11, 9, 6], strict=True)))],
        low=0,
        high=27,
        bands=[(0, 4, "minimal"), (5, 27, "more")],
    )
    y_labels = [text for _, text in _texts(svg, "tick-y")]
    # 25 sits too close to 27 to carry a label at phone size: its gridline stays, unlabelled.
    assert y_labels == ["0", "5", "10", "15", "20", "27"]
    assert svg.count('class="grid"') == 6  # 5, 10, 15, 20, 25 and 27; 0 is the axis
    # Four weekly dates: at phone type size three fit without touching, the first and last kept.
    assert [text for _, text in _texts(svg, "tick-x")] == ["2 Nov", "9 Nov", "23 Nov"]
    assert "<desc" in svg and "the latest 6 on 23 Nov 2026" in svg


def test_dates_are_placed_by_time_and_thinned_on_a_narrow_chart():
    # Twenty weekly check-ins: far too many dates for a phone; the first and last are kept and
    # no two drawn labels touch at the phone's type size.
    days = [date(2026, 3, 2) + timedelta(weeks=i) for i in range(20)]
    svg = trajectory_svg("Trust pulse", [Series("Bo", [(d, 10) for d in days])], low=0, high=20)
    labels = _texts(svg, "tick-x")
    assert 2 < len(labels) < 8
    assert labels[0][1] == "2 Mar" and labels[-1][1] == "13 Jul"
    widths = [axes.text_width(text, LAYOUT_FONT) for _, text in labels]
    spans = [
        (labels[0][0], labels[0][0] + widths[0]),
        *[(x - w / 2, x + w / 2) for (x, _), w in zip(labels[1:-1], widths[1:-1], strict=True)],
        (labels[-1][0] - widths[-1], labels[-1][0]),
    ]
    assert not _overlaps(spans, 0)


def test_two_partners_who_answered_on_different_days_are_placed_on_one_time_axis():
    svg = trajectory_svg(
        "CSI-4",
        [
            Series("Ari", [(DAY, 10), (DAY + timedelta(days=14), 12)]),
            Series("Bo", [(DAY + timedelta(days=7), 15)]),
        ],
        low=0,
        high=21,
    )
    circles = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    square = float(re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="7"', svg).group(1)) + 3.5
    assert circles[0] < square < circles[1]
    assert abs(square - (circles[0] + circles[1]) / 2) < 0.2  # a week after, a week before


# --- the follow-through chart ---------------------------------------------------------------


def test_the_follow_through_chart_labels_dates_that_fit_and_round_percentages():
    history = [Observation(DAY - timedelta(days=i), True, Source.CONFIRMED) for i in range(90)]
    days = [DAY - timedelta(days=7 * i) for i in range(12, -1, -1)]
    drawn = follow_through.follow_through_chart(ledger.series(history, days))
    assert [label for _, label in drawn.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]
    labels = [label for _, label, _ in drawn.x_labels]
    assert labels[0] == axes.short_date(days[0]) and labels[-1] == "2 Nov"
    assert 2 < len(labels) < len(days)
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", label) for label in labels)
