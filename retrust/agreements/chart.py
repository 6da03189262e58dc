"""Geometry for the calm follow-through chart: a line for the estimate, a band for its 80%
interval, drawn as plain SVG by the template. No Django.

Coordinates are SVG user units in a ``WIDTH`` × ``HEIGHT`` view box; y runs 0–100 % upwards.
Points without enough data are gaps in the line, never zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrust.agreements.ledger import Estimate
from retrust.core import axes

WIDTH = 420
HEIGHT = 210
LEFT = 62  # room for "100%" in the larger type a phone needs
RIGHT = 14
TOP = 16
BOTTOM = 28
# The phone style sheet sets chart text to 18 user units on the narrowest screens (12 px or more
# on screen); the date labels are thinned for that size, so they never touch at any size.
LAYOUT_FONT = 18
LABEL_GAP = 8
PERCENT_STEPS = (1, 2.5, 5)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[str]  # "x,y x,y …" for each unbroken run of points with enough data
    bands: list[str]  # closed polygons of the 80% interval, one per run
    dots: list[tuple[float, float]]
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_labels: list[tuple[float, str, str]]  # (x, date label, text-anchor), as many as fit
    plot_left: int
    plot_right: int
    plot_bottom: int


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return round(LEFT + (span * i / (n - 1) if n > 1 else span / 2), 1)


def _y(p: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - p), 1)


def follow_through_chart(points: Sequence[Estimate]) -> Chart:
    """Lay out ``points`` (oldest first) for the template."""
    n = len(points)
    lines: list[str] = []
    bands: list[str] = []
    dots: list[tuple[float, float]] = []
    run: list[tuple[float, Estimate]] = []

    def close() -> None:
        if not run:
            return
        lines.append(" ".join(f"{x},{_y(e.mean or 0)}" for x, e in run))
        upper = [f"{x},{_y(e.high or 0)}" for x, e in run]
        lower = [f"{x},{_y(e.low or 0)}" for x, e in reversed(run)]
        bands.append(" ".join(upper + lower))
        run.clear()

    for i, e in enumerate(points):
        if e.mean is None:
            close()
            continue
        x = _x(i, n)
        run.append((x, e))
        dots.append((x, _y(e.mean)))
    close()
    # Quarters: a partner's page names no interval, and "80%" would read like one.
    ticks = [
        (_y(p / 100), f"{p}%") for p in axes.value_ticks(0, 100, target=4, steps=PERCENT_STEPS)
    ]
    positions = [_x(i, n) for i in range(n)]
    labels = axes.date_labels([e.as_of for e in points])
    anchors = ["middle"] * n
    if n > 1:
        anchors[0], anchors[-1] = "start", "end"
    widths = [axes.text_width(text, LAYOUT_FONT) for text in labels]
    x_labels = [
        (positions[i], labels[i], anchors[i])
        for i in axes.thin(positions, widths, gap=LABEL_GAP, anchors=anchors)
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        lines=lines,
        bands=bands,
        dots=dots,
        y_ticks=ticks,
        x_labels=x_labels,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_bottom=HEIGHT - BOTTOM,
    )
