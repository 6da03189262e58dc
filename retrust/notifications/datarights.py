"""Notifications in an export (the person's own choices and what was sent to them: kinds and
times only, as the outbox holds nothing else) and their removal when the person leaves."""

from __future__ import annotations

from typing import Any

from retrust.core.datarights import Exporter, Leaving, Sections, rows_shredder, when
from retrust.notifications import kinds
from retrust.notifications.models import Notification, Preference, SwitchedOff


def export(user: Any) -> Sections:
    preference = Preference.objects.filter(user=user).first() or Preference(user=user)
    return {
        "your_choices": {
            "channel": preference.get_channel_display(),
            "delivery": preference.get_delivery_display(),
            "daily_at": preference.digest_at.isoformat(),
            "quiet_from": when(preference.quiet_start),
            "quiet_until": when(preference.quiet_end),
            "time_zone": preference.time_zone,
            "not_by_email": sorted(
                SwitchedOff.objects.filter(user=user).values_list("kind", flat=True)
            ),
        },
        "notifications": [
            {
                "about": kind.label if (kind := kinds.get(n.kind)) else n.kind,
                "status": n.get_status_display(),
                "written": when(n.created_at),
                "sent": when(n.sent_at),
            }
            for n in Notification.objects.filter(recipient=user).order_by("created_at", "id")
        ],
    }


def _rows(leaving: Leaving) -> dict[str, Any]:
    user_id = leaving.user.pk
    return {
        "notifications": Notification.objects.filter(recipient_id=user_id),
        "notification choices": Preference.objects.filter(user_id=user_id),
        "kinds switched off": SwitchedOff.objects.filter(user_id=user_id),
    }


EXPORTER = Exporter("notifications", export)
SHREDDER = rows_shredder("notifications", goes=_rows)
