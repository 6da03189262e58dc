"""Trajectory charts as SVG with presentation attributes only (the CSP forbids inline styles).

No Django. The chart is decoration for sighted readers; every page that shows one also shows
the same numbers in a table. Units: x is the response's position in time order, y the score in
instrument points.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 320
HEIGHT = 180
PAD_LEFT = 34
PAD_RIGHT = 10
PAD_TOP = 12
PAD_BOTTOM = 28
# Two partners, told apart by colour *and* by marker shape and dash pattern.
SERIES_STYLES = [
    {"stroke": "#1f5f8b", "dash": "", "marker": "circle"},
    {"stroke": "#8a3b12", "dash": "5 3", "marker": "square"},
]
BAND_FILLS = ["#f1f5f9", "#ffffff"]


@dataclass(frozen=True)
class Series:
    name: str
    # (label for the x axis, score) in time order; a None score is left out of the line.
    points: list[tuple[str, float | None]]


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    if high == low:
        return (start + end) / 2
    return start + (value - low) * (end - start) / (high - low)


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
    plot_left, plot_right = PAD_LEFT, WIDTH - PAD_RIGHT
    plot_top, plot_bottom = PAD_TOP, HEIGHT - PAD_BOTTOM
    count = max((len(s.points) for s in series), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="trajectory" role="img" aria-labelledby="{element_id}-title">',
        f'<title id="{element_id}-title">{escape(title)}</title>',
    ]
    for index, (band_low, band_high, _label) in enumerate(bands or []):
        y1 = _scale(min(band_high, high), low, high, plot_bottom, plot_top)
        y2 = _scale(max(band_low, low), low, high, plot_bottom, plot_top)
        parts.append(
            f'<rect x="{plot_left}" y="{y1:.1f}" width="{plot_right - plot_left}" '
            f'height="{max(y2 - y1, 0):.1f}" fill="{BAND_FILLS[index % 2]}"/>'
        )
    parts.append(
        f'<line x1="{plot_left}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" '
        'stroke="#475569" stroke-width="1"/>'
    )
    parts.append(
        f'<line x1="{plot_left}" y1="{plot_top}" x2="{plot_left}" y2="{plot_bottom}" '
        'stroke="#475569" stroke-width="1"/>'
    )
    for tick in (low, (low + high) / 2, high):
        y = _scale(tick, low, high, plot_bottom, plot_top)
        parts.append(
            f'<text x="{plot_left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="#334155">{tick:g}</text>'
        )

    def x_at(i: int) -> float:
        if count <= 1:
            return (plot_left + plot_right) / 2
        return _scale(i, 0, count - 1, plot_left + 8, plot_right - 8)

    for s_index, one in enumerate(series[:2]):
        style = SERIES_STYLES[s_index]
        coords = [
            (x_at(i), _scale(v, low, high, plot_bottom, plot_top))
            for i, (_, v) in enumerate(one.points)
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
    legend_y = HEIGHT - 8
    for s_index, one in enumerate(series[:2]):
        style = SERIES_STYLES[s_index]
        x = plot_left + s_index * 140
        parts.append(
            f'<line x1="{x}" y1="{legend_y - 4}" x2="{x + 18}" y2="{legend_y - 4}" '
            f'stroke="{style["stroke"]}" stroke-width="2"'
            + (f' stroke-dasharray="{style["dash"]}"' if style["dash"] else "")
            + "/>"
        )
        parts.append(
            f'<text x="{x + 22}" y="{legend_y}" font-size="10" fill="#1e293b">'
            f"{escape(one.name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
