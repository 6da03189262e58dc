"""One measure over time for both partners: the numbers, the reliable change and the chart.

Shared by the clinician's measures page and the clinician's progress report (``retrust.reports``)
so that paper and screen show the same thing, drawn the same way.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.safestring import mark_safe
from django.utils.timezone import localdate

from retrust.assessments import queries
from retrust.assessments.chart import Series, trajectory_svg
from retrust.assessments.definitions import Instrument
from retrust.assessments.models import MeasureResponse
from retrust.assessments.reliable_change import classify
from retrust.core.models import CaseMember


def score_range(instrument: Instrument, scale: Any) -> tuple[float, float]:
    """Lowest and highest possible score of a scale, for a chart's y axis (points)."""
    lows, highs = [], []
    for link_id in instrument.scale_items(scale):
        values = [o.value for o in instrument.options_for(link_id) if isinstance(o.value, int)]
        lows.append(min(values))
        highs.append(max(values))
    if not lows:
        return 0, 1
    if scale.method == "sum":
        return sum(lows), sum(highs)
    return min(lows), max(highs)


def trajectory(
    instrument: Instrument, partners: list[CaseMember], responses: list[MeasureResponse]
) -> dict[str, Any]:
    scale = instrument.scales[0] if instrument.scales else None
    by_author: dict[int, list[MeasureResponse]] = defaultdict(list)
    for response in responses:
        by_author[response.author_id].append(response)
    columns = []
    for member in partners:
        own = by_author.get(member.user_id, [])
        baseline = next((r for r in own if r.total is not None), None)
        latest = own[-1] if own else None
        change = None
        if (
            scale is not None
            and baseline is not None
            and latest is not None
            and latest.pk != baseline.pk
            and latest.total is not None
        ):
            change = classify(scale, baseline.total, latest.total)  # type: ignore[arg-type]
        cutoff = scale.cutoff if scale is not None else None
        columns.append(
            {
                # A latest total on the flagged side of the scale's cut-off (AUDIT-C 4 or more).
                "flag": cutoff.label
                if cutoff is not None and latest is not None and cutoff.reached_by(latest.total)
                else "",
                "item_answers": queries.item_answers(instrument, latest.answers) if latest else [],
                "member": member,
                "responses": own,
                "latest": latest,
                "baseline": baseline,
                "change": change,
            }
        )
    latest_totals = [
        c["latest"].total for c in columns if c["latest"] and c["latest"].total is not None
    ]
    gap = abs(latest_totals[0] - latest_totals[1]) if len(latest_totals) == 2 else None
    svg = ""
    if scale is not None:
        low, high = score_range(instrument, scale)
        svg = trajectory_svg(
            f"{instrument.short_title} over time for both partners",
            [
                Series(
                    name=c["member"].user.name,
                    points=[(localdate(r.submitted_at), r.total) for r in c["responses"]],
                )
                for c in columns
            ],
            low=low,
            high=high,
            bands=[(b.min, b.max, b.label) for b in scale.bands],
            element_id=f"chart-{instrument.id}",
        )
    rows = []
    longest = max((len(c["responses"]) for c in columns), default=0)
    for index in range(longest):
        rows.append(
            [c["responses"][index] if index < len(c["responses"]) else None for c in columns]
        )
    return {
        "instrument": instrument,
        "scale": scale,
        "columns": columns,
        "gap": gap,
        "svg": mark_safe(svg),  # noqa: S308 - built from numbers and escaped names only
        "rows": rows,
        "items": instrument.items,
    }
