"""The session routes in the persona-matrix table: one row per route, every persona.

A partner reaches their own sessions only (partner_b never reaches partner_a's individual
session); the case's clinician reaches all of the case's; another clinician, another
practice and the admin reach none (the admin sees booked times on the practice page only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from retrust.core.models import Case, User
from retrust.sessions import actions
from retrust.sessions.models import Appointment, CalendarFeed, DayOff, Kind, SessionSettings
from tests.support.matrix import (
    CLINICIANS,
    PARTNERS,
    Redirect,
    Route,
    api,
    check,
    matrix,
    pages,
)


@dataclass
class World:
    case: Case
    together: Appointment
    alone: Appointment
    day_off: DayOff
    token: str
    slot: str

    @property
    def ids(self) -> dict[str, Any]:
        return {
            "case": self.case.pk,
            "together": self.together.pk,
            "alone": self.alone.pk,
            "day_off": self.day_off.pk,
            "token": self.token,
            "slot": self.slot,
        }


@pytest.fixture
def world(personas: dict[str, User | None], case: Case, practice: Any, settings: Any) -> World:
    settings.JITSI_DOMAIN = "meet.example.org"
    settings.JITSI_APP_ID = "retrust"
    settings.JITSI_APP_SECRET = "a-test-secret-of-enough-length-for-hs256"
    clinician, partner_a, partner_b = (personas[k] for k in ("clinician", "partner_a", "partner_b"))
    SessionSettings.objects.create(practice=practice, notice_hours=24)
    actions.set_weekly_hours(clinician, practice, [(d, time(0, 0), time(23, 59)) for d in range(7)])
    now = timezone.now()
    together = Appointment.objects.create(
        case=case, clinician=clinician, kind=Kind.CONJOINT, start=now + timedelta(days=3)
    )
    together.participants.set([partner_a, partner_b])
    # Started 20 minutes ago: the room is open and the clinician can record how it went.
    alone = Appointment.objects.create(
        case=case, clinician=clinician, kind=Kind.INDIVIDUAL, start=now - timedelta(minutes=20)
    )
    alone.participants.set([partner_a])
    day_off = DayOff.objects.create(
        clinician=clinician, practice=practice, day=timezone.localdate() + timedelta(days=9)
    )
    token = actions.make_feed(partner_a)
    slot = actions.free_slots(clinician, practice, days=actions.HORIZON_DAYS)[5]
    return World(case, together, alone, day_off, token, slot.isoformat())


def status_of(appointment: str) -> Callable[[World], Any]:
    return lambda world: (
        Appointment.objects.filter(pk=getattr(world, appointment).pk)
        .values_list("status", "change_requested_at", "sequence")
        .get()
    )


def appointment_count(world: World) -> int:
    return Appointment.objects.count()


def days_off(world: World) -> int:
    return DayOff.objects.count()


def feeds(world: World) -> Any:
    return list(CalendarFeed.objects.values_list("user_id", "token_hash"))


STAFF_PAGES = pages(**CLINICIANS)
THE_CASE = {"partner_a": 200, "clinician": 200}

ROUTES = [
    Route("my sessions", "GET", "/sessions/", pages(**PARTNERS)),
    Route("week", "GET", "/sessions/week/", STAFF_PAGES),
    Route("hours", "GET", "/sessions/availability/", STAFF_PAGES),
    Route(
        "save hours",
        "POST",
        "/sessions/availability/",
        pages(
            **{
                name: Redirect("/sessions/availability/")
                for name in ("clinician", "other_clinician", "other_practice_clinician")
            }
        ),
        data={"form": "hours", "start_0": "10:00", "end_0": "12:00"},
        unchanged=frozenset({"other_clinician", "other_practice_clinician"}),
        state=lambda world: list(
            actions.WeeklyHours.objects.filter(
                clinician__email="clinician@example.org"
            ).values_list("weekday", "start", "end")
        ),
    ),
    Route(
        "remove a day off",
        "POST",
        "/sessions/availability/days/{day_off}/remove/",
        pages(clinician=Redirect("/sessions/availability/")),
        state=days_off,
    ),
    Route(
        "feed settings",
        "GET",
        "/sessions/calendar-feed/",
        pages(**PARTNERS, **CLINICIANS),
    ),
    Route(
        "make a feed",
        "POST",
        "/sessions/calendar-feed/",
        pages(**PARTNERS, **CLINICIANS),
        data={"do": "make"},
        state=feeds,
    ),
    Route(
        "the secret feed",
        "GET",
        "/calendar/{token}.ics",
        {name: 200 for name in ("anonymous", *PARTNERS, *CLINICIANS, "admin")},
    ),
    Route(
        "download a shared session",
        "GET",
        "/sessions/{together}/appointment.ics",
        pages(**PARTNERS, clinician=200),
    ),
    Route(
        "download one's own session", "GET", "/sessions/{alone}/appointment.ics", pages(**THE_CASE)
    ),
    Route("waiting page", "GET", "/sessions/{alone}/join/", pages(**THE_CASE)),
    Route(
        "join outside the window",
        "POST",
        "/sessions/{together}/join/",
        pages(partner_a=409, partner_b=409, clinician=409),
    ),
    Route(
        "cancel",
        "POST",
        "/sessions/{together}/cancel/",
        pages(
            partner_a=Redirect("/sessions/"),
            partner_b=Redirect("/sessions/"),
            clinician=Redirect("/sessions/week/"),
        ),
        state=status_of("together"),
    ),
    Route(
        "ask for another time",
        "POST",
        "/sessions/{together}/ask-change/",
        pages(partner_a=Redirect("/sessions/"), partner_b=Redirect("/sessions/")),
        state=status_of("together"),
    ),
    Route(
        "record attended",
        "POST",
        "/sessions/{alone}/outcome/",
        pages(clinician=Redirect("/sessions/week/")),
        data={"outcome": "attended"},
        state=status_of("alone"),
    ),
    Route("move page", "GET", "/sessions/{together}/move/", pages(clinician=200)),
    Route(
        "move",
        "POST",
        "/sessions/{together}/move/",
        pages(clinician=Redirect("/sessions/week/")),
        data={"start": "{slot}"},
        state=status_of("together"),
    ),
    Route("book page", "GET", "/cases/{case}/sessions/book/", pages(clinician=200)),
    Route(
        "book",
        "POST",
        "/cases/{case}/sessions/book/",
        pages(clinician=Redirect("/sessions/week/")),
        data={"start": "{slot}", "kind": "conjoint", "location": "video", "key": "abc"},
        state=appointment_count,
    ),
    Route("practice sessions", "GET", "/practice/sessions/", pages(admin=200)),
    Route(
        "practice session settings",
        "POST",
        "/practice/sessions/",
        pages(admin=Redirect("/practice/sessions/")),
        data={"time_zone": "America/New_York", "notice_hours": 12, "default_minutes": 45},
        state=lambda world: list(SessionSettings.objects.values_list("time_zone", "notice_hours")),
    ),
]

API_ROUTES = [
    Route("api list", "GET", "/api/v1/cases/{case}/appointments", api(**PARTNERS, clinician=200)),
    Route("api free slots", "GET", "/api/v1/cases/{case}/free-slots", api(clinician=200)),
    Route(
        "api book",
        "POST",
        "/api/v1/cases/{case}/appointments",
        api(clinician=201),
        data={"start": "{slot}", "kind": "conjoint", "location": "video", "key": "api-1"},
        state=appointment_count,
    ),
    Route(
        "api cancel",
        "POST",
        "/api/v1/appointments/{together}/cancel",
        api(**PARTNERS, clinician=200),
        state=status_of("together"),
    ),
    Route(
        "api join",
        "POST",
        "/api/v1/appointments/{alone}/join",
        api(partner_a=200, clinician=200),
    ),
]


@pytest.mark.parametrize(("route", "persona"), matrix(ROUTES))
def test_session_page_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    check(route, persona, world, client_for(persona), json_body=False)


@pytest.mark.parametrize(("route", "persona"), matrix(API_ROUTES))
def test_session_api_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    check(route, persona, world, client_for(persona), json_body=True)


def test_a_wrong_or_revoked_feed_address_is_not_found(world: World, client: Client) -> None:
    assert client.get(f"/calendar/{world.token}.ics").status_code == 200
    assert client.get(f"/calendar/{world.token}x.ics").status_code == 404
    actions.revoke_feed(User.objects.get(email="ari@example.org"))
    assert client.get(f"/calendar/{world.token}.ics").status_code == 404
