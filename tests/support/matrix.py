"""The persona-matrix harness: every route is a row saying what each persona gets.

A row (``Route``) names a URL, its method and, per persona, the exact status or redirect;
``matrix`` turns rows into one test case per persona and ``check`` runs one case, asserting
that a POST changed state for exactly the personas allowed to change it. Every URL name and
every OpenAPI operation must have a row somewhere (``tests/test_route_coverage.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pytest
from django.test import Client

from tests.conftest import PERSONAS


class Redirect(NamedTuple):
    """302 to this path (formatted with the world's ids); a prefix is enough."""

    to: str


LOGIN = Redirect("/accounts/login/?next=")
HOME = Redirect("/start/")
Expected = int | Redirect


def pages(**allowed: Expected) -> dict[str, Expected]:
    """Everyone not named gets 404; anonymous visitors are sent to sign in."""
    table: dict[str, Expected] = {persona: 404 for persona in PERSONAS}
    table["anonymous"] = LOGIN
    table.update(allowed)
    return table


def api(**allowed: Expected) -> dict[str, Expected]:
    """Everyone not named gets a JSON 404; anonymous callers get 401."""
    table: dict[str, Expected] = {persona: 404 for persona in PERSONAS}
    table["anonymous"] = 401
    table.update(allowed)
    return table


SIGNED_IN = {persona: 200 for persona in PERSONAS if persona != "anonymous"}
PARTNERS = {"partner_a": 200, "partner_b": 200}
IN_CASE = {**PARTNERS, "clinician": 200}
CLINICIANS = {"clinician": 200, "other_clinician": 200, "other_practice_clinician": 200}
STAFF_TO_START = {
    "clinician": HOME,
    "other_clinician": HOME,
    "other_practice_clinician": HOME,
    "admin": HOME,
}


def succeeded(expected: Expected) -> bool:
    if isinstance(expected, Redirect):
        return expected != LOGIN
    return 200 <= expected < 300


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    url: str
    expect: dict[str, Expected]
    data: dict[str, Any] = field(default_factory=dict)
    # A snapshot of what the request may change; the world may be any fixture with ``ids``.
    state: Callable[[Any], Any] | None = None
    # Personas whose allowed request changes nothing (a kind no-op, e.g. a repeat): default none.
    unchanged: frozenset[str] = frozenset()


def matrix(routes: list[Route]) -> list[Any]:
    return [
        pytest.param(route, persona, id=f"{route.method} {route.name}-{persona}")
        for route in routes
        for persona in PERSONAS
    ]


def call(client: Client, route: Route, url: str, data: dict[str, Any], *, json_body: bool) -> Any:
    if route.method == "GET":
        return client.get(url)
    if json_body:  # POST, PUT, …: the same JSON body
        return getattr(client, route.method.lower())(url, data, content_type="application/json")
    return client.post(url, data)


def _filled(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_filled(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, ids) for key, item in value.items()}
    return value


def check(route: Route, persona: str, world: Any, client: Client, *, json_body: bool) -> Any:
    """One persona on one route: the exact status, and a change only where one is allowed."""
    ids = world.ids
    url = route.url.format(**ids)
    # String values may name the world's objects too, e.g. {"partner": "{partner_a}"}, also
    # inside lists and nested objects of a JSON body.
    data = _filled(route.data, ids)
    expected = route.expect[persona]
    before = route.state(world) if route.state else None

    response = call(client, route, url, data, json_body=json_body)

    if isinstance(expected, Redirect):
        assert response.status_code == 302, (url, persona, response.status_code)
        assert response["Location"].startswith(expected.to.format(**ids)), response["Location"]
    else:
        assert response.status_code == expected, (url, persona, response.status_code)
    if route.state is not None:
        after = route.state(world)
        if succeeded(expected) and persona not in route.unchanged:
            assert after != before, f"{persona} should have changed something at {url}"
        else:
            assert after == before, f"{persona} changed something at {url}"
    return response
