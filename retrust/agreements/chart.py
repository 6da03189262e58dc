"""Geometry for the calm follow-through chart: a line for the estimate, a band for its 80%
interval, drawn as plain SVG by the template. No Django.

Coordinates are SVG user units in a ``WIDTH`` × ``HEIGHT`` view box; y runs 0–100 % upwards.
Points without enough data are gaps in the line, never zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrust.agreements.ledger import Estimate

WIDTH = 420
HEIGHT = 210
LEFT = 54  # room for "100%" in the larger type a phone needs
RIGHT = 14
TOP = 12
BOTTOM = 28


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[str]  # "x,y x,y …" for each unbroken run of points with enough data
    bands: list[str]  # closed polygons of the 80% interval, one per run
    dots: list[tuple[float, float]]
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_labels: list[tuple[float, str, str]]  # (x, label, text-anchor): first, middle, last
    plot_left: int
    plot_right: int
    plot_bottom: int


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return round(LEFT + (span * i / (n - 1) if n > 1 else span / 2), 1)


def _y(p: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - p), 1)


def follow_through_chart(points: Sequence[Estimate], label_format: str = "%d %b") -> Chart:
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
    ticks = [(_y(p / 100), f"{p}%") for p in (0, 25, 50, 75, 100)]
    picks = sorted({0, n // 2, n - 1}) if n else []
    anchors = {0: "start", n - 1: "end"} if n > 1 else {}
    x_labels = [
        (_x(i, n), points[i].as_of.strftime(label_format), anchors.get(i, "middle")) for i in picks
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
