"""Booking, changing and cancelling sessions; invitations through the outbox to a real SMTP
server, parsed back; the safety pause and "before the next session" measures follow."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time
from icalendar import Calendar

from retrust.assessments.actions import schedule_measure
from retrust.assessments.models import MeasureSchedule
from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import AuditEvent
from retrust.notifications import delivery
from retrust.notifications.models import Notification, Preference
from retrust.notifications.tick import run_tick
from retrust.safety import actions as safety
from retrust.sessions import actions
from retrust.sessions.models import Appointment, Kind, Status
from tests.conftest import pause_case
from tests.sessions.conftest import LONDON, london

pytestmark = pytest.mark.usefixtures("hours")

# A Tuesday in October 2026, before London's clocks go back (25 October).
NOW = london(2026, 10, 20, 8, 0)


def send_outbox() -> None:
    # Sent in this process (the frozen clock would keep the real worker waiting for ever).
    delivery.deliver(list(Notification.objects.values_list("pk", flat=True)))


def first_free(clinician, practice, day: date) -> datetime:
    return actions.free_slots(clinician, practice, first_day=day, days=1)[0]


def calendar_of(message) -> Calendar:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def readable_words(message) -> str:
    """What a person (or anyone reading over their shoulder) can read in a mail: every header
    and every part, decoded, without the links. The links carry signed tokens, random letters
    in which 'Bo' turns up by chance (it did, once in CI)."""
    headers = [f"{name}: {value}" for name, value in message.items()]
    parts = [
        part.get_payload(decode=True).decode() for part in message.walk() if not part.is_multipart()
    ]
    return re.sub(r"https?://\S+", "", "\n".join(headers + parts))


@freeze_time(NOW)
def test_a_conjoint_booking_sends_each_person_an_invitation_that_parses(
    smtp_server, clinician, partner_a, partner_b, case, practice
):
    start = first_free(clinician, practice, date(2026, 10, 26))
    appointment = actions.book(clinician, case, start=start, kind=Kind.CONJOINT, key="k1")
    send_outbox()
    messages = smtp_server.wait_for(3)
    assert sorted(smtp_server.recipients()) == sorted(
        [partner_a.email, partner_b.email, clinician.email]
    )
    for message in messages:
        calendar = calendar_of(message)
        assert str(calendar["method"]) == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert str(event["uid"]) == appointment.uid
        assert int(event["sequence"]) == 0
        assert str(event["summary"]) == "Appointment — Quiet Harbour Therapy"
        assert event.decoded("dtstart") == start
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=50)
        # No names, no kind of session, no clinical words anywhere in the mail.
        readable = readable_words(message)
        for word in ("Ari", "Bo", "conjoint", "together", "therapy session", "couple"):
            assert not re.search(rf"\b{word}\b", readable), word
    # The start is Monday 26 October 09:00 in London (GMT by then) = 09:00 UTC.
    assert start.astimezone(LONDON).hour == 9 and start.utcoffset() == timedelta(0)


@freeze_time(NOW)
def test_booking_twice_with_the_same_form_books_once_and_another_time_overlapping_is_refused(
    clinician, partner_a, partner_b, case, practice
):
    start = first_free(clinician, practice, date(2026, 10, 21))
    first = actions.book(clinician, case, start=start, kind=Kind.CONJOINT, key="same")
    again = actions.book(clinician, case, start=start, kind=Kind.CONJOINT, key="same")
    assert first.pk == again.pk and Appointment.objects.count() == 1
    with pytest.raises(ActionConflict):
        actions.book(clinician, case, start=start, kind=Kind.CONJOINT, key="other")
    with pytest.raises(ActionConflict):
        actions.book(clinician, case, start=start + timedelta(minutes=30), kind=Kind.CONJOINT)
    assert Appointment.objects.count() == 1
    # A time outside the clinician's hours is not a free slot.
    with pytest.raises(ActionError) as refused:
        actions.book(clinician, case, start=london(2026, 10, 21, 20, 0), kind=Kind.CONJOINT)
    assert refused.value.field == "start"


@freeze_time(NOW)
def test_an_individual_session_needs_a_partner_of_the_case_and_invites_only_them(
    clinician, partner_a, partner_b, case, practice
):
    start = first_free(clinician, practice, date(2026, 10, 21))
    with pytest.raises(ActionError) as refused:
        actions.book(clinician, case, start=start, kind=Kind.INDIVIDUAL)
    assert refused.value.field == "partner"
    appointment = actions.book(
        clinician, case, start=start, kind=Kind.INDIVIDUAL, partner=partner_b
    )
    assert list(appointment.participants.all()) == [partner_b]
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        partner_b.pk,
        clinician.pk,
    }


@freeze_time(NOW)
def test_moving_a_session_raises_the_sequence_and_cancelling_sends_a_cancel(
    smtp_server, clinician, partner_a, partner_b, case, practice
):
    start, later = actions.free_slots(clinician, practice, first_day=date(2026, 10, 21), days=1)[:2]
    appointment = actions.book(
        clinician, case, start=start, kind=Kind.INDIVIDUAL, partner=partner_a
    )
    send_outbox()
    actions.reschedule(clinician, appointment, start=later)
    send_outbox()
    actions.cancel(clinician, appointment)
    actions.cancel(clinician, appointment)  # twice: nothing more
    send_outbox()
    messages = smtp_server.wait_for(6)
    to_a = [calendar_of(m) for m in messages if m["To"] == partner_a.email]
    seen = sorted(
        (
            int(c.walk("VEVENT")[0]["sequence"]),
            str(c["method"]),
            c.walk("VEVENT")[0].decoded("dtstart"),
        )
        for c in to_a
    )
    assert seen == [(0, "REQUEST", start), (1, "REQUEST", later), (2, "CANCEL", later)]
    assert {str(c.walk("VEVENT")[0]["uid"]) for c in to_a} == {appointment.uid}


@freeze_time(NOW)
def test_an_invitation_changed_again_before_it_was_sent_is_replaced_by_the_newer_one(
    smtp_server, clinician, partner_a, partner_b, case, practice
):
    start, later = actions.free_slots(clinician, practice, first_day=date(2026, 10, 21), days=1)[:2]
    appointment = actions.book(
        clinician, case, start=start, kind=Kind.INDIVIDUAL, partner=partner_a
    )
    actions.reschedule(clinician, appointment, start=later)
    send_outbox()
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == sorted([partner_a.email, clinician.email])
    for message in messages:
        [event] = calendar_of(message).walk("VEVENT")
        assert (int(event["sequence"]), event.decoded("dtstart")) == (1, later)
    assert Notification.objects.filter(status="suppressed").count() == 2


@freeze_time(NOW)
def test_a_partner_cancels_before_the_notice_period_and_asks_for_a_change_inside_it(
    clinician, partner_a, partner_b, case, practice
):
    soon = first_free(clinician, practice, date(2026, 10, 20))  # today: inside 24 hours
    later = first_free(clinician, practice, date(2026, 10, 23))
    near = actions.book(clinician, case, start=soon, kind=Kind.CONJOINT)
    far = actions.book(clinician, case, start=later, kind=Kind.CONJOINT)
    with pytest.raises(ActionError, match="ask your clinician"):
        actions.cancel(partner_a, near)
    actions.request_change(partner_a, near)
    actions.request_change(partner_a, near)
    near.refresh_from_db()
    assert near.change_requested_by == partner_a and near.status == Status.BOOKED
    assert actions.cancel(partner_b, far).status == Status.CANCELLED
    assert AuditEvent.objects.filter(action="retrust.appointment.change_requested").count() == 1


def test_an_attended_individual_session_lets_the_clinician_lift_the_pause(
    clinician, partner_a, partner_b, case, practice
):
    with freeze_time(NOW):
        pause_case(case)
        start_a = first_free(clinician, practice, date(2026, 10, 20))
        with pytest.raises(ActionConflict):  # together waits while shared work is paused
            actions.book(clinician, case, start=start_a, kind=Kind.CONJOINT)
        a = actions.book(clinician, case, start=start_a, kind=Kind.INDIVIDUAL, partner=partner_a)
        start_b = first_free(clinician, practice, date(2026, 10, 20))
        b = actions.book(clinician, case, start=start_b, kind=Kind.INDIVIDUAL, partner=partner_b)
        with pytest.raises(ActionError):  # not before it started
            actions.record_outcome(clinician, a, attended=True)
    with freeze_time(NOW + timedelta(hours=5)):
        actions.record_outcome(clinician, a, attended=True)
        with pytest.raises(ActionError, match="individual"):
            safety.lift_pause(clinician, case, "Seen both on their own.")
        actions.record_outcome(clinician, b, attended=True)
        safety.lift_pause(clinician, case, "Seen both on their own.")
    case.refresh_from_db()
    assert case.paused_since is None


@freeze_time(NOW)
def test_before_the_next_session_measures_follow_the_next_booked_appointment(
    clinician, partner_a, partner_b, case, practice
):
    with pytest.raises(ActionError, match="book one"):
        schedule_measure(
            clinician, case, instrument_id="csi-4", kind="before_session", starts_on=date.today()
        )
    first = first_free(clinician, practice, date(2026, 10, 27))
    appointment = actions.book(clinician, case, start=first, kind=Kind.CONJOINT)
    schedule, _ = schedule_measure(
        clinician, case, instrument_id="csi-4", kind="before_session", starts_on=date.today()
    )
    assert schedule.next_session_on == date(2026, 10, 27)
    earlier = first_free(clinician, practice, date(2026, 10, 22))
    actions.book(clinician, case, start=earlier, kind=Kind.CONJOINT)
    schedule.refresh_from_db()
    assert schedule.next_session_on == date(2026, 10, 22)
    actions.cancel(clinician, Appointment.objects.get(start=earlier))
    assert MeasureSchedule.objects.get().next_session_on == date(2026, 10, 27)
    assert appointment.pk


@freeze_time(NOW)
def test_my_sessions_shows_a_new_york_partner_their_own_clock_across_the_dst_weeks(
    client_for, clinician, partner_a, partner_b, case, practice
):
    Preference.objects.create(user=partner_a, time_zone="America/New_York")
    before = first_free(clinician, practice, date(2026, 10, 23))  # Fri, both on summer time
    between = first_free(clinician, practice, date(2026, 10, 27))  # London changed, NY not yet
    for start in (before, between):
        actions.book(clinician, case, start=start, kind=Kind.CONJOINT)
    page = client_for("partner_a").get("/sessions/").content.decode()
    assert "Friday 23 October, 04:00" in page  # 09:00 BST = 04:00 EDT
    assert "Tuesday 27 October, 05:00" in page  # 09:00 GMT = 05:00 EDT
    assert "America/New_York" in page
    other = client_for("partner_b").get("/sessions/").content.decode()
    assert "Friday 23 October, 09:00" in other and "Europe/London" in other


@freeze_time(NOW)
def test_reminders_go_out_a_day_and_an_hour_before_once_each(
    clinician, partner_a, partner_b, case, practice
):
    start = first_free(clinician, practice, date(2026, 10, 21))
    actions.book(clinician, case, start=start, kind=Kind.CONJOINT)
    reminders = Notification.objects.filter(kind="session_reminder")
    run_tick(start - timedelta(hours=25))
    assert reminders.count() == 0
    run_tick(start - timedelta(hours=24))
    run_tick(start - timedelta(hours=23, minutes=59))
    assert sorted(reminders.values_list("recipient_id", "occasion")) == sorted(
        [(partner_a.pk, "24h"), (partner_b.pk, "24h")]
    )
    run_tick(start - timedelta(minutes=59))
    assert reminders.filter(occasion="1h").count() == 2
    assert timezone.now()  # the clock is frozen; the ticks were given their own times


def test_a_session_note_records_its_appointment_with_attendees_and_length(
    client_for, clinician, partner_a, partner_b, case, practice, other_practice_case
):
    from retrust.clinic.actions import save_note
    from retrust.clinic.models import SessionNote

    with freeze_time(NOW):
        start = first_free(clinician, practice, date(2026, 10, 20))
        appointment = actions.book(
            clinician, case, start=start, kind=Kind.INDIVIDUAL, partner=partner_b
        )
    elsewhere = Appointment.objects.create(
        case=other_practice_case,
        clinician=other_practice_case.clinicians.get(),
        kind=Kind.CONJOINT,
        start=start,
    )
    with freeze_time(NOW + timedelta(hours=5)):
        with pytest.raises(ActionError) as refused:
            save_note(
                clinician,
                case,
                note=None,
                session_date=date(2026, 10, 20),
                data="x",
                assessment="",
                plan="",
                appointment=elsewhere.pk,
            )
        assert refused.value.field == "appointment"
        client = client_for("clinician")
        form = client.get(f"/cases/{case.pk}/notes/new/?appointment={appointment.pk}")
        assert f'<option value="{appointment.pk}" selected>' in form.content.decode()
        response = client.post(
            f"/cases/{case.pk}/notes/new/",
            {"appointment": appointment.pk, "session_date": "2026-10-20", "data": "Seen alone."},
        )
        assert response.status_code == 302
        note = SessionNote.objects.get()
        assert note.appointment == appointment
        page = client.get(response["Location"]).content.decode()
    assert "50 minutes" in page and "with Bo" in page


@freeze_time(NOW)
def test_the_other_partner_is_not_told_who_asked_for_another_time(
    client_for, clinician, partner_a, partner_b, case, practice
):
    start = first_free(clinician, practice, date(2026, 10, 26))
    appointment = actions.book(clinician, case, start=start, kind=Kind.CONJOINT)
    actions.request_change(partner_a, appointment)
    asked = client_for("partner_a").get("/sessions/").content.decode()
    other = client_for("partner_b").get("/sessions/").content.decode()
    assert "You asked for another time" in asked
    assert "asked" not in other.lower().replace("ask your clinician", "")
    week = client_for("clinician").get("/sessions/week/?week=2026-10-26").content.decode()
    assert "Another time asked for" in week


@freeze_time(NOW)
def test_todays_sessions_are_on_the_clinicians_today(
    client_for, clinician, partner_a, partner_b, case, practice
):
    today = client_for("clinician").get("/caseload/today/").content.decode()
    assert "Sessions today" not in today
    start = first_free(clinician, practice, date(2026, 10, 20))
    actions.book(clinician, case, start=start, kind=Kind.CONJOINT)
    today = client_for("clinician").get("/caseload/today/").content.decode()
    assert "Sessions today" in today and "Ari and Bo" in today
    assert start.astimezone(LONDON).strftime("%H:%M") in today
