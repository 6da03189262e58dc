"""Preferred times: a visitor picks up to three of the practice's free times (no names, free
starts only), the practice sees the picks with any no longer free marked, and the clinician who
accepts books the first consultation at one of them in the same step as opening the case — a
time taken meanwhile refuses the whole step, with nothing half-saved."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

# The URLconf loads before any test freezes the clock (see tests/sessions/conftest.py).
import retrust.urls  # noqa: F401
from retrust.core import actions as core_actions
from retrust.core.models import Case, Invitation, Practice, User
from retrust.frontdoor import actions
from retrust.frontdoor.models import ConsultationRequest, RequestStatus
from retrust.notifications.models import Notification
from retrust.sessions import actions as sessions_actions
from retrust.sessions.models import Appointment, Kind, SessionSettings
from tests.conftest import make_staff, signed_in_client
from tests.frontdoor.conftest import request_data
from tests.sessions.conftest import london

URL = "/p/quiet-harbour/consultation/"
QUERIES_ON_REQUEST_PAGE = 15
# A Tuesday, 08:00 in London (07:00 UTC). Times are offered from Wednesday for 14 days.
NOW = london(2026, 10, 20, 8, 0)
WED_9 = london(2026, 10, 21, 9, 0)  # the first time offered
WED_950 = london(2026, 10, 21, 9, 50)
THU_9 = london(2026, 10, 22, 9, 0)
FRI_9 = london(2026, 10, 23, 9, 0)
SAT_9 = london(2026, 10, 24, 9, 0)  # nobody works Saturdays
INVITE = re.compile(r"/invite/([A-Za-z0-9_\-]+)/")
PASSWORD = "slow tide under the pier"

pytestmark = pytest.mark.usefixtures("public_page")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def weekdays_nine_to_five(practice: Practice, clinician: User) -> None:
    sessions_actions.set_weekly_hours(
        clinician, practice, [(d, time(9), time(17)) for d in range(5)]
    )


@pytest.fixture
def hours(practice: Practice, clinician: User) -> None:
    SessionSettings.objects.get_or_create(
        practice=practice, defaults={"time_zone": "Europe/London"}
    )
    weekdays_nine_to_five(practice, clinician)


def take(clinician: User, practice: Practice, start: datetime) -> Appointment:
    """Someone else's session fills this time in the clinician's calendar."""
    other = Case.objects.create(practice=practice, label="Another couple", status="active")
    other.clinicians.add(clinician)
    return sessions_actions.book(clinician, other, start=start, kind=Kind.CONSULTATION)


def send(*picks: datetime | str, key: str = "k1", **extra: Any) -> Any:
    values = [p if isinstance(p, str) else iso(p) for p in picks]
    return Client().post(URL, {**request_data(key, **extra), "preferred_slots": values})


# --- the visitor's side ----------------------------------------------------------------------


@freeze_time(NOW)
def test_the_form_offers_free_times_by_day_and_names_nobody(
    hours: None, practice: Practice, clinician: User
) -> None:
    take(clinician, practice, WED_950)
    body = Client().get(URL).content.decode()
    assert "Times that would suit you for a first conversation" in body
    assert "Wednesday 21 October" in body and "Europe/London" in body
    assert f'value="{iso(WED_9)}"' in body
    # Taken, before tomorrow, or a Saturday: not offered.
    assert f'value="{iso(WED_950)}"' not in body
    assert "Tuesday 20 October" not in body
    assert "Saturday" not in body
    # 14 days from tomorrow: the last offered day is Tuesday 3 November.
    assert "Tuesday 3 November" in body and "Wednesday 4 November" not in body
    assert "Dana" not in body and "Clinician" not in body


@freeze_time(NOW)
def test_a_time_one_clinician_has_free_is_offered_when_another_is_busy(
    hours: None, practice: Practice, clinician: User
) -> None:
    colleague = make_staff(practice, "c2@example.org", "clinician", "Eli")
    weekdays_nine_to_five(practice, colleague)
    take(clinician, practice, WED_950)
    assert f'value="{iso(WED_950)}"' in Client().get(URL).content.decode()


def test_without_session_hours_the_visitor_writes_when_suits_them(practice: Practice) -> None:
    body = Client().get(URL).content.decode()
    assert "Times that would suit you" not in body
    assert "When is a safe time to contact you?" in body
    response = Client().post(URL, request_data())
    assert response.status_code == 302
    assert ConsultationRequest.objects.get().preferred_slots == []


@freeze_time(NOW)
def test_picked_times_are_stored_with_the_request(hours: None) -> None:
    response = send(THU_9, WED_9)
    assert response.status_code == 302
    assert ConsultationRequest.objects.get().preferred_slots == [iso(WED_9), iso(THU_9)]


@freeze_time(NOW)
def test_more_than_three_times_is_refused_and_nothing_is_stored(hours: None) -> None:
    response = send(WED_9, WED_950, THU_9, FRI_9)
    assert response.status_code == 400
    assert "Please choose up to three times." in response.content.decode()
    # The ticks are kept on the page to change, not lost.
    assert response.content.decode().count("checked") >= 4
    assert ConsultationRequest.objects.count() == 0


@freeze_time(NOW)
@pytest.mark.parametrize(
    "pick",
    [SAT_9, london(2026, 10, 21, 9, 5), "soon", "2026-10-21T09:00:00", london(2026, 11, 9, 9)],
)
def test_a_time_that_was_not_offered_is_refused(hours: None, pick: Any) -> None:
    response = send(pick)
    assert response.status_code == 400
    assert actions.NOT_OFFERED in response.content.decode()
    assert ConsultationRequest.objects.count() == 0


def test_a_time_that_passed_while_the_page_was_open_is_refused(hours: None) -> None:
    with freeze_time(NOW):
        assert f'value="{iso(WED_9)}"' in Client().get(URL).content.decode()
    with freeze_time(WED_9 + timedelta(minutes=1)):
        response = send(WED_9)
    assert response.status_code == 400
    assert "One of the times you chose has already passed." in response.content.decode()
    assert ConsultationRequest.objects.count() == 0


@freeze_time(NOW)
def test_a_time_taken_while_the_page_was_open_is_refused(
    hours: None, practice: Practice, clinician: User
) -> None:
    assert f'value="{iso(WED_9)}"' in Client().get(URL).content.decode()
    take(clinician, practice, WED_9)
    response = send(WED_9)
    assert response.status_code == 400
    assert actions.NOT_OFFERED in response.content.decode()
    assert ConsultationRequest.objects.count() == 0


@freeze_time(NOW)
@pytest.mark.parametrize("clinicians", [1, 5])
def test_the_form_answers_in_a_constant_number_of_queries(
    hours: None, practice: Practice, clinician: User, clinicians: int
) -> None:
    for n in range(1, clinicians):
        colleague = make_staff(practice, f"c{n}@example.org", "clinician", f"C {n}")
        weekdays_nine_to_five(practice, colleague)
        sessions_actions.add_day_off(colleague, practice, day=THU_9.date())
        for start in (WED_9, WED_950, FRI_9):
            take(colleague, practice, start)
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    # The published practice, its session settings, clinicians' hours, days off, bookings.
    assert len(queries) == 5


# --- the practice's side -------------------------------------------------------------------


def open_case(user: User, found: ConsultationRequest, capture: Any, **data: str) -> Any:
    with capture(execute=True):
        return signed_in_client(user).post(
            f"/practice/consultations/{found.pk}/open-case/", {"track": "individual", **data}
        )


@freeze_time(NOW)
def test_the_inbox_shows_the_picks_and_marks_one_no_longer_free(
    hours: None, practice: Practice, clinician: User, admin: User
) -> None:
    send(WED_9, THU_9)
    found = ConsultationRequest.objects.get()
    take(clinician, practice, THU_9)
    body = signed_in_client(clinician).get(f"/practice/consultations/{found.pk}/").content.decode()
    assert "Wednesday 21 October, 09:00</li>" in body
    assert "Thursday 22 October, 09:00 — <strong>no longer free in your calendar" in body
    # The asked-for time still free is offered first, and chosen unless the clinician changes it.
    assert re.search(
        r'<optgroup label="Times they asked for">\s*<option value="'
        + re.escape(iso(WED_9))
        + '" selected',
        body,
    )
    # The admin sees the same picks against the whole practice's calendar.
    body = signed_in_client(admin).get(f"/practice/consultations/{found.pk}/").content.decode()
    assert "Thursday 22 October, 09:00 — <strong>no longer free</strong>" in body
    assert "Book the first consultation" not in body


@freeze_time(NOW)
def test_accepting_books_the_consultation_and_the_partner_sees_it_after_joining(
    hours: None, clinician: User, django_capture_on_commit_callbacks: Any
) -> None:
    send(WED_9, THU_9)
    found = ConsultationRequest.objects.get()
    response = open_case(clinician, found, django_capture_on_commit_callbacks, start=iso(THU_9))
    assert response.status_code == 302
    case = Case.objects.get(label="Sam")
    (booked,) = Appointment.objects.filter(case=case)
    assert (booked.kind, booked.start, booked.clinician) == ("consultation", THU_9, clinician)
    found.refresh_from_db()
    assert found.status == RequestStatus.BOOKED
    assert "First consultation booked for Thursday 22 October, 09:00." in found.notes.last().text
    # Opening again (a double submit) books nothing more.
    open_case(clinician, found, django_capture_on_commit_callbacks, start=iso(THU_9))
    assert Appointment.objects.filter(case=case).count() == 1 and Case.objects.count() == 1

    (token,) = INVITE.findall(mail.outbox[-1].body)
    with django_capture_on_commit_callbacks(execute=True):
        sam = core_actions.accept_invitation(token, password=PASSWORD)
    assert list(booked.participants.all()) == [sam]
    # Sam is sent the session's calendar invitation, as the clinician was on booking.
    invited = Notification.objects.filter(subject_id=booked.pk, kind="session_invitation")
    assert list(invited.values_list("recipient", flat=True)) == [sam.pk]
    mine = signed_in_client(sam).get("/sessions/").content.decode()
    assert "22 October" in mine or "22 Oct" in mine


@freeze_time(NOW)
def test_a_time_taken_before_accepting_refuses_the_whole_step(
    hours: None, practice: Practice, clinician: User, django_capture_on_commit_callbacks: Any
) -> None:
    send(WED_9)
    found = ConsultationRequest.objects.get()
    page = signed_in_client(clinician).get(f"/practice/consultations/{found.pk}/")
    assert iso(WED_9) in page.content.decode()
    take(clinician, practice, WED_9)
    mail.outbox.clear()
    response = open_case(clinician, found, django_capture_on_commit_callbacks, start=iso(WED_9))
    assert response.status_code == 409
    assert sessions_actions.TAKEN in response.content.decode()
    # No case, no invitation, no booking, no email; the request is where it was.
    assert not Case.objects.filter(label="Sam").exists()
    assert Invitation.objects.count() == 0
    assert Appointment.objects.count() == 1
    assert mail.outbox == []
    found.refresh_from_db()
    assert (found.status, found.case_id, found.notes.count()) == (RequestStatus.NEW, None, 0)


@freeze_time(NOW)
def test_a_made_up_time_is_refused_and_accepting_without_one_books_nothing(
    hours: None, clinician: User, django_capture_on_commit_callbacks: Any
) -> None:
    send(WED_9)
    found = ConsultationRequest.objects.get()
    response = open_case(clinician, found, django_capture_on_commit_callbacks, start=iso(SAT_9))
    assert response.status_code == 400
    assert "Choose one of the free times listed." in response.content.decode()
    assert Case.objects.count() == 0
    response = open_case(clinician, found, django_capture_on_commit_callbacks, start="")
    assert response.status_code == 302
    assert Case.objects.count() == 1 and Appointment.objects.count() == 0


@freeze_time(NOW)
@pytest.mark.parametrize("busy", [False, True])
def test_the_request_page_answers_in_a_constant_number_of_queries(
    hours: None, practice: Practice, clinician: User, busy: bool
) -> None:
    send(*([WED_9, THU_9, FRI_9] if busy else [WED_9]))
    found = ConsultationRequest.objects.get()
    take(clinician, practice, london(2026, 10, 22, 15, 40))
    if busy:
        for day in (21, 22, 23, 26, 27, 28, 29, 30):
            for hour, minute in ((10, 40), (11, 30), (14, 50)):
                take(clinician, practice, london(2026, 10, day, hour, minute))
    client = signed_in_client(clinician)
    client.get(f"/practice/consultations/{found.pk}/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/practice/consultations/{found.pk}/").status_code == 200
    # The same with one pick and one booking as with three picks and twenty-five bookings.
    assert len(queries) == QUERIES_ON_REQUEST_PAGE
