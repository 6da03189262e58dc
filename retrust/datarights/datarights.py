"""This app's own records in a copy and a deletion: the person's earlier copies (dates only)
and their request to leave; earlier copies go when they leave (the ``Departure`` row stays: it
is the record of what was done, with counts only)."""

from __future__ import annotations

from typing import Any

from retrust.core.datarights import Counts, Exporter, Leaving, Sections, Shredder, when
from retrust.datarights.models import DataExport, Departure


def export(user: Any) -> Sections:
    departure = Departure.objects.filter(user=user, cancelled_at__isnull=True).first()
    return {
        "earlier_copies": [
            {"asked": when(e.created_at), "status": e.get_status_display()}
            for e in DataExport.objects.filter(user=user).defer("content").order_by("created_at")
        ],
        "deletion_asked": when(departure.requested_at) if departure else None,
        "deletion_on": when(departure.shred_after) if departure else None,
    }


def plan(leaving: Leaving) -> Counts:
    return {"copies of their data": DataExport.objects.filter(user=leaving.user).count()}


def shred(leaving: Leaving) -> Counts:
    return {
        "copies of their data": DataExport.objects.filter(user=leaving.user).delete()[0],
    }


EXPORTER = Exporter("datarights", export)
SHREDDER = Shredder("datarights", plan=plan, shred=shred)
