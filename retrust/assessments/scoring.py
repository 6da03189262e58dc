"""Scoring exactly as published: totals, subscales, bands and cut-offs. No Django.

Answers are the *printed* values of the chosen options, keyed by item ``linkId``. A value that
is not one of the item's printed options is refused (``AnswerError`` names the item). A skipped
item makes a scale "incomplete" unless the instrument file carries a published proration rule;
an incomplete scale has no score, never a guess.

Units: scores are in the instrument's own points (e.g. PHQ-9 total 0–27).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from retrust.assessments.definitions import Instrument, Scale


class AnswerError(ValueError):
    """An answer the instrument does not allow; ``link_id`` names the item."""

    def __init__(self, link_id: str, message: str) -> None:
        super().__init__(f"{link_id}: {message}")
        self.link_id = link_id
        self.message = message


@dataclass(frozen=True, slots=True)
class ScaleScore:
    scale_id: str
    # None when the scale is incomplete.
    score: float | None
    complete: bool
    answered: int
    expected: int
    prorated: bool
    band: str | None
    band_meaning: str | None
    # True / False for "on the clinical side of the published cut-off"; None without one.
    beyond_cutoff: bool | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scale": self.scale_id,
            "score": self.score,
            "complete": self.complete,
            "answered": self.answered,
            "expected": self.expected,
            "prorated": self.prorated,
            "band": self.band,
            "beyond_cutoff": self.beyond_cutoff,
        }


@dataclass(frozen=True, slots=True)
class _Plan:
    """A scale compiled once per instrument: tuples are faster to walk than models."""

    scale: Scale
    # (linkId, allowed printed values, reverse offset or None)
    items: tuple[tuple[str, frozenset[int], int | None], ...]
    bands: tuple[tuple[float, float, str, str], ...]


# Keyed by object identity: instruments are loaded once and never change afterwards.
_PLANS: dict[int, tuple[Instrument, tuple[_Plan, ...]]] = {}


def _plans(instrument: Instrument) -> tuple[_Plan, ...]:
    cached = _PLANS.get(id(instrument))
    if cached is not None and cached[0] is instrument:
        return cached[1]
    plans = _compile(instrument)
    _PLANS[id(instrument)] = (instrument, plans)
    return plans


def _compile(instrument: Instrument) -> tuple[_Plan, ...]:
    plans = []
    for scale in instrument.scales:
        entries = []
        for link_id in instrument.scale_items(scale):
            values = frozenset(int(o.value) for o in instrument.options_for(link_id))
            # Reverse keying: v -> (min + max) - v, only where the published form needs it.
            offset = min(values) + max(values) if link_id in scale.reverse else None
            entries.append((link_id, values, offset))
        bands = tuple((b.min, b.max, b.label, b.meaning) for b in scale.bands)
        plans.append(_Plan(scale=scale, items=tuple(entries), bands=bands))
    return tuple(plans)


def check_answers(instrument: Instrument, answers: Mapping[str, Any]) -> None:
    """Refuse unknown items and values outside an item's printed options."""
    for link_id, value in answers.items():
        try:
            item = instrument.item(link_id)
        except KeyError:
            raise AnswerError(link_id, "this questionnaire has no such item") from None
        if value is None:
            continue
        if item.type == "text":
            if not isinstance(value, str):
                raise AnswerError(link_id, "expects text")
            if len(value) > 4000:
                raise AnswerError(link_id, "is too long (at most 4000 characters)")
            continue
        allowed = [o.value for o in instrument.options_for(link_id)]
        chosen = value if item.type == "multi" else [value]
        if item.type == "multi" and not isinstance(value, list):
            raise AnswerError(link_id, "expects a list of choices")
        for one in chosen:
            if isinstance(one, bool) or one not in allowed:
                shown = ", ".join(str(a) for a in allowed)
                raise AnswerError(link_id, f"{one!r} is not one of the printed options ({shown})")


def missing_required(instrument: Instrument, answers: Mapping[str, Any]) -> list[str]:
    """Required items with no answer, in form order."""
    return [
        item.linkId
        for item in instrument.items
        if item.required and answers.get(item.linkId) in (None, "", [])
    ]


def band_for(bands: tuple[tuple[float, float, str, str], ...], score: float) -> tuple[str, str]:
    for low, high, label, meaning in bands:
        if low <= score <= high:
            return label, meaning
    return "", ""


def _score_plan(plan: _Plan, answers: Mapping[str, Any]) -> ScaleScore:
    total = 0
    answered = 0
    for link_id, allowed, offset in plan.items:
        value = answers.get(link_id)
        if value is None:
            continue
        if value not in allowed:
            raise AnswerError(link_id, f"{value!r} is not one of the printed options")
        total += value if offset is None else offset - value
        answered += 1
    expected = len(plan.items)
    scale = plan.scale
    missing = expected - answered
    prorated = False
    score: float | None
    if missing == 0:
        score = total if scale.method == "sum" else total / expected
    elif (
        scale.missing.rule == "prorate" and answered and missing <= (scale.missing.max_missing or 0)
    ):
        mean = total / answered
        score = mean * expected if scale.method == "sum" else mean
        prorated = True
    else:
        score = None
    band = meaning = None
    beyond = None
    if score is not None:
        if plan.bands:
            band, meaning = band_for(plan.bands, score)
        cutoff = scale.cutoff
        if cutoff is not None:
            beyond = cutoff.reached_by(score)
    return ScaleScore(
        scale_id=scale.id,
        score=score,
        complete=score is not None,
        answered=answered,
        expected=expected,
        prorated=prorated,
        band=band or None,
        band_meaning=meaning or None,
        beyond_cutoff=beyond,
    )


def score(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, ScaleScore]:
    """Every scale of ``instrument`` for one response, keyed by scale id."""
    return {plan.scale.id: _score_plan(plan, answers) for plan in _plans(instrument)}


def answers_from_values(instrument: Instrument, values: list[int]) -> dict[str, int]:
    """Map printed values, in item order, onto the instrument's choice items (for the CLI)."""
    items = instrument.choice_items
    if len(values) != len(items):
        raise AnswerError(
            items[min(len(values), len(items) - 1)].linkId,
            f"expected {len(items)} values (one per item, in order), got {len(values)}",
        )
    answers = {item.linkId: value for item, value in zip(items, values, strict=True)}
    check_answers(instrument, answers)
    return answers
