"""Who may open what in the communication tools: every page and API route, every persona.

The same table style as tests/test_access_matrix.py: exact status per persona, POSTs change
state for the right person only, and 404 pages never carry someone else's words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from retrust.conversations.models import (
    Break,
    Conversation,
    HurtfulMomentReview,
    ReviewAnswer,
    ReviewComment,
    TriggerEntry,
    Turn,
)
from retrust.core.models import User
from tests.conftest import PERSONAS
from tests.conversations.conftest import (
    ANSWER_A,
    DRAFT_B,
    OTHER_STATEMENT,
    PRIVATE_TRIGGER,
    SHARED_TRIGGER,
    STATEMENT,
    TalkWorld,
    rows,
)
from tests.support.matrix import LOGIN, Redirect, Route, api, check, matrix, pages

PARTNERS = {"partner_a": 200, "partner_b": 200}
IN_CASE = {**PARTNERS, "clinician": 200}
CONVERSATION = Redirect("/conversations/")


def state(model: Any, *fields: str) -> Callable[[Any], Any]:
    return lambda world: rows(model, *fields)


PAGE_ROUTES = [
    Route(
        "talk home",
        "GET",
        "/talk/",
        pages(partner_a=Redirect("/cases/{case}/talk/"), partner_b=Redirect("/cases/{case}/talk/")),
    ),
    Route("talk", "GET", "/cases/{case}/talk/", pages(**IN_CASE)),
    Route(
        "talk other practice",
        "GET",
        "/cases/{other_case}/talk/",
        pages(other_practice_clinician=200),
    ),
    Route("gentle start", "GET", "/cases/{case}/gentle-start/", pages(**PARTNERS)),
    Route(
        "gentle start send",
        "POST",
        "/cases/{case}/gentle-start/",
        pages(partner_a=CONVERSATION, partner_b=CONVERSATION),
        data={"feeling": "worried", "situation": "the late nights", "need": "a text by ten"},
        state=state(Conversation, "case_id"),
    ),
    Route(
        "gentle start in other case",
        "POST",
        "/cases/{other_case}/gentle-start/",
        pages(),
        data={"feeling": "worried", "situation": "the late nights", "need": "a text by ten"},
        state=state(Conversation, "case_id"),
    ),
    Route(
        "open conversation",
        "POST",
        "/cases/{case}/conversations/new/",
        pages(partner_a=CONVERSATION, partner_b=CONVERSATION),
        data={"topic": "Weekends"},
        state=state(Conversation, "case_id"),
    ),
    Route("conversation", "GET", "/conversations/{conversation}/", pages(**IN_CASE)),
    Route(
        "other practice conversation",
        "GET",
        "/conversations/{other_conversation}/",
        pages(other_practice_clinician=200),
    ),
    Route(
        # Only the listener (partner_b) may sum up now; the speaker gets a clear 400.
        "summarise",
        "POST",
        "/conversations/{conversation}/turns/",
        pages(partner_a=400, partner_b=Redirect("/conversations/{conversation}/")),
        data={"kind": "summary", "body": "You felt alone at dinner.", "expected_seq": 1},
        state=state(Turn, "kind"),
    ),
    Route(
        "call a break",
        "POST",
        "/conversations/{conversation}/break/",
        pages(
            partner_a=Redirect("/conversations/{conversation}/"),
            partner_b=Redirect("/conversations/{conversation}/"),
        ),
        data={"minutes": 30},
        state=state(Break, "returns_at"),
    ),
    Route(
        "coach feedback",
        "POST",
        "/coach/feedback/",
        pages(**PARTNERS),
        data={"body": "You never listen."},
    ),
    Route(
        # The same check, as a coached breach report or review answer posts it.
        "coach check of a named field",
        "POST",
        "/coach/feedback/",
        pages(**PARTNERS),
        data={"coach_field": "what_happened", "what_happened": "You never listen."},
    ),
    Route(
        "open review",
        "POST",
        "/cases/{case}/reviews/new/",
        pages(partner_a=Redirect("/reviews/"), partner_b=Redirect("/reviews/")),
        data={"title": "The phone call"},
        state=state(HurtfulMomentReview, "case_id"),
    ),
    Route("review", "GET", "/reviews/{review}/", pages(**IN_CASE)),
    Route(
        # partner_b still has a draft; partner_a has finished and can no longer change theirs.
        "answer review",
        "POST",
        "/reviews/{review}/",
        pages(partner_b=Redirect("/reviews/{review}/")),
        data={"answer-felt": "Cornered, then sad", "then": "draft"},
        state=state(ReviewAnswer, "felt", "visibility"),
    ),
    Route(
        "comment on review",
        "POST",
        "/reviews/{review}/comment/",
        pages(clinician=Redirect("/reviews/{review}/")),
        data={"body": "Thank you both; let's start here on Tuesday."},
        state=state(ReviewComment, "body"),
    ),
    Route("triggers", "GET", "/cases/{case}/triggers/", pages(**IN_CASE)),
    Route(
        "log trigger",
        "POST",
        "/cases/{case}/triggers/",
        pages(
            partner_a=Redirect("/cases/{case}/triggers/"),
            partner_b=Redirect("/cases/{case}/triggers/"),
        ),
        data={"what_happened": "A song", "intensity": 3, "visibility": "private"},
        state=state(TriggerEntry, "author_id"),
    ),
]

API_ROUTES = [
    Route("coach", "POST", "/api/v1/coach", api(**PARTNERS), data={"text": "You never listen."}),
    Route("conversations", "GET", "/api/v1/cases/{case}/conversations", api(**IN_CASE)),
    Route(
        "open conversation",
        "POST",
        "/api/v1/cases/{case}/conversations",
        api(partner_a=201, partner_b=201),
        data={"topic": "Money"},
        state=state(Conversation, "case_id"),
    ),
    Route(
        "open conversation in other case",
        "POST",
        "/api/v1/cases/{other_case}/conversations",
        api(),
        data={"topic": "Money"},
        state=state(Conversation, "case_id"),
    ),
    Route("conversation", "GET", "/api/v1/conversations/{conversation}", api(**IN_CASE)),
    Route(
        "summarise",
        "POST",
        "/api/v1/conversations/{conversation}/turns",
        api(partner_a=400, partner_b=201),
        data={"kind": "summary", "body": "You felt alone at dinner.", "expected_seq": 1},
        state=state(Turn, "kind"),
    ),
    Route(
        "break",
        "POST",
        "/api/v1/conversations/{conversation}/breaks",
        api(partner_a=201, partner_b=201),
        data={"minutes": 45},
        state=state(Break, "returns_at"),
    ),
]

SECRETS = [PRIVATE_TRIGGER, SHARED_TRIGGER, STATEMENT, OTHER_STATEMENT, *ANSWER_A.values()]


@pytest.mark.parametrize(("route", "persona"), matrix(PAGE_ROUTES))
def test_page_access(
    route: Route, persona: str, talk_world: TalkWorld, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, talk_world, client_for(persona), json_body=False)  # type: ignore[arg-type]
    if response.status_code == 404:
        assert "text/html" in response["Content-Type"]
        page = response.content.decode()
        for secret in SECRETS:
            assert secret not in page


@pytest.mark.parametrize(("route", "persona"), matrix(API_ROUTES))
def test_api_access(
    route: Route, persona: str, talk_world: TalkWorld, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, talk_world, client_for(persona), json_body=True)  # type: ignore[arg-type]
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 404:
        assert response.json() == {"detail": "Not found."}


# --- what each persona's pages contain ---------------------------------------------------

READERS = {
    STATEMENT: {"partner_a", "partner_b", "clinician"},
    OTHER_STATEMENT: {"other_practice_clinician"},
    PRIVATE_TRIGGER: {"partner_a"},
    SHARED_TRIGGER: {"partner_a", "clinician"},
    # Finished but not yet revealed: the author and the clinician, not the other partner.
    ANSWER_A["past"]: {"partner_a", "clinician"},
    # A draft is its author's alone.
    DRAFT_B["felt"]: {"partner_b"},
}


def everything_seen_by(client: Client, world: TalkWorld) -> str:
    urls = [
        "/talk/",
        "/cases/{case}/talk/",
        "/cases/{other_case}/talk/",
        "/conversations/{conversation}/",
        "/conversations/{other_conversation}/",
        "/reviews/{review}/",
        "/cases/{case}/triggers/",
        "/cases/{other_case}/triggers/",
        "/api/v1/cases/{case}/conversations",
        "/api/v1/conversations/{conversation}",
        "/api/v1/conversations/{other_conversation}",
    ]
    return "\n".join(
        client.get(url.format(**world.ids), follow=True).content.decode() for url in urls
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_text_reaches_exactly_its_readers(
    persona: str, talk_world: TalkWorld, client_for: Callable[[str], Client]
) -> None:
    seen = everything_seen_by(client_for(persona), talk_world)
    for text, readers in READERS.items():
        assert (text in seen) == (persona in readers), (persona, text)


def test_anonymous_api_callers_get_401(talk_world: TalkWorld) -> None:
    response = Client().get(f"/api/v1/conversations/{talk_world.conversation.pk}")
    assert response.status_code == 401
    assert LOGIN.to.startswith("/accounts/login/")


__all__ = ["User"]


def test_the_openapi_document_lists_the_conversation_routes(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/coach",
        "/api/v1/cases/{case_id}/conversations",
        "/api/v1/conversations/{pk}",
        "/api/v1/conversations/{pk}/turns",
        "/api/v1/conversations/{pk}/breaks",
    } <= set(paths)
    for path in paths:
        if "conversation" in path or path.endswith("/coach"):
            for operation in paths[path].values():
                assert operation.get("summary") and operation.get("security"), path
