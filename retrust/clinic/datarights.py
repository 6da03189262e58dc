"""The clinician's own records when a partner leaves: nothing of them is in a partner's copy.

Session notes, track and status changes belong to the case, which usually goes on with the other
partner. Only when the leaving person was the case's last partner are they held with the
person's clinical record for the retention period, then removed.
"""

from __future__ import annotations

from typing import Any

from retrust.clinic.models import CaseStatusChange, SessionNote, TrackChange
from retrust.core.datarights import Counts, Exporter, Leaving, Sections, Shredder


def export(user: Any) -> Sections:
    return {}


def _held(leaving: Leaving) -> dict[str, Any]:
    cases = leaving.emptied_case_ids
    return {
        "session notes": SessionNote.objects.filter(case_id__in=cases),
        "track changes": TrackChange.objects.filter(case_id__in=cases),
        "status changes": CaseStatusChange.objects.filter(case_id__in=cases),
    }


def held(leaving: Leaving) -> Counts:
    return {kind: rows.count() for kind, rows in _held(leaving).items()}


def shred_held(leaving: Leaving) -> Counts:
    done = held(leaving)
    for rows in _held(leaving).values():
        rows.delete()  # a note's addenda go with it
    return done


EXPORTER = Exporter("clinic", export)
SHREDDER = Shredder("clinic", held=held, shred_held=shred_held)
