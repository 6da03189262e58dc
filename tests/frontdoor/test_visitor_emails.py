"""The visitor's "we received your request" email: through the outbox, to the address they gave
only, at the time they said, content-free, and never twice for one request."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core import mail
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from retrust.frontdoor.models import ConsultationRequest, PracticePage
from retrust.notifications.delivery import deliver
from retrust.notifications.models import Notification, Status
from retrust.notifications.tick import run_tick
from retrust.sessions.models import SessionSettings
from tests.frontdoor.conftest import request_data
from tests.support.mail import body_of, run_queued_tasks

URL = "/p/quiet-harbour/consultation/"
CLINICAL_WORDS = ("therap", "trust", "couple", "consultation", "partner", "clinic", "Quiet Harbour")


def send(client: Client, capture: Any, **fields: str) -> Any:
    with capture(execute=True):
        return client.post(URL, request_data(**fields))


def test_the_visitor_gets_one_content_free_confirmation(
    public_page: PracticePage, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    assert send(client, django_capture_on_commit_callbacks, key="once").status_code == 302
    # The same form again, and a second request from the same address the same day.
    send(client, django_capture_on_commit_callbacks, key="once")
    send(client, django_capture_on_commit_callbacks, key="again")
    assert ConsultationRequest.objects.count() == 2
    run_queued_tasks()
    (message,) = smtp_server.wait_for(1)
    assert smtp_server.recipients() == ["sam@example.net"]
    assert message["Subject"] == "We received your request"
    assert message["From"] == "Notifications <updates@mail.example>"
    assert "List-Unsubscribe" not in message
    text = body_of(message)
    assert "We received your request" in text
    for word in (*CLINICAL_WORDS, "Sam", "Fewer arguments", "http"):
        assert word.lower() not in (text + message["Subject"]).lower(), word
    (row,) = Notification.objects.all()
    assert row.recipient_id is None and row.status == Status.SENT


def test_no_email_when_the_visitor_says_no_or_asked_for_a_phone_call(
    public_page: PracticePage, django_capture_on_commit_callbacks: Any
) -> None:
    send(Client(), django_capture_on_commit_callbacks, key="no", confirm_email="no")
    send(
        Client(REMOTE_ADDR="192.0.2.5"),
        django_capture_on_commit_callbacks,
        key="phone",
        contact_method="phone",
        contact="01234 567 890",
        confirm_email="now",
    )
    assert ConsultationRequest.objects.count() == 2
    assert Notification.objects.count() == 0
    phoned = ConsultationRequest.objects.get(submission_key="phone")
    assert phoned.confirm_email == "no"


def test_a_window_holds_the_email_until_it_opens(
    public_page: PracticePage, django_capture_on_commit_callbacks: Any
) -> None:
    # The window is in the practice's time zone (its session settings), not the server's.
    rules = SessionSettings.objects.create(
        practice=public_page.practice, time_zone="America/New_York"
    )
    zone = rules.zone
    now = timezone.localtime(timezone.now(), zone)
    start = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=3)).time().replace(second=0, microsecond=0)
    send(
        Client(),
        django_capture_on_commit_callbacks,
        confirm_email="window",
        email_from=start.strftime("%H:%M"),
        email_until=end.strftime("%H:%M"),
    )
    (row,) = Notification.objects.all()
    opens = timezone.localtime(row.next_attempt_at, zone)
    assert opens.time() == start
    assert opens > now
    # Nothing goes before then, whoever asks.
    assert deliver([row.pk]).sent == 0
    row.refresh_from_db()
    assert row.status == Status.PENDING and row.enqueued_at is None
    # Once the window opens, the tick queues it and it goes.
    with freeze_time(row.next_attempt_at + timedelta(minutes=1)):
        assert run_tick().queued_rows == 1
        assert deliver([row.pk]).sent == 1
    assert [m.to for m in mail.outbox] == [["sam@example.net"]]


def test_the_window_and_the_choice_are_checked(public_page: PracticePage) -> None:
    cases: list[tuple[dict[str, str], str]] = [
        ({"confirm_email": ""}, "Tell us whether a short email is safe"),
        ({"confirm_email": "window", "email_from": "09:00"}, "Give both times"),
        (
            {"confirm_email": "window", "email_from": "09:00", "email_until": "09:00"},
            "different from the start",
        ),
        ({"confirm_email": "window", "email_from": "9 o'clock"}, "Enter a valid time"),
        ({"confirm_email": "sometimes"}, "Select a valid choice"),
    ]
    for fields, message in cases:
        response = Client().post(URL, request_data(**fields))
        assert response.status_code == 400, fields
        assert message in response.content.decode(), fields
    assert ConsultationRequest.objects.count() == 0
    assert Notification.objects.count() == 0


def test_the_partner_who_adds_their_part_is_confirmed_at_their_own_address_only(
    public_page: PracticePage, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = Client()
    send(
        first,
        django_capture_on_commit_callbacks,
        key="first",
        together="partner_too",
        confirm_email="no",
    )
    link = first.get("/p/quiet-harbour/consultation/sent/").content.decode()
    path = link.split('readonly value="')[1].split('"')[0].split("testserver")[1]
    with django_capture_on_commit_callbacks(execute=True):
        Client(REMOTE_ADDR="198.51.100.7").post(
            path, request_data("second", name="Alex", contact="alex@example.net")
        )
    run_queued_tasks()
    smtp_server.wait_for(1)
    assert smtp_server.recipients() == ["alex@example.net"]


def test_window_times_wrap_midnight_in_the_practice_zone() -> None:
    from retrust.notifications.timing import quiet_hours_end

    zone = timezone.get_default_timezone()
    late = datetime(2026, 3, 2, 23, 30, tzinfo=zone)
    # Safe 22:00–07:00: half past eleven is inside, so it goes at once.
    assert quiet_hours_end(late, zone, time(7), time(22)) == late
    noon = datetime(2026, 3, 2, 12, 0, tzinfo=zone)
    assert quiet_hours_end(noon, zone, time(7), time(22)) == datetime(
        2026, 3, 2, 22, 0, tzinfo=zone
    )
