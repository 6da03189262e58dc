"""Instrument files: the schema they must follow and the loader that checks them. No Django.

One YAML file per instrument. The loader validates every file at start-up; a broken file stops
start-up with ``InstrumentFileError`` naming the file and the field (``phq-9.yaml:
scales.0.bands.2.max: ...``). Printed option values are stored exactly as the form prints
them, never as positions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

BUNDLED_DIR = Path(__file__).parent / "instruments"


class InstrumentFileError(Exception):
    """An instrument file that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    value: int | str
    label: str = Field(min_length=1)


class Item(_Strict):
    linkId: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    text: str = Field(min_length=1)
    type: Literal["choice", "multi", "text"] = "choice"
    # A list of options, or the name of an entry in ``option_sets``.
    options: list[Option] | str | None = None
    required: bool = True
    # An instruction the form prints just before this item (e.g. before a block of items).
    intro: str = ""
    # A semantic differential: the two words printed at the left and right ends of the line,
    # with the options (printed values, left to right) between them.
    poles: tuple[str, str] | None = None

    @model_validator(mode="after")
    def _poles(self) -> Item:
        if self.poles is not None:
            if self.type != "choice":
                raise ValueError("poles: only a single-choice item can have poles")
            if not all(word.strip() for word in self.poles):
                raise ValueError("poles: both words must be given")
        return self


class Band(_Strict):
    min: float
    max: float
    label: str = Field(min_length=1)
    meaning: str = ""


class Cutoff(_Strict):
    value: float
    at_or_above: bool = False
    at_or_below: bool = False
    label: str = ""
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_side(self) -> Cutoff:
        if self.at_or_above == self.at_or_below:
            raise ValueError("say exactly one of at_or_above: true or at_or_below: true")
        return self

    def reached_by(self, score: float | None) -> bool:
        """Whether a total lies on the flagged side of this cut-off (points, inclusive)."""
        if score is None:
            return False
        return score >= self.value if self.at_or_above else score <= self.value


class Caseness(_Strict):
    value: float
    at_or_above: bool = False
    at_or_below: bool = False


class ReliableChange(_Strict):
    """Sourced parameters only. ``threshold``: a published number of points.
    ``jacobson_truax``: a published SD and reliability coefficient."""

    method: Literal["threshold", "jacobson_truax"]
    points: float | None = Field(default=None, gt=0)
    sd: float | None = Field(default=None, gt=0)
    reliability: float | None = Field(default=None, gt=0, lt=1)
    caseness: Caseness | None = None
    source: str = Field(min_length=10)

    @model_validator(mode="after")
    def _parameters(self) -> ReliableChange:
        if self.method == "threshold" and self.points is None:
            raise ValueError("method 'threshold' needs 'points'")
        if self.method == "jacobson_truax" and (self.sd is None or self.reliability is None):
            raise ValueError("method 'jacobson_truax' needs 'sd' and 'reliability'")
        return self


class Missing(_Strict):
    rule: Literal["require_complete", "prorate"]
    # For "prorate": the most items that may be skipped, and where that rule is published.
    max_missing: int | None = Field(default=None, ge=1)
    source: str = ""

    @model_validator(mode="after")
    def _prorate_sourced(self) -> Missing:
        if self.rule == "prorate" and (self.max_missing is None or not self.source):
            raise ValueError("'prorate' needs 'max_missing' and the 'source' that permits it")
        return self


class Scale(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    items: list[str] | Literal["all"]
    method: Literal["sum", "mean"] = "sum"
    reverse: list[str] = []
    missing: Missing
    direction: Literal["higher_is_worse", "higher_is_better"]
    bands: list[Band] = []
    bands_source: str = ""
    cutoff: Cutoff | None = None
    reliable_change: ReliableChange | None = None
    loinc: str | None = None
    note: str = ""


class AlertRule(_Strict):
    item: str
    above: int
    source: str
    priority: Literal["high", "normal"]
    summary: str = Field(min_length=1)


class Instrument(_Strict):
    """One questionnaire as its file describes it.

    ``kind``: a ``relationship`` measure (how the relationship is going) may reach the other
    partner as a total, when its author chooses to share it; an ``individual`` one (mood,
    anxiety, drinking, one's own story) never does, whatever anyone chooses. A file that does
    not say is individual.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    short_title: str = Field(min_length=1)
    validated: bool
    citation: str = Field(min_length=1)
    licence: str = Field(min_length=1)
    respondent: str = Field(min_length=1)
    recall_period: str = Field(min_length=1)
    touches_mood_or_safety: bool = False
    kind: Literal["relationship", "individual"] = "individual"
    loinc: str | None = None
    preamble: str = ""
    option_sets: dict[str, list[Option]] = {}
    items: list[Item] = Field(min_length=1)
    scales: list[Scale] = []
    alerts: list[AlertRule] = []

    @property
    def asks_about_self_harm(self) -> bool:
        """Whether an item can raise a safety alert (PHQ-9 item 9): the forms that show the
        crisis box at the top. Every page keeps the crisis link in its footer."""
        return bool(self.alerts)

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            where = f"items.{index}"
            if item.linkId in seen:
                raise ValueError(f"{where}.linkId: {item.linkId!r} is used twice")
            seen.add(item.linkId)
            if isinstance(item.options, str) and item.options not in self.option_sets:
                raise ValueError(f"{where}.options: no option set named {item.options!r}")
            if item.type != "text" and not item.options:
                raise ValueError(f"{where}.options: a {item.type} item needs answer options")
            if item.type == "text" and item.options:
                raise ValueError(f"{where}.options: a text item has no options")
        for index, scale in enumerate(self.scales):
            where = f"scales.{index}"
            names = [i.linkId for i in self.items] if scale.items == "all" else scale.items
            for name in [*names, *scale.reverse]:
                if name not in seen:
                    raise ValueError(f"{where}.items: no item with linkId {name!r}")
                if self.item(name).type != "choice":
                    raise ValueError(f"{where}.items: {name!r} is not a scored choice item")
                if not all(isinstance(o.value, int) for o in self.options_for(name)):
                    raise ValueError(f"{where}.items: {name!r} has non-numeric option values")
            for b_index, band in enumerate(scale.bands):
                if band.min > band.max:
                    raise ValueError(f"{where}.bands.{b_index}.max: is below its min")
                if b_index and band.min <= scale.bands[b_index - 1].max:
                    raise ValueError(f"{where}.bands.{b_index}.min: overlaps the band before")
        for index, rule in enumerate(self.alerts):
            if rule.item not in seen:
                raise ValueError(f"alerts.{index}.item: no item with linkId {rule.item!r}")
        return self

    def item(self, link_id: str) -> Item:
        for item in self.items:
            if item.linkId == link_id:
                return item
        raise KeyError(link_id)

    def options_for(self, link_id: str) -> list[Option]:
        options = self.item(link_id).options
        if isinstance(options, str):
            return self.option_sets[options]
        return list(options or [])

    def scale_items(self, scale: Scale) -> list[str]:
        return [i.linkId for i in self.items] if scale.items == "all" else list(scale.items)

    @property
    def choice_items(self) -> list[Item]:
        return [i for i in self.items if i.type == "choice"]

    @property
    def is_relationship(self) -> bool:
        return self.kind == "relationship"

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(scale_id)


def _field_path(error: Mapping[str, Any]) -> str:
    return ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")


def load_file(path: Path) -> Instrument:
    """One instrument file, validated; ``InstrumentFileError`` names the file and field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InstrumentFileError(f"{path.name}: cannot be read as YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise InstrumentFileError(f"{path.name}: the file must hold one mapping (key: value)")
    try:
        instrument = Instrument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field_path(first)
        message = first["msg"].removeprefix("Value error, ")
        where = f"{path.name}: {field}" if field else path.name
        raise InstrumentFileError(f"{where}: {message}") from exc
    if path.stem != instrument.id:
        raise InstrumentFileError(
            f"{path.name}: id: {instrument.id!r} must match the file name {path.stem!r}"
        )
    return instrument


def load_all(directories: Iterable[Path]) -> dict[str, Instrument]:
    """Every ``*.yaml`` in ``directories``; a later directory may not reuse an id."""
    found: dict[str, Instrument] = {}
    for directory in directories:
        for path in sorted(Path(directory).glob("*.yaml")):
            instrument = load_file(path)
            if instrument.id in found:
                raise InstrumentFileError(f"{path.name}: id: {instrument.id!r} is already loaded")
            found[instrument.id] = instrument
    return found
