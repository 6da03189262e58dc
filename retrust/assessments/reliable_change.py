"""Reliable change and clinical significance (Jacobson & Truax, 1991). No Django.

Computed only from parameters an instrument file carries with their source: either a published
threshold in points (e.g. the national talking-therapy services' 6 points on the PHQ-9), or a
published SD and reliability coefficient for the Jacobson–Truax index. Without them there is no
figure, and ``classify`` returns ``None`` so the page can say so.

Jacobson–Truax: SE = SD·√(1 − r); S_diff = √(2·SE²); RCI = (post − pre) / S_diff; a change is
reliable when |RCI| > 1.96 (two-sided p < .05). Units: instrument points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from retrust.assessments.definitions import Scale

Category = Literal["recovered", "improved", "unchanged", "deteriorated"]
Z_95 = 1.96

CATEGORY_LABELS: dict[str, str] = {
    "recovered": "Reliable recovery",
    "improved": "Reliable improvement",
    "unchanged": "No reliable change",
    "deteriorated": "Reliable deterioration",
}
NO_FIGURE = "no published reliable-change figure"


@dataclass(frozen=True, slots=True)
class Change:
    baseline: float
    later: float
    # later − baseline, in instrument points.
    difference: float
    # Smallest reliable change in points (|difference| at or above it is reliable).
    threshold: float
    # The Jacobson–Truax index, where that method applies; None for published thresholds.
    rci: float | None
    category: Category

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]


def jacobson_truax_threshold(sd: float, reliability: float) -> float:
    """Smallest reliable change in points: 1.96 · √2 · SD · √(1 − r)."""
    if sd <= 0 or not 0 < reliability < 1:
        raise ValueError("sd must be positive and reliability between 0 and 1")
    return Z_95 * math.sqrt(2) * sd * math.sqrt(1 - reliability)


def rci(baseline: float, later: float, sd: float, reliability: float) -> float:
    """The Jacobson–Truax reliable change index (dimensionless)."""
    s_diff = math.sqrt(2 * (sd * math.sqrt(1 - reliability)) ** 2)
    return (later - baseline) / s_diff


def _is_case(score: float, value: float, at_or_above: bool) -> bool:
    return score >= value if at_or_above else score <= value


def classify(scale: Scale, baseline: float, later: float) -> Change | None:
    """Baseline → later for one scale, or ``None`` where no sourced parameters exist."""
    rule = scale.reliable_change
    if rule is None:
        return None
    difference = later - baseline
    index: float | None = None
    if rule.method == "threshold":
        assert rule.points is not None
        threshold = rule.points
        reliable = abs(difference) >= threshold
    else:
        assert rule.sd is not None and rule.reliability is not None
        threshold = jacobson_truax_threshold(rule.sd, rule.reliability)
        index = rci(baseline, later, rule.sd, rule.reliability)
        reliable = abs(index) > Z_95
    better = difference < 0 if scale.direction == "higher_is_worse" else difference > 0
    category: Category
    if not reliable or difference == 0:
        category = "unchanged"
    elif not better:
        category = "deteriorated"
    else:
        category = "improved"
        case = rule.caseness
        if case is not None:
            was_case = _is_case(baseline, case.value, case.at_or_above)
            still_case = _is_case(later, case.value, case.at_or_above)
            if was_case and not still_case:
                category = "recovered"
    return Change(
        baseline=baseline,
        later=later,
        difference=difference,
        threshold=threshold,
        rci=index,
        category=category,
    )
