"""iCalendar for appointments (the ``icalendar`` package): invitations, cancellations, feeds.

Every calendar entry carries the neutral title "Appointment — <practice>" and nothing else
about the session: no names, no kind of session, no clinical words. A change keeps the UID and
raises SEQUENCE, so calendars update the entry instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from retrust.sessions.models import Appointment, Status

PRODID = "-//retrust//sessions//EN"


def summary(appointment: Appointment) -> str:
    return f"Appointment — {appointment.case.practice.name}"


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def _event(appointment: Appointment, *, now: datetime, cancelled: bool) -> Event:
    event = Event()
    event.add("uid", appointment.uid)
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", summary(appointment))
    event.add("url", f"{settings.RETRUST_BASE_URL}/sessions/")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    _, address = parseaddr(settings.RETRUST_NOTIFY_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(appointment.case.practice.name)
    event.add("organizer", organizer)
    return event


def invitation(appointment: Appointment, attendee_email: str, now: datetime | None = None) -> bytes:
    """METHOD:REQUEST for a booked appointment, METHOD:CANCEL for a cancelled one."""
    now = now or timezone.now()
    cancelled = appointment.status == Status.CANCELLED
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    event = _event(appointment, now=now, cancelled=cancelled)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def download(appointment: Appointment, now: datetime | None = None) -> bytes:
    """One appointment to add to a calendar by hand (no method: a plain entry)."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(_event(appointment, now=now or timezone.now(), cancelled=False))
    return calendar.to_ical()


def feed(appointments: Iterable[Appointment], now: datetime | None = None) -> bytes:
    """A subscription feed: every appointment with the same neutral title."""
    now = now or timezone.now()
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", "Appointments")
    for appointment in appointments:
        calendar.add_component(
            _event(appointment, now=now, cancelled=appointment.status == Status.CANCELLED)
        )
    return calendar.to_ical()
