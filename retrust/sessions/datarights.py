"""Sessions in a person's copy (the sessions they took part in: times, kind, place, status;
whether a calendar feed is on) and what goes when they leave.

When a partner leaves, their calendar feed and their place in each session go at the end of
the grace period; the sessions themselves are the case's record and stay for the other
partner and the clinician, except in a case the person leaves empty, where they are held for
the retention period with the case's other clinical records.
"""

from __future__ import annotations

from typing import Any

from retrust.core.datarights import Exporter, Leaving, Sections, rows_shredder, when
from retrust.sessions.models import Appointment, CalendarFeed


def export(user: Any) -> Sections:
    return {
        "sessions": [
            {
                "starts": when(a.start),
                "minutes": a.minutes,
                "kind": a.get_kind_display(),
                "where": a.get_location_display(),
                "status": a.get_status_display(),
            }
            for a in Appointment.objects.filter(participants=user).order_by("start", "id")
        ],
        "calendar_feed": CalendarFeed.objects.filter(user=user).exists(),
    }


def _goes(leaving: Leaving) -> dict[str, Any]:
    user_id = leaving.user.pk
    return {
        "calendar feed": CalendarFeed.objects.filter(user_id=user_id),
        "places in sessions": Appointment.participants.through.objects.filter(user_id=user_id),
    }


def _held(leaving: Leaving) -> dict[str, Any]:
    return {"sessions": Appointment.objects.filter(case_id__in=leaving.emptied_case_ids)}


EXPORTER = Exporter("appointments", export)
SHREDDER = rows_shredder("appointments", goes=_goes, held=_held)
