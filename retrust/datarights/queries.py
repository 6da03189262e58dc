"""Reads for the data-rights pages: a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from retrust.core import policy
from retrust.core.models import Case, PracticeRole
from retrust.core.registry import Panel
from retrust.datarights.models import OPEN_EXPORT, DataExport, Departure


@dataclass(frozen=True)
class LeavingRow:
    """One partner's deletion as their clinician reads it."""

    departure: Departure
    cases: list[Case]


def own_export(user: Any) -> DataExport | None:
    """The person's copy on its way or waiting, else their latest one (for its story)."""
    return (
        DataExport.objects.filter(OPEN_EXPORT, user=user).first()
        or DataExport.objects.filter(user=user).defer("content").first()
    )


def own_departure(user: Any) -> Departure | None:
    return Departure.objects.filter(user=user, cancelled_at__isnull=True).first()


def _for_clinician(user: Any, **filters: Any) -> list[LeavingRow]:
    """Deletions touching this clinician's cases: one query, and one more for the cases when
    there are any (the menu's badge asks on every page; there rarely are)."""
    rows = list(
        Departure.objects.filter(cancelled_at__isnull=True, **filters)
        .select_related("user")
        .order_by("shred_after", "pk")
    )
    named = {pk for departure in rows for pk in departure.case_ids}
    if not named:
        return []
    caseload = {case.pk: case for case in policy.caseload_for(user).filter(pk__in=named)}
    found = []
    for departure in rows:
        cases = [caseload[pk] for pk in departure.case_ids if pk in caseload]
        if cases:
            found.append(LeavingRow(departure, cases))
    return found


def waiting_for_clinician(user: Any) -> list[LeavingRow]:
    return _for_clinician(user, shredded_at__isnull=True)


def carried_out_for_clinician(user: Any) -> list[LeavingRow]:
    return _for_clinician(user, shredded_at__isnull=False, held_shredded_at__isnull=True)


def leaving_count(user: Any) -> int:
    """The number beside "Leaving" in a clinician's menu."""
    if PracticeRole.CLINICIAN not in policy.roles(user):
        return 0
    return len(waiting_for_clinician(user))


def home_panel(user: Any, cases: Any) -> dict[int, list[Panel]]:
    """On the person's own home, above their first case: the date their account goes, and the
    way back. Nobody else's page shows it. One query."""
    if not cases:
        return {}
    departure = own_departure(user)
    if departure is None or not departure.waiting:
        return {}
    first = min(cases)
    context = {"departure": departure, "case_id": first}
    return {first: [Panel("datarights/_leaving_panel.html", context, order=0, lead=True)]}
