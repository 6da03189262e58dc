"""The notification routes in the persona-matrix table: one row per route, every persona.

Settings are the signed-in person's own (there is no address for anyone else's); the email
page and a retry are the practice admin's; the unsubscribe link works without signing in, for
the one person and kinds it was made for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from retrust.core.models import User
from retrust.notifications.mail import unsubscribe_token
from retrust.notifications.models import Notification, Status
from tests.support.matrix import SIGNED_IN, Redirect, Route, check, matrix, pages


@dataclass
class World:
    failed: Notification
    token: str

    @property
    def ids(self) -> dict[str, Any]:
        return {"failed": self.failed.pk, "token": self.token}


@pytest.fixture
def world(personas: dict[str, User | None], practice: Any) -> World:
    partner_b = personas["partner_b"]
    assert partner_b is not None
    failed = Notification.objects.create(
        recipient=partner_b,
        practice=practice,
        kind="homework",
        subject="x:1",
        status=Status.FAILED,
        attempts=6,
    )
    return World(failed=failed, token=unsubscribe_token(partner_b.pk, [failed.pk]))


def failed_state(world: World) -> Any:
    return Notification.objects.filter(pk=world.failed.pk).values_list("status", "attempts").get()


EVERYONE = {"anonymous": 200, **SIGNED_IN}

ROUTES = [
    Route("own settings", "GET", "/account/notifications/", pages(**SIGNED_IN)),
    Route("unsubscribe asks first", "GET", "/notifications/unsubscribe/{token}/", EVERYONE),
    Route("email page", "GET", "/practice/notifications/", pages(admin=200)),
    Route(
        "retry a failed send",
        "POST",
        "/practice/notifications/{failed}/retry/",
        pages(admin=Redirect("/practice/notifications/")),
        state=failed_state,
    ),
]


@pytest.mark.parametrize(("route", "persona"), matrix(ROUTES))
def test_notification_route_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    check(route, persona, world, client_for(persona), json_body=False)
