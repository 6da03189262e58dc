"""The data-rights routes in the persona matrix: a partner's own data pages (partners only,
their own copy and link only), the clinician's list of partners leaving, the admin's retention
settings. Everyone else gets 404; a download link is its owner's alone."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from retrust.core.models import User
from retrust.datarights import actions
from retrust.datarights.models import DataExport, Departure, ExportStatus, RetentionSettings
from tests.conftest import PASSWORD
from tests.support.matrix import CLINICIANS, LOGIN, PARTNERS, Redirect, Route, check, matrix, pages

MINE = Redirect("/account/data/")


@dataclass
class World:
    export: DataExport
    token: str
    practice: Any

    @property
    def ids(self) -> dict[str, Any]:
        return {"export": self.export.pk, "token": self.token}


@pytest.fixture
def world(personas: dict[str, User | None], practice: Any) -> World:
    partner_a = personas["partner_a"]
    # A ready copy (its content is not what these rows test; see test_export for that).
    now = timezone.now()
    export = DataExport.objects.create(
        user=partner_a,
        status=ExportStatus.READY,
        content=base64.b64encode(b"a copy").decode(),
        ready_at=now,
        expires_at=now + actions.EXPORT_KEEP,
    )
    token = actions.make_download_link(partner_a, export.pk)
    actions.request_departure(partner_a)
    return World(export=export, token=token, practice=practice)


def exports(world: World) -> Any:
    return sorted(DataExport.objects.values_list("pk", "token_hash"))


def departures(world: World) -> Any:
    return sorted(Departure.objects.values_list("pk", "cancelled_at"))


def retention(world: World) -> Any:
    found = RetentionSettings.for_practice(world.practice)
    return (found.grace_days, found.retention_years)


ROUTES = [
    Route("own data page", "GET", "/account/data/", pages(**PARTNERS)),
    Route(
        "prepare a copy",
        "POST",
        "/account/data/copy/",
        pages(partner_a=MINE, partner_b=MINE),
        state=exports,
        # partner_a's copy is already waiting: asking again finds it.
        unchanged=frozenset({"partner_a"}),
    ),
    Route(
        "make a download link",
        "POST",
        "/account/data/copy/{export}/link/",
        pages(partner_a=Redirect("/account/data/download/"), partner_b=MINE),
        state=exports,
        unchanged=frozenset({"partner_b"}),
    ),
    Route(
        "download a copy",
        "GET",
        "/account/data/download/{token}/",
        {**pages(partner_a=200), "anonymous": LOGIN},
        state=exports,
        unchanged=frozenset({"partner_a"}),  # the token stays, the content goes
    ),
    Route(
        "delete account page", "GET", "/account/data/delete/", pages(partner_a=MINE, partner_b=200)
    ),
    Route(
        "ask to delete the account",
        "POST",
        "/account/data/delete/",
        pages(partner_a=MINE, partner_b=MINE),
        data={"password": PASSWORD, "confirm": "on"},
        state=departures,
        unchanged=frozenset({"partner_a"}),  # already asked
    ),
    Route(
        "keep the account",
        "POST",
        "/account/data/delete/cancel/",
        pages(partner_a=MINE, partner_b=MINE),
        state=departures,
        unchanged=frozenset({"partner_b"}),  # nothing to cancel
    ),
    Route("partners leaving", "GET", "/caseload/leaving/", pages(**CLINICIANS)),
    Route("retention settings", "GET", "/practice/data/", pages(admin=200)),
    Route(
        "change retention settings",
        "POST",
        "/practice/data/",
        pages(admin=Redirect("/practice/data/")),
        data={"grace_days": 21, "retention_years": 10},
        state=retention,
    ),
]


@pytest.mark.parametrize(("route", "persona"), matrix(ROUTES))
def test_data_rights_route_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    check(route, persona, world, client_for(persona), json_body=False)
