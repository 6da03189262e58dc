"""Reading recorded occurrences as ledger observations: one flat query, grouped in Python."""

from __future__ import annotations

from datetime import date
from typing import Any

from retrust.agreements import ledger

Row = tuple[int, int, date, str, str | None]


def occurrence_rows(occurrences: Any) -> list[Row]:
    """(commitment id, author id, due on, outcome, the other partner's verdict) per occurrence."""
    return list(
        occurrences.values_list(
            "commitment_id", "author_id", "due_on", "outcome", "confirmation__verdict"
        )
    )


def as_observation(row: Row) -> ledger.Observation:
    _, _, due_on, outcome, verdict = row
    source = {
        "confirmed": ledger.Source.CONFIRMED,
        "disputed": ledger.Source.DISPUTED,
    }.get(verdict or "", ledger.Source.SELF_REPORTED)
    return ledger.Observation(on=due_on, kept=outcome == "kept", source=source)


def observations_by_commitment(rows: list[Row]) -> dict[int, list[ledger.Observation]]:
    grouped: dict[int, list[ledger.Observation]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(as_observation(row))
    return grouped


def observations_by_author(rows: list[Row]) -> dict[int, list[ledger.Observation]]:
    grouped: dict[int, list[ledger.Observation]] = {}
    for row in rows:
        grouped.setdefault(row[1], []).append(as_observation(row))
    return grouped
