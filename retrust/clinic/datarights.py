"""The clinician's own records when a partner leaves: nothing of them is in a partner's copy.

Session notes, track and status changes belong to the case, which usually goes on with the other
partner. Only when the leaving person was the case's last partner are they held with the
person's clinical record for the retention period, then removed.
"""

from __future__ import annotations

from typing import Any

from retrust.clinic.models import CaseStatusChange, SessionNote, TrackChange
from retrust.core.datarights import Exporter, Leaving, nothing_to_export, rows_shredder


def _held(leaving: Leaving) -> dict[str, Any]:
    cases = leaving.emptied_case_ids
    return {
        "session notes": SessionNote.objects.filter(case_id__in=cases),
        "track changes": TrackChange.objects.filter(case_id__in=cases),
        "status changes": CaseStatusChange.objects.filter(case_id__in=cases),
    }


EXPORTER = Exporter("clinic", nothing_to_export)
SHREDDER = rows_shredder("clinic", held=_held)
