"""What each page says: bad input refused with a clear message, neutral feeds, times only for
the practice admin."""

from __future__ import annotations

import re
from datetime import date

import pytest
from freezegun import freeze_time
from icalendar import Calendar

from retrust.sessions import actions
from retrust.sessions.models import Kind, WeeklyHours
from tests.sessions.conftest import london

pytestmark = pytest.mark.usefixtures("hours")
NOW = london(2026, 10, 20, 8, 0)


def test_hours_with_one_time_missing_are_refused_and_nothing_is_saved(client_for, clinician):
    before = list(WeeklyHours.objects.values_list("weekday", "start", "end"))
    response = client_for("clinician").post(
        "/sessions/availability/", {"form": "hours", "start_0": "09:00", "start_1": "10:00"}
    )
    assert response.status_code == 400
    assert "Give both times for Monday, or neither." in response.content.decode()
    assert list(WeeklyHours.objects.values_list("weekday", "start", "end")) == before


@freeze_time(NOW)
def test_a_partners_feed_has_neutral_titles_only(
    client, client_for, clinician, partner_a, partner_b, case, practice
):
    start = actions.free_slots(clinician, practice, first_day=date(2026, 10, 21), days=1)[0]
    actions.book(clinician, case, start=start, kind=Kind.INDIVIDUAL, partner=partner_a)
    page = client_for("partner_a").post("/sessions/calendar-feed/", {"do": "make"})
    address = page.context["new_url"]
    assert "no-store" in page["Cache-Control"]
    feed = client.get(address.replace("http://testserver", ""))
    calendar = Calendar.from_ical(feed.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Appointment — Quiet Harbour Therapy"
    text = feed.content.decode()
    for word in ("Ari", "Bo", "individual", "Dana", "conjoint"):
        assert not re.search(rf"\b{word}\b", text), word
    # Bo's feed never lists Ari's session on their own.
    other = client_for("partner_b").post("/sessions/calendar-feed/", {"do": "make"})
    theirs = client.get(other.context["new_url"].replace("http://testserver", ""))
    assert Calendar.from_ical(theirs.content).walk("VEVENT") == []


@freeze_time(NOW)
def test_the_practice_admin_sees_booked_times_and_nothing_clinical(
    client_for, clinician, partner_a, partner_b, case, practice
):
    start = actions.free_slots(clinician, practice, first_day=date(2026, 10, 21), days=1)[0]
    actions.book(clinician, case, start=start, kind=Kind.INDIVIDUAL, partner=partner_a)
    page = client_for("admin").get("/practice/sessions/").content.decode()
    assert "Dana Clinician" in page and "Wed 21 Oct, 09:00" in page
    for word in ("Ari", "Bo", "One partner", "individual", "Together"):
        assert not re.search(rf"\b{word}\b", page), word
