"""Sessions in a real browser: the clinician (desktop) books from a free slot, both partners
(phones) get an invitation whose .ics parses, a partner joins from the waiting page with
Chromium's fake camera; individual sessions recorded as attended let the pause be lifted."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jwt
import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from retrust.sessions import actions
from retrust.sessions.models import Appointment, SessionSettings
from tests.browser.conftest import CHROMIUM_ARGS, TIMEOUT_MS, Tab, chromium_executable
from tests.conftest import pause_case, signed_in_client
from tests.support.mail import run_queued_tasks

LONDON = ZoneInfo("Europe/London")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SECRET = "a-test-secret-of-enough-length-for-hs256"
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def clinic_hours(practice: Any, clinician: Any, settings: Any) -> None:
    settings.JITSI_DOMAIN = "meet.example.org"
    settings.JITSI_APP_ID = "retrust-app"
    settings.JITSI_APP_SECRET = SECRET
    # Slots are 50 minutes apart: opening the room an hour before lets the journey join now.
    settings.RETRUST_JOIN_OPENS_MINUTES = 60
    SessionSettings.objects.create(practice=practice, time_zone="Europe/London")
    actions.set_weekly_hours(clinician, practice, [(d, time(0, 0), time(23, 59)) for d in range(7)])


@pytest.fixture
def media_tab(browser: Any, axe: Any, live_server: Any) -> Any:
    """A tab in a Chromium with a fake camera and microphone, permission already given."""
    fake = browser.browser_type.launch(
        executable_path=chromium_executable(), headless=True, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
    )
    tabs: list[Tab] = []

    def make(user: Any) -> Tab:
        context = fake.new_context(base_url=live_server.url, permissions=["camera", "microphone"])
        context.set_default_timeout(TIMEOUT_MS)
        cookie = signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        tab = Tab(context, axe)
        tabs.append(tab)
        return tab

    yield make
    # Chromium commits its internal error page for a moment while the join step's redirect
    # crosses to the (routed) video site; that is not a page anyone sees.
    unchecked = [
        url for tab in tabs for url in tab.unchecked() if not url.startswith("chrome-error://")
    ]
    fake.close()
    assert not unchecked, f"pages shown but never checked with axe-core: {unchecked}"


def calendar_of(message: Any) -> Calendar:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def test_a_conjoint_session_is_booked_invited_and_joined(
    open_tab, media_tab, smtp_server, clinic_hours, case, clinician, partner_a, partner_b
):
    c = open_tab(clinician)
    c.page.set_viewport_size(DESKTOP)
    c.goto(f"/cases/{case.pk}/")
    expect(c.page.get_by_role("heading", name="Next session")).to_be_visible()
    c.check()
    c.page.get_by_role("link", name="Book a session").click()
    expect(c.page.get_by_role("heading", name=re.compile("Book a session"))).to_be_visible()
    c.check()
    c.page.get_by_label("Who takes part").select_option("conjoint")
    c.page.get_by_label("Where").select_option("video")
    c.page.locator("input[name=start]").first.check()
    c.shot("clinician-book.png")
    c.page.get_by_role("button", name="Book and send invitations").click()
    expect(c.page.get_by_role("heading", name="Your week")).to_be_visible()
    expect(c.page.get_by_text("Booked. Everyone taking part")).to_be_visible()
    expect(c.page.get_by_role("link", name="Ari and Bo")).to_be_visible()
    c.check()
    c.shot("clinician-week.png")
    appointment = Appointment.objects.get()

    run_queued_tasks()
    messages = smtp_server.wait_for(3)
    assert sorted(m["To"] for m in messages) == sorted(
        [partner_a.email, partner_b.email, clinician.email]
    )
    for message in messages:
        calendar = calendar_of(message)
        [event] = calendar.walk("VEVENT")
        assert str(calendar["method"]) == "REQUEST"
        assert str(event["uid"]) == appointment.uid
        assert event.decoded("dtstart") == appointment.start
        assert str(event["summary"]) == "Appointment — Quiet Harbour Therapy"

    # Partner B, on a phone, sees it too.
    b = open_tab(partner_b)
    b.page.set_viewport_size(PHONE)
    b.goto("/sessions/")
    expect(b.page.get_by_role("link", name="Join the session")).to_be_visible()
    b.check()

    # Partner A joins from the waiting page, camera checked with Chromium's fake devices.
    a = media_tab(partner_a)
    a.page.set_viewport_size(PHONE)
    a.goto("/sessions/")
    expect(a.page.get_by_role("heading", name="Coming up")).to_be_visible()
    a.check()
    a.shot("partner-my-sessions.png")
    a.page.get_by_role("link", name="Join the session").click()
    expect(a.page.get_by_role("heading", name="Before your session")).to_be_visible()
    expect(a.page.get_by_text("Your clinician will let you in")).to_be_visible()
    a.check()
    a.page.get_by_role("button", name="Check my camera and microphone").click()
    expect(a.page.get_by_text("Your camera and microphone work")).to_be_visible()
    expect(a.page.locator("#device-check")).to_have_attribute("data-ready", "1")
    a.check()
    a.shot("partner-waiting.png")

    reached: list[str] = []

    def room(route: Any) -> None:
        reached.append(route.request.url)
        route.fulfill(
            content_type="text/html",
            body='<!doctype html><html lang="en"><head><title>Room</title></head>'
            "<body><main><h1>The video room</h1></main></body></html>",
        )

    a.page.route("https://meet.example.org/**", room)
    a.page.get_by_role("button", name="Join the session").click()
    expect(a.page.get_by_role("heading", name="The video room")).to_be_visible()
    a.check()
    [url] = reached
    assert url.startswith(f"https://meet.example.org/{appointment.room}?jwt=")
    claims = jwt.decode(url.split("jwt=")[1], SECRET, algorithms=["HS256"], audience="retrust-app")
    assert claims["room"] == appointment.room and claims["moderator"] is False
    assert claims["context"] == {"user": {"name": "Ari"}}


def test_individual_sessions_recorded_as_attended_let_the_pause_be_lifted(
    open_tab, clinic_hours, case, clinician, partner_a, partner_b
):
    record = pause_case(case)
    c = open_tab(clinician)
    c.page.set_viewport_size(DESKTOP)
    for name, radio in (("Ari", 0), ("Bo", 0)):
        c.goto(f"/cases/{case.pk}/sessions/book/")
        expect(c.page.get_by_text("a session together waits")).to_be_visible()
        c.check()
        c.page.get_by_label("Who takes part").select_option("individual")
        c.page.get_by_label("which partner").select_option(label=name)
        c.page.locator("input[name=start]").nth(radio).check()
        c.page.get_by_role("button", name="Book and send invitations").click()
        expect(c.page.get_by_role("heading", name="Your week")).to_be_visible()
        c.check()
    # Bo's own list never shows Ari's session alone with the clinician.
    b = open_tab(partner_b)
    b.page.set_viewport_size(PHONE)
    b.goto("/sessions/")
    expect(b.page.locator(".session-item")).to_have_count(1)
    b.check()

    # Time passes: both sessions have happened, within the last hours of a pause that began
    # yesterday (sessions "an hour ago" fall on the pause's own day or later at any hour; with
    # the pause begun today they fell before it in the first hour after midnight).
    type(record).objects.filter(pk=record.pk).update(started_at=timezone.now() - timedelta(days=1))
    for appointment in Appointment.objects.all():
        Appointment.objects.filter(pk=appointment.pk).update(
            start=timezone.now() - timedelta(minutes=55 + appointment.pk)
        )
    first = Appointment.objects.order_by("start").first().start.astimezone(LONDON).date()
    week = first - timedelta(days=first.weekday())
    c.goto(f"/sessions/week/?week={week.isoformat()}")
    c.check()
    for _ in range(2):
        # A session recorded as attended offers only "Missed after all" from then on.
        c.page.get_by_role("button", name="Attended", exact=True).first.click()
        expect(c.page.get_by_text("Recorded as attended.")).to_be_visible()
        c.check()
    expect(c.page.get_by_role("button", name="Attended", exact=True)).to_have_count(0)
    c.shot("clinician-week-attended.png")
    c.goto(f"/cases/{case.pk}/")
    c.check()
    c.page.get_by_label("Why shared work can resume").fill("Seen each of them on their own.")
    c.page.get_by_role("button", name="Lift the pause").click()
    expect(c.page.get_by_text("Shared work can resume.")).to_be_visible()
    c.check()
    case.refresh_from_db()
    assert case.paused_since is None


def test_the_other_session_pages_are_axe_clean(
    open_tab, clinic_hours, case, clinician, partner_a, partner_b, admin
):
    start = actions.free_slots(clinician, case.practice, days=2)[2]
    appointment = actions.book(clinician, case, start=start, kind="conjoint")
    c = open_tab(clinician)
    c.page.set_viewport_size(DESKTOP)
    for path in (
        "/sessions/availability/",
        f"/sessions/{appointment.pk}/move/",
        "/caseload/today/",
    ):
        c.goto(path)
        c.check()
    c.goto("/sessions/availability/")
    monday = c.page.get_by_role("group", name="Monday")
    monday.get_by_label("From").fill("09:00")
    monday.get_by_label("until").fill("")
    c.page.get_by_role("button", name="Save weekly hours").click()
    expect(c.page.get_by_text("Give both times for Monday, or neither.")).to_be_visible()
    c.check(status=400)
    c.shot("clinician-hours-refused.png")
    c.goto("/sessions/calendar-feed/")
    c.page.get_by_role("button", name="Make my private address").click()
    expect(c.page.get_by_label("Feed address")).to_have_value(re.compile(r"/calendar/.+\.ics$"))
    c.check()
    a = open_tab(admin)
    a.page.set_viewport_size(DESKTOP)
    a.goto("/practice/sessions/")
    expect(a.page.get_by_role("heading", name="Booked times")).to_be_visible()
    a.check()
    p = open_tab(partner_a)
    p.page.set_viewport_size(PHONE)
    p.goto("/home/")
    expect(p.page.get_by_role("heading", name="Your next session")).to_be_visible()
    p.check()
    p.shot("partner-home-next-session.png")
    p.goto("/sessions/calendar-feed/")
    p.check()
