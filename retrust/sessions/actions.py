"""Every state change for sessions: validate, write, audit, send on commit — one transaction each.

Booking is safe against two requests at once: the clinician's row is locked for the length of
the booking (``select_for_update``, which PostgreSQL honours; SQLite runs writers one at a time
with ``BEGIN IMMEDIATE``), and a unique constraint on (clinician, start) for live appointments
catches anything that slips past. The loser is told the time was just taken (409).

Each participant hears through the notification outbox: an iCalendar invitation (REQUEST) on
booking and on every change (SEQUENCE raised), a CANCEL on cancellation.
"""

from __future__ import annotations

import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from retrust.assessments.actions import follow_next_session
from retrust.core import audit, pause, policy
from retrust.core.actions import require_case_clinician
from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import Case, CaseStatus, Practice, User
from retrust.safety.actions import record_individual_session
from retrust.sessions import notify, slots
from retrust.sessions.models import (
    HOLDING,
    Appointment,
    CalendarFeed,
    DayOff,
    Kind,
    Location,
    SessionSettings,
    Status,
    VideoLink,
    WeeklyHours,
    hash_feed_token,
    settings_for,
)

TAKEN = "That time was just taken. Please choose another free time."
# How far ahead free slots are offered.
HORIZON_DAYS = 28


# --- reading the calendar (used by pages, the API and other apps) ------------------------


def free_slots(
    clinician: User,
    practice: Practice,
    *,
    first_day: date | None = None,
    days: int = 14,
    minutes: int | None = None,
    now: datetime | None = None,
    ignore: int | None = None,
) -> list[datetime]:
    """The clinician's free starts (aware, UTC) from ``first_day`` for ``days`` days.

    Three queries whatever the size of the calendar. The front door books a consultation from
    these with ``book_consultation``.
    """
    now = now or timezone.now()
    rules = settings_for(practice)
    zone = rules.zone
    first_day = first_day or now.astimezone(zone).date()
    length = timedelta(minutes=minutes or rules.default_minutes)
    weekly = [
        slots.Hours(h.weekday, h.start, h.end)
        for h in WeeklyHours.objects.filter(clinician=clinician, practice=practice)
    ]
    exceptions: dict[date, list[tuple[time, time]]] = {}
    for off in DayOff.objects.filter(
        clinician=clinician,
        practice=practice,
        day__gte=first_day,
        day__lt=first_day + timedelta(days=days),
    ):
        hours = exceptions.setdefault(off.day, [])
        if off.start is not None and off.end is not None:
            hours.append((off.start, off.end))
    window_start = datetime.combine(first_day, time(0), tzinfo=zone) - timedelta(days=1)
    taken = Appointment.objects.filter(
        clinician=clinician,
        status__in=HOLDING,
        start__gte=window_start,
        start__lt=window_start + timedelta(days=days + 2),
    ).exclude(pk=ignore)
    busy = [
        slots.Busy(a.start, a.start + timedelta(minutes=a.minutes))
        for a in taken.only("start", "minutes")
    ]
    return list(
        slots.free_slots(
            weekly=weekly,
            exceptions=[slots.DayException(d, tuple(h)) for d, h in exceptions.items()],
            busy=busy,
            zone=zone,
            first_day=first_day,
            days=days,
            length=length,
            not_before=now,
        )
    )


def practice_free_slots(
    practice: Practice,
    *,
    first_day: date,
    days: int = 14,
    now: datetime | None = None,
    rules: SessionSettings | None = None,
) -> list[datetime]:
    """Starts (aware, UTC) at which at least one of the practice's clinicians is free for a
    session of the practice's usual length: what a visitor may pick from. No names, and no
    more than free starts. Four queries (three given ``rules``) whatever the number of
    clinicians or bookings."""
    from retrust.core.models import ClinicianMembership, PracticeRole

    now = now or timezone.now()
    rules = rules or settings_for(practice)
    zone = rules.zone
    length = timedelta(minutes=rules.default_minutes)
    current = ClinicianMembership.objects.filter(
        practice=practice, role=PracticeRole.CLINICIAN
    ).values_list("user_id")
    weekly: dict[int, list[slots.Hours]] = {}
    for h in WeeklyHours.objects.filter(practice=practice, clinician_id__in=current):
        weekly.setdefault(h.clinician_id, []).append(slots.Hours(h.weekday, h.start, h.end))
    if not weekly:
        return []
    exceptions: dict[int, dict[date, list[tuple[time, time]]]] = {}
    for off in DayOff.objects.filter(
        practice=practice,
        clinician_id__in=list(weekly),
        day__gte=first_day,
        day__lt=first_day + timedelta(days=days),
    ):
        hours = exceptions.setdefault(off.clinician_id, {}).setdefault(off.day, [])
        if off.start is not None and off.end is not None:
            hours.append((off.start, off.end))
    window_start = datetime.combine(first_day, time(0), tzinfo=zone) - timedelta(days=1)
    busy: dict[int, list[slots.Busy]] = {}
    for a in Appointment.objects.filter(
        clinician_id__in=list(weekly),
        status__in=HOLDING,
        start__gte=window_start,
        start__lt=window_start + timedelta(days=days + 2),
    ).only("clinician_id", "start", "minutes"):
        busy.setdefault(a.clinician_id, []).append(
            slots.Busy(a.start, a.start + timedelta(minutes=a.minutes))
        )
    found: set[datetime] = set()
    for clinician_id, hours in weekly.items():
        found.update(
            slots.free_slots(
                weekly=hours,
                exceptions=[
                    slots.DayException(d, tuple(h))
                    for d, h in exceptions.get(clinician_id, {}).items()
                ],
                busy=busy.get(clinician_id, []),
                zone=zone,
                first_day=first_day,
                days=days,
                length=length,
                not_before=now,
            )
        )
    return sorted(found)


def join_consultations(case: Case, user: User, invitation: Any) -> None:
    """Someone invited to a case joins: they take part in its upcoming first consultation
    (booked when the clinician accepted their request, before anyone had joined) and get its
    calendar invitation. Called inside the join's transaction."""
    upcoming = Appointment.objects.filter(
        case=case, kind=Kind.CONSULTATION, status__in=HOLDING, start__gt=timezone.now()
    ).select_related("case")
    for appointment in upcoming:
        appointment.participants.add(user)
        # Everyone already invited at this SEQUENCE has their row: only the newcomer is written.
        notify.invite(appointment)


def zone_for(user: Any, practice: Practice | int) -> zoneinfo.ZoneInfo:
    """The zone a person reads times in: their own (notification settings), else the practice's."""
    from retrust.notifications.models import Preference

    found = Preference.objects.filter(user_id=getattr(user, "pk", None)).first()
    if found is not None and found.time_zone:
        return found.zone
    return settings_for(practice).zone


# --- booking -------------------------------------------------------------------------------


def _require_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed; reopen it before booking sessions.")


def _participants(case: Case, kind: str, partner: Any) -> list[User]:
    members = list(case.members.select_related("user"))
    if kind == Kind.INDIVIDUAL:
        chosen = [
            m.user
            for m in members
            if partner is not None and m.user_id == int(getattr(partner, "pk", partner))
        ]
        if not chosen:
            raise ActionError("Choose which partner this session is with.", "partner")
        return chosen
    if kind == Kind.CONJOINT and not members:
        raise ActionError("No partner has joined this case yet.", "kind")
    return [m.user for m in members]


def _lock_clinician(clinician: User) -> None:
    # Every booking for this clinician queues behind this lock (PostgreSQL); SQLite's IMMEDIATE
    # transactions already run one at a time.
    list(User.objects.select_for_update().filter(pk=clinician.pk).values_list("pk", flat=True))


def _ensure_free(
    clinician: User, practice: Practice, start: datetime, minutes: int, *, ignore: int | None = None
) -> None:
    others = Appointment.objects.filter(
        clinician=clinician,
        status__in=HOLDING,
        start__lt=start + timedelta(minutes=minutes),
        start__gte=start - timedelta(hours=24),
    )
    if ignore is not None:
        others = others.exclude(pk=ignore)
    busy = [slots.Busy(a.start, a.end) for a in others]
    if slots.overlaps(start, timedelta(minutes=minutes), busy):
        raise ActionConflict(TAKEN, "start")
    # Booking is from free slots: the start must be one the clinician's hours offer.
    local_day = start.astimezone(settings_for(practice).zone).date()
    offered = free_slots(
        clinician,
        practice,
        first_day=local_day - timedelta(days=1),
        days=3,
        minutes=minutes,
        ignore=ignore,
    )
    if start not in offered:
        raise ActionError("Choose one of the free times listed.", "start")


@transaction.atomic
def book(
    actor: User,
    case: Case,
    *,
    start: datetime,
    kind: str,
    location: str = Location.VIDEO,
    partner: Any = None,
    minutes: int | None = None,
    key: str | None = None,
) -> Appointment:
    """The clinician books a session in one of their free slots. Submitting twice books once."""
    require_case_clinician(actor, case, "Only the case's clinicians can book its sessions.")
    _require_open(case)
    if key:
        existing = Appointment.objects.filter(booking_key=key).first()
        if existing is not None:
            return existing
    if kind not in Kind.values:
        raise ActionError("Choose what kind of session this is.", "kind")
    if location not in Location.values:
        raise ActionError("Choose where the session happens.", "location")
    if kind == Kind.CONJOINT:
        # Seeing both partners together waits while couple-shared work is paused.
        pause.require_couple_work_allowed(case, actor)
    if start is None or timezone.is_naive(start):
        raise ActionError("Choose one of the free times listed.", "start")
    if start <= timezone.now():
        raise ActionError("Choose a time that has not passed yet.", "start")
    rules = settings_for(case.practice)
    minutes = minutes or rules.default_minutes
    if not 10 <= minutes <= 240:
        raise ActionError("A session lasts between 10 minutes and 4 hours.", "minutes")
    people = _participants(case, kind, partner)
    _lock_clinician(actor)
    _ensure_free(actor, case.practice, start, minutes)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                case=case,
                clinician=actor,
                kind=kind,
                start=start,
                minutes=minutes,
                location=location,
                status=Status.BOOKED,
                booking_key=key or None,
                created_by=actor,
            )
    except IntegrityError:
        if key and (existing := Appointment.objects.filter(booking_key=key).first()):
            return existing
        raise ActionConflict(TAKEN, "start") from None
    appointment.participants.set(people)
    audit.record(
        actor,
        "retrust.appointment.booked",
        target=appointment,
        case=case,
        details={
            "kind": kind,
            "start": start.isoformat(),
            "minutes": minutes,
            "location": location,
            "participants": [p.pk for p in people],
        },
    )
    notify.invite(appointment)
    _follow_next_session(case)
    return appointment


def book_consultation(
    actor: User,
    case: Case,
    *,
    start: datetime,
    location: str = Location.VIDEO,
    key: str | None = None,
) -> Appointment:
    """A first consultation in one of the clinician's free slots (for the front door)."""
    return book(actor, case, start=start, kind=Kind.CONSULTATION, location=location, key=key)


def _follow_next_session(case: Case) -> None:
    """ "Before the next session" measures follow the next booked appointment."""
    follow_next_session(case, next_session_on(case))


def next_session_on(case: Case | int) -> date | None:
    """The day (in the practice's zone) of the case's next booked session, if any."""
    case_id = case if isinstance(case, int) else case.pk
    found = (
        Appointment.objects.filter(case_id=case_id, status=Status.BOOKED, start__gt=timezone.now())
        .select_related("case")
        .order_by("start")
        .first()
    )
    if found is None:
        return None
    return found.start.astimezone(settings_for(found.case.practice_id).zone).date()


def _live(appointment: Appointment) -> Appointment:
    locked = (
        Appointment.objects.select_for_update()
        .select_related("case__practice")
        .get(pk=appointment.pk)
    )
    if locked.status not in HOLDING:
        raise ActionConflict("This session is no longer booked.")
    return locked


@transaction.atomic
def reschedule(actor: User, appointment: Appointment, *, start: datetime) -> Appointment:
    """The clinician moves a booked session to another free time; calendars update in place."""
    require_case_clinician(actor, appointment.case, "Only the case's clinicians can move it.")
    _require_open(appointment.case)
    if start is None or timezone.is_naive(start) or start <= timezone.now():
        raise ActionError("Choose a time that has not passed yet.", "start")
    _lock_clinician(actor)
    appointment = _live(appointment)
    if start == appointment.start:
        return appointment
    _ensure_free(
        actor, appointment.case.practice, start, appointment.minutes, ignore=appointment.pk
    )
    before = appointment.start
    appointment.start = start
    appointment.sequence += 1
    appointment.change_requested_at = None
    appointment.change_requested_by = None
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        raise ActionConflict(TAKEN, "start") from None
    audit.record(
        actor,
        "retrust.appointment.rescheduled",
        target=appointment,
        case=appointment.case,
        details={"before": before.isoformat(), "after": start.isoformat()},
    )
    notify.invite(appointment)
    _follow_next_session(appointment.case)
    return appointment


def may_cancel_as_partner(appointment: Appointment, now: datetime | None = None) -> bool:
    """A partner may cancel a booked session themself until the practice's notice period."""
    now = now or timezone.now()
    notice = settings_for(appointment.case.practice_id).notice
    return appointment.status in HOLDING and appointment.start - notice > now


@transaction.atomic
def cancel(actor: User, appointment: Appointment) -> Appointment:
    """Cancel a session: its clinician at any time before it ends; a participant until the
    notice period begins. Cancelling again changes nothing."""
    current = (
        Appointment.objects.select_for_update()
        .select_related("case__practice")
        .get(pk=appointment.pk)
    )
    is_clinician = policy.is_case_clinician(actor, current.case)
    is_participant = current.participants.filter(pk=actor.pk).exists()
    if not (is_clinician or is_participant):
        raise ActionError("Only the people in this session can cancel it.")
    if current.status == Status.CANCELLED:
        return current
    if current.status not in HOLDING:
        raise ActionConflict("This session has already taken place.")
    if not is_clinician and not may_cancel_as_partner(current):
        rules = settings_for(current.case.practice_id)
        raise ActionError(
            f"It is less than {rules.notice_hours} hours before the session, so please ask your "
            "clinician for a change instead."
        )
    current.status = Status.CANCELLED
    current.sequence += 1
    current.save(update_fields=["status", "sequence", "updated_at"])
    audit.record(
        actor,
        "retrust.appointment.cancelled",
        target=current,
        case=current.case,
        details={"by": "clinician" if is_clinician else "partner"},
    )
    notify.invite(current)
    _follow_next_session(current.case)
    return current


@transaction.atomic
def request_change(actor: User, appointment: Appointment) -> Appointment:
    """A participant asks their clinician for another time. Asking twice is one request."""
    current = _live(appointment)
    if not current.participants.filter(pk=actor.pk).exists():
        raise ActionError("Only the people in this session can ask to change it.")
    if current.change_requested_at is not None:
        return current
    current.change_requested_at = timezone.now()
    current.change_requested_by = actor
    current.save(update_fields=["change_requested_at", "change_requested_by", "updated_at"])
    audit.record(actor, "retrust.appointment.change_requested", target=current, case=current.case)
    return current


@transaction.atomic
def record_outcome(actor: User, appointment: Appointment, *, attended: bool) -> Appointment:
    """After the start, the clinician records whether the session happened.

    An attended individual session counts as the individual session that lifting a safety
    pause asks for.
    """
    current = (
        Appointment.objects.select_for_update()
        .select_related("case__practice")
        .get(pk=appointment.pk)
    )
    require_case_clinician(actor, current.case, "Only the case's clinicians can record this.")
    wanted = Status.ATTENDED if attended else Status.MISSED
    if current.status == wanted:
        return current
    if current.status not in (Status.BOOKED, Status.ATTENDED, Status.MISSED):
        raise ActionConflict("Only a booked session can be marked as attended or missed.")
    if current.start > timezone.now():
        raise ActionError("You can record this once the session has started.")
    before = current.status
    current.status = wanted
    current.save(update_fields=["status", "updated_at"])
    audit.record(
        actor,
        "retrust.appointment.attended" if attended else "retrust.appointment.missed",
        target=current,
        case=current.case,
        details={"before": before},
    )
    if attended and current.kind == Kind.INDIVIDUAL:
        for person in current.participants.all():
            record_individual_session(
                actor, current.case, person, timezone.localdate(current.start)
            )
    _follow_next_session(current.case)
    return current


# --- availability --------------------------------------------------------------------------


def _clinician_in(actor: User, practice: Practice) -> None:
    if not policy.is_clinician(actor) or policy.clinician_practice_for(actor).pk != practice.pk:
        raise ActionError("Only the practice's clinicians keep session hours.")


@transaction.atomic
def set_weekly_hours(
    actor: User, practice: Practice, hours: Iterable[tuple[int, time, time]]
) -> list[WeeklyHours]:
    """Replace the clinician's weekly hours. Bad rows refuse the whole change."""
    _clinician_in(actor, practice)
    rows = sorted(set(hours))
    for weekday, start, end in rows:
        if not 0 <= weekday <= 6:
            raise ActionError("Choose a day of the week.", "hours")
        if end <= start:
            raise ActionError("Each block of hours must end after it starts.", "hours")
    for (d1, _, e1), (d2, s2, _) in zip(rows, rows[1:], strict=False):
        if d1 == d2 and s2 < e1:
            raise ActionError("Two blocks of hours on the same day overlap.", "hours")
    WeeklyHours.objects.filter(clinician=actor, practice=practice).delete()
    made = WeeklyHours.objects.bulk_create(
        WeeklyHours(clinician=actor, practice=practice, weekday=d, start=s, end=e)
        for d, s, e in rows
    )
    audit.record(
        actor,
        "retrust.availability.hours_set",
        practice=practice,
        details={"blocks": len(made)},
    )
    return made


@transaction.atomic
def add_day_off(
    actor: User,
    practice: Practice,
    *,
    day: date,
    start: time | None = None,
    end: time | None = None,
) -> DayOff:
    """A day that differs from the usual hours: closed, or open only between two times."""
    _clinician_in(actor, practice)
    if day is None:
        raise ActionError("Choose the day.", "day")
    if (start is None) != (end is None):
        raise ActionError("Give both times, or neither to close the whole day.", "end")
    if start is not None and end is not None and end <= start:
        raise ActionError("The end must be after the start.", "end")
    found, created = DayOff.objects.get_or_create(
        clinician=actor, practice=practice, day=day, start=start, end=end
    )
    if created:
        audit.record(
            actor,
            "retrust.availability.exception_added",
            practice=practice,
            details={"day": day.isoformat(), "closed": start is None},
        )
    return found


@transaction.atomic
def remove_day_off(actor: User, day_off: DayOff) -> None:
    if day_off.clinician_id != actor.pk:
        raise ActionError("Only your own days can be changed here.")
    audit.record(
        actor,
        "retrust.availability.exception_removed",
        practice=day_off.practice,
        details={"day": day_off.day.isoformat()},
    )
    day_off.delete()


@transaction.atomic
def set_video_link(actor: User, url: str) -> VideoLink | None:
    """A clinician's own fixed video link, for a practice without Jitsi. Empty removes it."""
    if not policy.is_clinician(actor):
        raise ActionError("Only clinicians have a video link.")
    url = (url or "").strip()
    if not url:
        VideoLink.objects.filter(clinician=actor).delete()
        audit.record(actor, "retrust.availability.video_link_removed")
        return None
    if not url.startswith("https://"):
        raise ActionError("Give a link that starts with https://", "video_link")
    found, _ = VideoLink.objects.update_or_create(clinician=actor, defaults={"url": url})
    audit.record(actor, "retrust.availability.video_link_set")
    return found


@transaction.atomic
def update_session_settings(
    actor: User, practice: Practice, *, time_zone: str, notice_hours: int, default_minutes: int
) -> SessionSettings:
    if policy.administered_practice_for(actor).pk != practice.pk:
        raise ActionError("Only the practice admin can change this.")
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ActionError("Choose a time zone from the list.", "time_zone") from None
    if not 0 <= notice_hours <= 168:
        raise ActionError("Give between 0 and 168 hours.", "notice_hours")
    if not 10 <= default_minutes <= 240:
        raise ActionError("Give between 10 and 240 minutes.", "default_minutes")
    found, _ = SessionSettings.objects.select_for_update().get_or_create(practice=practice)
    before = {"time_zone": found.time_zone, "notice_hours": found.notice_hours}
    found.time_zone, found.notice_hours, found.default_minutes = (
        time_zone,
        notice_hours,
        default_minutes,
    )
    found.save()
    audit.record(
        actor,
        "retrust.practice.session_settings.changed",
        practice=practice,
        details={"before": before, "after": {"time_zone": time_zone, "notice_hours": notice_hours}},
    )
    return found


# --- calendar feeds ------------------------------------------------------------------------


@transaction.atomic
def make_feed(actor: User) -> str:
    """A new secret feed address for this person (the old one stops working). The token is
    returned once and only its hash is kept."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.filter(user=actor).delete()
    CalendarFeed.objects.create(user=actor, token_hash=hash_feed_token(token))
    audit.record(actor, "retrust.user.calendar_feed.created")
    return token


@transaction.atomic
def revoke_feed(actor: User) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=actor).delete()
    if deleted:
        audit.record(actor, "retrust.user.calendar_feed.revoked")
    return bool(deleted)


# --- joining -------------------------------------------------------------------------------


def join_url(actor: User, appointment: Appointment, now: datetime | None = None) -> str:
    """Where the join step sends this person: the Jitsi room with a fresh token, or the
    clinician's own link. Refused outside the room's window (the caller checked who it is)."""
    from retrust.sessions import video

    now = now or timezone.now()
    if appointment.location != Location.VIDEO:
        raise ActionError("This session is not a video session.")
    if appointment.status != Status.BOOKED:
        raise ActionConflict("This session is no longer booked.")
    if not video.window(appointment).is_open(now):
        raise ActionConflict("The room is not open now. It opens shortly before the start.")
    if video.jitsi_configured():
        token = video.mint(
            appointment, actor, moderator=actor.pk == appointment.clinician_id, now=now
        )
        audit.record(actor, "retrust.appointment.joined", target=appointment, case=appointment.case)
        return video.room_url(appointment, token)
    link = video.fixed_link(appointment)
    if not link:
        raise ActionError("Video is not set up yet. Your clinician will be in touch.")
    audit.record(actor, "retrust.appointment.joined", target=appointment, case=appointment.case)
    return link
