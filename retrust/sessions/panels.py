"""What the sessions app shows on other apps' pages, through the core registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from retrust.core import policy
from retrust.core.policy import CaseAccess
from retrust.core.registry import Panel
from retrust.sessions import actions
from retrust.sessions.models import Appointment, Status, settings_for


def partner_home(user: Any, cases: Mapping[int, CaseAccess]) -> dict[int, list[Panel]]:
    """The partner's next session in each case (their own sessions only). Two queries."""
    from retrust.sessions.queries import wall

    found: dict[int, list[Panel]] = {}
    upcoming = Appointment.objects.filter(
        case_id__in=list(cases),
        participants=user,
        status=Status.BOOKED,
        start__gt=timezone.now(),
    ).order_by("start")
    rows = list(upcoming)
    # Looked up whether or not anything is booked, so the page's queries stay the same.
    zone = actions.zone_for(user, cases[rows[0].case_id].case.practice_id if rows else 0)
    for appointment in rows:
        if appointment.case_id in found:
            continue
        found[appointment.case_id] = [
            Panel(
                "sessions/_home_panel.html",
                {
                    "case_id": appointment.case_id,
                    "start": wall(appointment.start, zone),
                    "zone": str(zone),
                },
                order=15,
            )
        ]
    return found


def case_page(access: Any) -> Panel | None:
    """The clinician's case page: the next booked session and a way to book one."""
    from retrust.sessions.queries import next_for_case, wall

    nxt = next_for_case(access)
    zone = settings_for(access.case.practice_id).zone
    return Panel(
        "sessions/_case_panel.html",
        {
            "next": nxt,
            "next_start": wall(nxt.start, zone) if nxt else None,
            "zone": str(zone),
            "case_id": access.case.pk,
            "can_book": access.can_act_as_clinician,
        },
        order=10,
    )


def today(user: Any, cases: dict[int, Any]) -> list[Panel]:
    """The clinician's sessions today (their practice's zone), opening their "Today". Two or
    three queries; nothing shown when nothing is booked."""
    from datetime import datetime, time, timedelta

    from retrust.sessions.queries import wall

    zone = actions.zone_for(user, policy.clinician_practice_for(user))
    day = timezone.now().astimezone(zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone)
    rows = list(
        Appointment.objects.filter(
            clinician=user,
            status__in=(Status.BOOKED, Status.ATTENDED, Status.MISSED),
            start__gte=start,
            start__lt=start + timedelta(days=1),
        )
        .select_related("case")
        .order_by("start")
    )
    if not rows:
        return []
    items = [{"appointment": a, "start": wall(a.start, zone)} for a in rows]
    context = {"items": items, "zone": str(zone)}
    return [Panel("sessions/_today_panel.html", context, order=5, lead=True)]
