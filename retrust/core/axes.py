"""Chart axes: round value ticks, short date labels, and labels thinned so none overlap. No Django.

Every chart in retrust lays out its axes with these functions, so that a score axis reads
0, 5, 10 … and ends at the scale's maximum, and a date axis on a phone shows as many dates as
fit without touching. Positions and widths are in the chart's own SVG user units.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

# A digit or letter of the sans-serif system fonts is about 0.6 em wide, a space less; a label
# is laid out as if every character were that wide, which errs on the roomy side.
CHAR_WIDTH_EM = 0.6


def nice_step(span: float, target: int = 5, steps: Sequence[float] = (1, 2, 5)) -> float:
    """A round step (one of ``steps`` × 10^k) that cuts ``span`` into about ``target`` parts.

    The step chosen is the one nearest, on a log scale, to ``span / target``.
    """
    if span <= 0 or target < 1:
        raise ValueError("span and target must be positive")
    raw = span / target
    power = 10.0 ** math.floor(math.log10(raw))
    candidates = [step * power for step in (*steps, 10)]
    return min(candidates, key=lambda step: abs(math.log(raw / step)))


def value_ticks(
    low: float, high: float, target: int = 5, steps: Sequence[float] = (1, 2, 5)
) -> list[float]:
    """Ticks covering ``low``–``high``: both ends, and the round multiples of a nice step between.

    >>> value_ticks(0, 27)
    [0, 5, 10, 15, 20, 25, 27]
    >>> value_ticks(0, 80)
    [0, 20, 40, 60, 80]
    >>> value_ticks(0, 100, target=4, steps=(1, 2.5, 5))
    [0, 25, 50, 75, 100]
    """
    if high < low:
        raise ValueError("high must not be below low")
    if high == low:
        return [_tidy(low)]
    step = nice_step(high - low, target, steps)
    ticks = [_tidy(low)]
    k = math.floor(low / step) + 1
    # A relative tolerance keeps float error (0.1 + 0.2) from adding a tick beside an end.
    tolerance = step * 1e-9
    while k * step < high - tolerance:
        ticks.append(_tidy(k * step))
        k += 1
    ticks.append(_tidy(high))
    return ticks


def _tidy(value: float) -> float:
    """Whole numbers as ints (so they print as "5", not "5.0"); others rounded to 10 digits."""
    rounded = round(value, 10)
    return int(rounded) if rounded == int(rounded) else rounded


def short_date(day: date, *, with_year: bool = False) -> str:
    """A date as people write it on a phone: "3 Nov", or "3 Nov 2025" when years differ."""
    return f"{day.day} {day:%b} {day.year}" if with_year else f"{day.day} {day:%b}"


def date_labels(days: Sequence[date]) -> list[str]:
    """Short labels for ``days``; with the year on every one when they span more than a year."""
    with_year = len({day.year for day in days}) > 1
    return [short_date(day, with_year=with_year) for day in days]


def text_width(text: str, font_size: float) -> float:
    """About how wide ``text`` is at ``font_size`` (both in user units)."""
    return len(text) * CHAR_WIDTH_EM * font_size


def _extent(x: float, width: float, anchor: str) -> tuple[float, float]:
    if anchor == "start":
        return x, x + width
    if anchor == "end":
        return x - width, x
    return x - width / 2, x + width / 2


def thin(
    positions: Sequence[float],
    widths: Sequence[float],
    *,
    gap: float,
    anchors: Sequence[str] | None = None,
) -> list[int]:
    """Which labels to draw, by index, so that no two drawn labels come closer than ``gap``.

    ``positions`` run in increasing order along the axis; ``widths`` are the labels' extents
    along it (for a vertical axis, the line height); ``anchors`` says where each label sits on
    its position ("start", "middle" or "end", as SVG's text-anchor; "middle" if not given).
    The first and the last label are kept whenever both fit; then, from the first onwards,
    every label that clears the one before it and the last one.
    """
    count = len(positions)
    if count == 0:
        return []
    anchors = anchors or ["middle"] * count
    spans = [_extent(positions[i], widths[i], anchors[i]) for i in range(count)]
    last = count - 1
    if count == 1:
        return [0]
    if spans[0][1] + gap > spans[last][0]:
        return [last]
    kept = [0]
    for i in range(1, last):
        if spans[i][0] >= spans[kept[-1]][1] + gap and spans[i][1] + gap <= spans[last][0]:
            kept.append(i)
    kept.append(last)
    return kept
