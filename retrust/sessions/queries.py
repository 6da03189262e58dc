"""Reads shared by the pages and the API: each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from retrust.core import policy
from retrust.core.models import User
from retrust.core.policy import CaseAccess
from retrust.sessions import actions, video
from retrust.sessions.models import HOLDING, Appointment, Status, settings_for


def wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """The wall-clock time in ``zone``, without a zone attached: templates print it as it is
    (Django's date filter would otherwise turn an aware time back into the server's zone)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def _with_people(queryset: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return queryset.select_related("case__practice", "clinician").prefetch_related(
        Prefetch("participants", queryset=User.objects.order_by("pk"))
    )


@dataclass(frozen=True)
class Seen:
    """One appointment as one person sees it, in their own time zone."""

    appointment: Appointment
    start: datetime
    end: datetime
    zone: str
    can_join: bool
    joins_at: datetime
    can_cancel: bool
    can_ask: bool
    # The clinician may record whether it happened (after the start).
    can_record: bool = False
    # This person asked for another time (the other partner is not told who asked).
    asked_by_me: bool = False

    @property
    def upcoming(self) -> bool:
        return self.appointment.is_upcoming


def seen_by(
    appointment: Appointment,
    user: Any,
    zone: ZoneInfo,
    now: datetime,
    *,
    as_clinician: bool,
    notice: timedelta,
) -> Seen:
    """No queries (participants prefetched): pages stay constant-query."""
    is_participant = any(p.pk == user.pk for p in appointment.participants.all())
    live = appointment.status in HOLDING and appointment.end > now
    return Seen(
        appointment=appointment,
        start=wall(appointment.start, zone),
        end=wall(appointment.end, zone),
        zone=str(zone),
        can_join=video.can_join(appointment, now),
        joins_at=wall(video.window(appointment).opens, zone),
        can_cancel=live and (as_clinician or appointment.start - notice > now),
        can_ask=live and is_participant and appointment.change_requested_at is None,
        asked_by_me=appointment.change_requested_by_id == user.pk,
        can_record=as_clinician
        and appointment.status in (Status.BOOKED, Status.ATTENDED, Status.MISSED)
        and appointment.start <= now,
    )


def for_partner(user: Any) -> QuerySet[Appointment]:
    """The sessions a partner takes part in (never the other partner's individual ones)."""
    return _with_people(
        Appointment.objects.filter(participants=user, case__members__user=user).distinct()
    )


def for_clinician(user: Any) -> QuerySet[Appointment]:
    """The sessions a clinician leads (their calendar feed)."""
    return _with_people(Appointment.objects.filter(clinician=user))


def for_case(access: CaseAccess) -> QuerySet[Appointment]:
    """A case's appointments as this person may see them: all for its clinician, a partner's
    own for a partner."""
    found = Appointment.objects.filter(case=access.case)
    if not access.is_clinician:
        found = found.filter(participants=access.user)
    return _with_people(found).order_by("start", "id")


def appointment_for(user: Any, pk: Any) -> tuple[CaseAccess, Appointment]:
    """One appointment for a participant or the case's clinician, or 404 for anyone else."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such session.") from None
    case_id = Appointment.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404("No such session.")
    access = policy.case_access(user, case_id)
    found = for_case(access).filter(pk=pk).first()
    if found is None:
        raise Http404("No such session.")
    return access, found


def partner_page(user: Any, now: datetime | None = None) -> dict[str, Any]:
    """ "My sessions": upcoming first, then the last few past ones. Four queries."""
    now = now or timezone.now()
    appointments = list(for_partner(user).order_by("start", "id"))
    rules: dict[int, tuple[ZoneInfo, timedelta]] = {}
    upcoming, past = [], []
    for appointment in appointments:
        practice_id = appointment.case.practice_id
        if practice_id not in rules:
            rules[practice_id] = (
                actions.zone_for(user, practice_id),
                settings_for(practice_id).notice,
            )
        zone, notice = rules[practice_id]
        item = seen_by(appointment, user, zone, now, as_clinician=False, notice=notice)
        (upcoming if item.upcoming else past).append(item)
    return {"upcoming": upcoming, "past": list(reversed(past))[:20]}


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def clinician_week(clinician: User, first_day: date, now: datetime | None = None) -> dict[str, Any]:
    """The clinician's appointments for the week from ``first_day`` (Monday), by day."""
    now = now or timezone.now()
    practice = policy.clinician_practice_for(clinician)
    zone = actions.zone_for(clinician, practice)
    start = datetime.combine(first_day, time(0), tzinfo=zone)
    found = list(
        _with_people(
            Appointment.objects.filter(
                clinician=clinician, start__gte=start, start__lt=start + timedelta(days=7)
            ).exclude(status=Status.CANCELLED)
        ).order_by("start")
    )
    days: list[dict[str, Any]] = [
        {"day": first_day + timedelta(days=n), "items": []} for n in range(7)
    ]
    for appointment in found:
        local = wall(appointment.start, zone)
        days[(local.date() - first_day).days]["items"].append(
            seen_by(appointment, clinician, zone, now, as_clinician=True, notice=timedelta(0))
        )
    return {"days": days, "zone": str(zone), "practice": practice}


def next_for_case(access: CaseAccess) -> Appointment | None:
    """The case's next booked session (one query: no participants fetched)."""
    found = Appointment.objects.filter(case=access.case)
    if not access.is_clinician:
        found = found.filter(participants=access.user)
    return (
        found.filter(status=Status.BOOKED, start__gt=timezone.now()).order_by("start", "id").first()
    )


def attended(access: CaseAccess) -> QuerySet[Appointment]:
    """The case's sessions recorded as attended, as this person may see them (progress reports
    and the FHIR export's Encounters)."""
    return for_case(access).filter(status=Status.ATTENDED)
