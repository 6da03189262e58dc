"""Who may open which messages page and API route: every persona, exact statuses.

A partner's private thread is theirs and the clinician's: the other partner gets 404 for it,
exactly like a stranger, whether or not anything was ever written there. Another clinician,
another practice and the practice admin get 404 for every thread.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from retrust.threads.models import ReadMarker, ThreadSettings
from tests.support.matrix import (
    IN_CASE,
    Redirect,
    Route,
    api,
    check,
    matrix,
    pages,
)
from tests.threads.conftest import ThreadWorld, messages_state

A_AND_CLINICIAN = {"partner_a": 200, "clinician": 200}
B_AND_CLINICIAN = {"partner_b": 200, "clinician": 200}
THREAD_A = Redirect("/cases/{case}/messages/{a}/")
THREAD_B = Redirect("/cases/{case}/messages/{b}/")
TOGETHER = Redirect("/cases/{case}/messages/{together}/")


def read_state(world: ThreadWorld) -> list[tuple[int, int, int]]:
    return sorted(ReadMarker.objects.values_list("thread_id", "user_id", "last_read_id"))


def settings_state(world: ThreadWorld) -> list[tuple[str, str]]:
    return list(ThreadSettings.objects.values_list("notice", "reply_time"))


PAGE_ROUTES = [
    Route(
        "messages home",
        "GET",
        "/messages/",
        pages(
            partner_a=Redirect("/cases/{case}/messages/"),
            partner_b=Redirect("/cases/{case}/messages/"),
        ),
    ),
    Route("case messages", "GET", "/cases/{case}/messages/", pages(**IN_CASE)),
    Route(
        "other practice messages",
        "GET",
        "/cases/{other_case}/messages/",
        pages(other_practice_clinician=200),
    ),
    Route("a's private thread", "GET", "/cases/{case}/messages/{a}/", pages(**A_AND_CLINICIAN)),
    Route("b's private thread", "GET", "/cases/{case}/messages/{b}/", pages(**B_AND_CLINICIAN)),
    Route("couple thread", "GET", "/cases/{case}/messages/{together}/", pages(**IN_CASE)),
    Route("no such thread", "GET", "/cases/{case}/messages/{nowhere}/", pages()),
    Route(
        "write in a's private thread",
        "POST",
        "/cases/{case}/messages/{a}/",
        pages(partner_a=THREAD_A, clinician=THREAD_A),
        data={"body": "A few words"},
        state=messages_state,
    ),
    Route(
        "write in b's private thread",
        "POST",
        "/cases/{case}/messages/{b}/",
        pages(partner_b=THREAD_B, clinician=THREAD_B),
        data={"body": "A few words"},
        state=messages_state,
    ),
    Route(
        "write together",
        "POST",
        "/cases/{case}/messages/{together}/",
        pages(partner_a=TOGETHER, partner_b=TOGETHER, clinician=TOGETHER),
        data={"body": "A few words"},
        state=messages_state,
    ),
    Route(
        "write in another practice's thread",
        "POST",
        "/cases/{other_case}/messages/{a}/",
        pages(other_practice_clinician=Redirect("/cases/{other_case}/messages/{a}/")),
        data={"body": "A few words"},
        state=messages_state,
    ),
    Route("message settings", "GET", "/practice/messages/", pages(admin=200)),
    Route(
        "change message settings",
        "POST",
        "/practice/messages/",
        pages(admin=Redirect("/practice/messages/")),
        data={"notice": "Not for emergencies, please.", "reply_time": "Within a day."},
        state=settings_state,
    ),
]

API_ROUTES = [
    Route("api threads", "GET", "/api/v1/cases/{case}/threads", api(**IN_CASE)),
    Route(
        "api a's private thread",
        "GET",
        "/api/v1/cases/{case}/threads/{a}",
        api(**A_AND_CLINICIAN),
    ),
    Route(
        "api b's private thread",
        "GET",
        "/api/v1/cases/{case}/threads/{b}",
        api(**B_AND_CLINICIAN),
    ),
    Route("api couple thread", "GET", "/api/v1/cases/{case}/threads/{together}", api(**IN_CASE)),
    Route(
        "api write in a's private thread",
        "POST",
        "/api/v1/cases/{case}/threads/{a}/messages",
        api(partner_a=201, clinician=201),
        data={"body": "A few words"},
        state=messages_state,
    ),
    Route(
        "api write together",
        "POST",
        "/api/v1/cases/{case}/threads/{together}/messages",
        api(partner_a=201, partner_b=201, clinician=201),
        data={"body": "A few words"},
        state=messages_state,
    ),
    Route(
        # Ari has not read the clinician's reply yet; the clinician has read everything (the
        # newest message is theirs), so for them it is a kind no-op.
        "api mark a's private thread read",
        "POST",
        "/api/v1/cases/{case}/threads/{a}/read",
        api(partner_a=200, clinician=200),
        data={"up_to": 1_000_000},
        state=read_state,
        unchanged=frozenset({"clinician"}),
    ),
]


@pytest.mark.parametrize(("route", "persona"), matrix(PAGE_ROUTES))
def test_message_pages(
    route: Route, persona: str, thread_world: ThreadWorld, client_for: Callable[[str], Client]
) -> None:
    check(route, persona, thread_world, client_for(persona), json_body=False)


@pytest.mark.parametrize(("route", "persona"), matrix(API_ROUTES))
def test_message_api(
    route: Route, persona: str, thread_world: ThreadWorld, client_for: Callable[[str], Client]
) -> None:
    check(route, persona, thread_world, client_for(persona), json_body=True)


def test_a_404_page_carries_none_of_the_threads_words(
    thread_world: ThreadWorld, client_for: Callable[[str], Client]
) -> None:
    from tests.threads.conftest import A_PRIVATE, REPLY_TO_A

    for persona, url in [
        ("partner_b", "/cases/{case}/messages/{a}/"),
        ("other_clinician", "/cases/{case}/messages/{together}/"),
        ("admin", "/api/v1/cases/{case}/threads/{a}"),
    ]:
        response = client_for(persona).get(url.format(**thread_world.ids))
        assert response.status_code == 404
        text = response.content.decode()
        assert A_PRIVATE not in text and REPLY_TO_A not in text
