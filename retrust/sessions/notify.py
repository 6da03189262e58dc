"""Telling participants about their sessions through the notification outbox.

An invitation row is written in the booking's transaction, one per participant (and the
clinician), keyed by the appointment and its SEQUENCE, so a double submit writes nothing new
and every change is announced once. The .ics file is built when the email is sent, from the
row's ids, and never stored. Reminders (a day and an hour before) come from a tick source.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from retrust.notifications import kinds
from retrust.notifications.sources import CHUNK, Due, source
from retrust.sessions.models import Appointment, Status

SUBJECT = "appointments.appointment"


def _invitation_file(row: Any) -> tuple[str, str, bytes] | None:
    from retrust.sessions import ics

    appointment = (
        Appointment.objects.select_related("case__practice").filter(pk=row.subject_id).first()
    )
    if appointment is None or row.occasion != f"v{appointment.sequence}":
        # Gone, or changed again before this was sent: the newer invitation says it all.
        return None
    method = "CANCEL" if appointment.status == Status.CANCELLED else "REQUEST"
    content = ics.invitation(appointment, row.recipient.email)
    return ("appointment.ics", f"text/calendar; method={method}", content)


INVITATION = kinds.register(
    kinds.Kind(
        "session_invitation",
        "Calendar invitations for your sessions, and their changes",
        "partner",
        attachment=_invitation_file,
    )
)
INVITATION_STAFF = kinds.register(
    kinds.Kind(
        "session_invitation_staff",
        "Calendar invitations for sessions you lead",
        "clinician",
        attachment=_invitation_file,
    )
)
REMINDER = kinds.register(
    kinds.Kind("session_reminder", "A reminder a day and an hour before a session", "partner")
)

# When reminders go out, before the start, and the occasion each is written under.
REMINDERS = ((timedelta(hours=24), "24h"), (timedelta(hours=1), "1h"))
# A reminder found later than this after its moment (e.g. the tick was down) is not sent.
REMINDER_SLACK = timedelta(minutes=30)


def invite(appointment: Appointment) -> None:
    """Write each participant's invitation (or cancellation) for the appointment as it is now;
    sending is queued once the transaction commits."""
    from retrust.notifications.tick import queue_due, write_outbox

    now = timezone.now()
    practice_id = appointment.case.practice_id
    occasion = f"v{appointment.sequence}"
    subject = f"{SUBJECT}:{appointment.pk}"
    due = [
        Due(person_id, INVITATION.key, subject, occasion, practice_id)
        for person_id in appointment.participants.values_list("pk", flat=True)
    ]
    due.append(Due(appointment.clinician_id, INVITATION_STAFF.key, subject, occasion, practice_id))
    write_outbox(due, now)
    transaction.on_commit(lambda: queue_due(timezone.now()))


@source
def session_reminders(now: datetime) -> Iterator[Due]:
    """A day and an hour before a booked session, each partner taking part hears once."""
    for before, occasion in REMINDERS:
        rows = Appointment.participants.through.objects.filter(
            appointment__status=Status.BOOKED,
            appointment__start__gt=now + before - REMINDER_SLACK,
            appointment__start__lte=now + before,
        ).values_list("user_id", "appointment_id", "appointment__case__practice_id")
        for user_id, appointment_id, practice_id in rows.iterator(chunk_size=CHUNK):
            yield Due(user_id, REMINDER.key, f"{SUBJECT}:{appointment_id}", occasion, practice_id)
