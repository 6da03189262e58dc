"""Weekly trend of trigger entries, and the geometry of its SVG chart. Pure Python, no Django.

Weeks start on Monday. ``weekly_trend`` counts entries per week (frequency, entries/week) and
averages their intensity (0–10 scale) for the last ``weeks`` weeks up to and including the
week of ``today``; a week with no entry has count 0 and no mean (not zero: nothing was felt
is not the same as nothing was written down).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

MAX_INTENSITY = 10


@dataclass(frozen=True, slots=True)
class Week:
    start: date  # the Monday
    count: int  # entries that week
    mean_intensity: float | None  # 0–10, None when there was no entry

    @property
    def label(self) -> str:
        return f"{self.start.day} {self.start:%b}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_trend(entries: Iterable[tuple[date, int]], today: date, weeks: int = 12) -> list[Week]:
    """``entries``: (day, intensity 0–10) pairs. Returns ``weeks`` weeks, oldest first.

    Entries outside the window are ignored. Runs in O(entries + weeks).
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    last = monday_of(today)
    first = last - timedelta(weeks=weeks - 1)
    counts = [0] * weeks
    totals = [0] * weeks
    for day, intensity in entries:
        if not 0 <= intensity <= MAX_INTENSITY:
            raise ValueError(f"intensity must be 0–{MAX_INTENSITY}, got {intensity}")
        index = (monday_of(day) - first).days // 7
        if 0 <= index < weeks:
            counts[index] += 1
            totals[index] += intensity
    return [
        Week(
            start=first + timedelta(weeks=i),
            count=counts[i],
            mean_intensity=round(totals[i] / counts[i], 1) if counts[i] else None,
        )
        for i in range(weeks)
    ]


@dataclass(frozen=True, slots=True)
class Bar:
    """One week on the chart, in SVG user units (the chart is ``width`` × ``height``)."""

    week: Week
    x: float
    width: float
    count_y: float
    count_height: float
    intensity_y: float | None  # the dot for the mean intensity, None when no entry
    label_x: float


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    max_count: int
    bars: list[Bar]
    intensity_points: str  # "x,y x,y ..." for an SVG polyline; weeks without entries skipped


def chart(
    weeks: list[Week], width: int = 600, height: int = 220, top: int = 16, bottom: int = 36
) -> Chart:
    """Bars for frequency (scaled to the busiest week), dots and a line for mean intensity
    (scaled to 0–10 on the same plot height)."""
    plot_bottom = height - bottom
    plot_height = plot_bottom - top
    slot = width / max(1, len(weeks))
    max_count = max([week.count for week in weeks] + [1])
    bars = []
    points = []
    for i, week in enumerate(weeks):
        bar_height = plot_height * week.count / max_count
        x = i * slot + slot * 0.15
        centre = i * slot + slot / 2
        intensity_y = None
        if week.mean_intensity is not None:
            intensity_y = round(plot_bottom - plot_height * week.mean_intensity / MAX_INTENSITY, 1)
            points.append(f"{centre:.1f},{intensity_y}")
        bars.append(
            Bar(
                week=week,
                x=round(x, 1),
                width=round(slot * 0.7, 1),
                count_y=round(plot_bottom - bar_height, 1),
                count_height=round(bar_height, 1),
                intensity_y=intensity_y,
                label_x=round(centre, 1),
            )
        )
    return Chart(
        width=width,
        height=height,
        plot_top=top,
        plot_bottom=plot_bottom,
        max_count=max_count,
        bars=bars,
        intensity_points=" ".join(points),
    )
