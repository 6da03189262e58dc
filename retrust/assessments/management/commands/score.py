"""``retrust score INSTRUMENT_ID V1,V2,...``: score printed values, print one JSON object."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retrust.assessments import registry
from retrust.assessments.scoring import AnswerError, answers_from_values, score


class Command(BaseCommand):
    help = "Score one response from the printed values of its items, in order."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("instrument_id", help="e.g. phq-9, gad-7, csi-4, csi-16, audit-c")
        parser.add_argument("values", help="printed values in item order, e.g. 0,1,2,3,0,1,2,3,0")

    def handle(self, *args: Any, **options: Any) -> None:
        instrument = registry.get(options["instrument_id"])
        if instrument is None:
            known = ", ".join(sorted(registry.instruments()))
            raise CommandError(f"Unknown instrument {options['instrument_id']!r}. Known: {known}.")
        try:
            values = [int(v) for v in options["values"].split(",") if v.strip() != ""]
        except ValueError as exc:
            raise CommandError(f"Values must be whole numbers separated by commas: {exc}") from exc
        try:
            answers = answers_from_values(instrument, values)
        except AnswerError as exc:
            raise CommandError(f"Item {exc.link_id}: {exc.message}") from exc
        scores = score(instrument, answers)
        if not scores:
            raise CommandError(f"{instrument.short_title} is not scored.")
        first = next(iter(scores.values()))
        result: dict[str, Any] = {
            "instrument": instrument.id,
            "version": instrument.version,
            "total": first.score,
        }
        if first.band is not None:
            result["band"] = first.band
        if first.beyond_cutoff is not None:
            result["beyond_cutoff"] = first.beyond_cutoff
        if not instrument.validated:
            result["validated"] = False
        result["scales"] = [s.as_dict() for s in scores.values()]
        self.stdout.write(json.dumps(result))
