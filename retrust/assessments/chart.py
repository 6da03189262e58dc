"""Trajectory charts as SVG with presentation attributes only (the CSP forbids inline styles).

No Django. The chart is decoration for sighted readers; every page that shows one also shows
the same numbers in a table. Units: x is the response's date, y the score in instrument points;
positions are SVG user units in a ``WIDTH`` × ``HEIGHT`` view box. The score axis has round
ticks ending at the scale's maximum, with a gridline at each; the date axis labels as many dates
as fit at the type size phones use (``LAYOUT_FONT``), without two labels touching.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from retrust.core import axes

WIDTH = 320
HEIGHT = 212
PAD_LEFT = 34
PAD_RIGHT = 12
PAD_TOP = 16
PAD_BOTTOM = 52
INSET = 8  # the first and last dots sit this far inside the plot, off the axis line
# The type size in the SVG's own attributes (desktop), and the larger one the phone style sheet
# sets so that text stays at 12 px or more on a narrow screen; the layout makes room for that.
FONT = 10
LAYOUT_FONT = 16
LABEL_GAP = 6
# Two partners, told apart by colour *and* by marker shape and dash pattern.
SERIES_STYLES = [
    {"stroke": "#1f5f8b", "dash": "", "marker": "circle"},
    {"stroke": "#8a3b12", "dash": "5 3", "marker": "square"},
]
BAND_FILLS = ["#f1f5f9", "#ffffff"]
GRID = "#cbd5e1"
AXIS = "#475569"
INK = "#334155"


@dataclass(frozen=True)
class Series:
    name: str
    # (day answered, score) in time order; a None score is left out of the line.
    points: list[tuple[date, float | None]]


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    if high == low:
        return (start + end) / 2
    return start + (value - low) * (end - start) / (high - low)


def _describe(series: list[Series], low: float, high: float) -> str:
    said = [f"Scores from {low:g} to {high:g}, by date."]
    for one in series:
        scored = [(day, v) for day, v in one.points if v is not None]
        if not scored:
            said.append(f"{one.name}: no scores yet.")
            continue
        day, value = scored[-1]
        count = len(scored)
        said.append(
            f"{one.name}: {count} score{'s' if count != 1 else ''}, "
            f"the latest {value:g} on {axes.short_date(day, with_year=True)}."
        )
    return " ".join(said)


def trajectory_svg(
    title: str,
    series: list[Series],
    *,
    low: float,
    high: float,
    bands: list[tuple[float, float, str]] | None = None,
    element_id: str = "chart",
) -> str:
    """An SVG line chart of one measure for up to two partners, with band stripes."""
    series = series[:2]
    plot_left, plot_right = PAD_LEFT, WIDTH - PAD_RIGHT
    plot_top, plot_bottom = PAD_TOP, HEIGHT - PAD_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="trajectory" role="img" aria-labelledby="{element_id}-title" '
        f'aria-describedby="{element_id}-desc">',
        f'<title id="{element_id}-title">{escape(title)}</title>',
        f'<desc id="{element_id}-desc">{escape(_describe(series, low, high))}</desc>',
    ]
    for index, (band_low, band_high, _label) in enumerate(bands or []):
        y1 = _scale(min(band_high, high), low, high, plot_bottom, plot_top)
        y2 = _scale(max(band_low, low), low, high, plot_bottom, plot_top)
        parts.append(
            f'<rect x="{plot_left}" y="{y1:.1f}" width="{plot_right - plot_left}" '
            f'height="{max(y2 - y1, 0):.1f}" fill="{BAND_FILLS[index % 2]}"/>'
        )

    # The score axis: a gridline at every round tick; labels only where they do not touch.
    ticks = axes.value_ticks(low, high)
    heights = [plot_bottom - _scale(t, low, high, plot_bottom, plot_top) for t in ticks]
    labelled = set(axes.thin(heights, [LAYOUT_FONT] * len(ticks), gap=2))
    for index, tick in enumerate(ticks):
        y = _scale(tick, low, high, plot_bottom, plot_top)
        if tick != low:  # the axis line itself is drawn below
            parts.append(
                f'<line class="grid" x1="{plot_left}" y1="{y:.1f}" x2="{plot_right}" '
                f'y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
            )
        if index in labelled:
            parts.append(
                f'<text class="tick-y" x="{plot_left - 4}" y="{y:.1f}" text-anchor="end" '
                f'dominant-baseline="middle" font-size="{FONT}" fill="{INK}">{tick:g}</text>'
            )
    parts.append(
        f'<line x1="{plot_left}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )
    parts.append(
        f'<line x1="{plot_left}" y1="{plot_top}" x2="{plot_left}" y2="{plot_bottom}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )

    # The date axis: each response at its date; as many dates labelled as fit.
    days = sorted({day for one in series for day, _ in one.points})
    first = days[0].toordinal() if days else 0
    last = days[-1].toordinal() if days else 0

    def x_at(day: date) -> float:
        return _scale(day.toordinal(), first, last, plot_left + INSET, plot_right - INSET)

    labels = axes.date_labels(days)
    positions = [x_at(day) for day in days]
    anchors = ["middle"] * len(days)
    if len(days) > 1:
        anchors[0], anchors[-1] = "start", "end"
    widths = [axes.text_width(text, LAYOUT_FONT) for text in labels]
    label_y = plot_bottom + 6 + LAYOUT_FONT
    for index in axes.thin(positions, widths, gap=LABEL_GAP, anchors=anchors):
        x = positions[index]
        parts.append(
            f'<line x1="{x:.1f}" y1="{plot_bottom}" x2="{x:.1f}" y2="{plot_bottom + 4}" '
            f'stroke="{AXIS}" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="tick-x" x="{x:.1f}" y="{label_y}" text-anchor="{anchors[index]}" '
            f'font-size="{FONT}" fill="{INK}">{escape(labels[index])}</text>'
        )

    for s_index, one in enumerate(series):
        style = SERIES_STYLES[s_index]
        coords = [
            (x_at(day), _scale(v, low, high, plot_bottom, plot_top))
            for day, v in one.points
            if v is not None
        ]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{style["stroke"]}" '
                f'stroke-width="2"{dash}/>'
            )
        for x, y in coords:
            if style["marker"] == "circle":
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{style["stroke"]}"/>'
                )
            else:
                parts.append(
                    f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                    f'fill="{style["stroke"]}"/>'
                )
    legend_y = HEIGHT - 6
    for s_index, one in enumerate(series):
        style = SERIES_STYLES[s_index]
        x = plot_left + s_index * 140
        parts.append(
            f'<line x1="{x}" y1="{legend_y - 5}" x2="{x + 18}" y2="{legend_y - 5}" '
            f'stroke="{style["stroke"]}" stroke-width="2"'
            + (f' stroke-dasharray="{style["dash"]}"' if style["dash"] else "")
            + "/>"
        )
        parts.append(
            f'<text x="{x + 22}" y="{legend_y}" font-size="{FONT}" fill="#1e293b">'
            f"{escape(one.name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
