"""The persona matrix for the front door: public pages for everyone, requests for the
practice's own staff only (another practice gets 404, never 403)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from retrust.core.models import Case, Practice, User
from retrust.frontdoor import actions, emails
from retrust.frontdoor.models import (
    Article,
    ClinicianProfile,
    ConsultationRequest,
    PracticePage,
    PracticeUpdate,
    Subscriber,
)
from tests.conftest import PERSONAS
from tests.frontdoor.conftest import request_data
from tests.support.matrix import Redirect, Route, check, matrix, pages

EVERYONE = {persona: 200 for persona in PERSONAS}
SENT = Redirect("/p/quiet-harbour/consultation/sent/")
STAFF = {"clinician": 200, "other_clinician": 200, "admin": 200}


@dataclass
class World:
    ids: dict[str, Any]


@pytest.fixture
def world(  # one published practice: /practice-info/ leads to it
    personas: dict[str, User | None],
    practice: Practice,
    other_practice: Practice,
    case: Case,
    public_page: PracticePage,
    clinician: User,
) -> World:
    ours = actions.request_consultation(
        practice, address="10.0.0.1", submission_key="ours", data=request_data("ours")
    )[0]
    theirs = actions.request_consultation(
        other_practice, address="10.0.0.2", submission_key="theirs", data=request_data("theirs")
    )[0]
    article = Article.objects.create(practice=practice, title="Ours", body="B", published=True)
    other_article = Article.objects.create(
        practice=other_practice, title="Theirs", body="B", published=True
    )
    partner_link = actions.issue_partner_link(ours.pk)
    pending = actions.subscribe(practice, email="waiting@example.net", address="10.0.0.3")
    listed = actions.subscribe(practice, email="listed@example.net", address="10.0.0.3")
    Subscriber.objects.filter(pk=listed.pk).update(status="confirmed")
    theirs_listed = actions.subscribe(other_practice, email="t@example.net", address="10.0.0.4")
    return World(
        ids={
            "partner_link": partner_link,
            "article": article.pk,
            "other_article": other_article.pk,
            "slug": practice.slug,
            "request": ours.pk,
            "other_request": theirs.pk,
            "clinician_id": clinician.pk,
            "confirm": emails.confirm_token(pending.pk, pending.nonce),
            "unsubscribe": emails.unsubscribe_token(listed.pk),
            "other_unsubscribe": emails.unsubscribe_token(theirs_listed.pk),
            "other_slug": other_practice.slug,
        }
    )


def requests(world: World) -> Any:
    return sorted(ConsultationRequest.objects.values_list("id", "practice_id"))


def request_states(world: World) -> Any:
    return sorted(ConsultationRequest.objects.values_list("id", "status"))


def opened_cases(world: World) -> Any:
    return sorted(ConsultationRequest.objects.values_list("id", "case_id", "status"))


def subscribers(world: World) -> Any:
    return sorted(Subscriber.objects.values_list("id", "email", "status", "signed_up_at"))


def updates(world: World) -> Any:
    return sorted(PracticeUpdate.objects.values_list("id", "practice_id", "subject"))


def articles(world: World) -> Any:
    return sorted(Article.objects.values_list("id", "practice_id", "title"))


def page_texts(world: World) -> Any:
    return sorted(PracticePage.objects.values_list("practice_id", "about", "published"))


def profiles(world: World) -> Any:
    return sorted(ClinicianProfile.objects.values_list("practice_id", "user_id", "bio"))


PAGE_ROUTES = [
    Route("default_practice", "GET", "/practice-info/", {p: Redirect("/p/") for p in PERSONAS}),
    Route("practice_public", "GET", "/p/{slug}/", EVERYONE),
    Route("self_check", "GET", "/p/{slug}/self-check/", EVERYONE),
    Route(
        "self_check",
        "POST",
        "/p/{slug}/self-check/",
        EVERYONE,
        data={"arguments": "often", "afraid": "no"},
        state=requests,
        # A reflection writes nothing, for anyone.
        unchanged=frozenset(PERSONAS),
    ),
    Route("practice_resources", "GET", "/p/{slug}/resources/", EVERYONE),
    Route("practice_article", "GET", "/p/{slug}/resources/{article}/", EVERYONE),
    # Another practice's article is not found under this practice's path, for anyone.
    Route(
        "practice_article",
        "GET",
        "/p/{slug}/resources/{other_article}/",
        {p: 404 for p in PERSONAS},
    ),
    Route("new_article", "GET", "/practice/public-page/articles/new/", pages(admin=200)),
    Route(
        "new_article",
        "POST",
        "/practice/public-page/articles/new/",
        pages(admin=Redirect("/practice/public-page/")),
        data={"title": "Why trust takes time", "body": "Slowly.", "published": "on"},
        state=articles,
    ),
    Route("edit_article", "GET", "/practice/public-page/articles/{article}/", pages(admin=200)),
    Route(
        "edit_article",
        "POST",
        "/practice/public-page/articles/{other_article}/",
        pages(),
        data={"title": "Taken over", "body": "x"},
        state=articles,
    ),
    Route("consultation", "GET", "/p/{slug}/consultation/", EVERYONE),
    Route(
        "consultation",
        "POST",
        "/p/{slug}/consultation/",
        {p: SENT for p in PERSONAS},
        data=request_data("matrix"),
        state=requests,
    ),
    Route(
        "join_consultation",
        "GET",
        "/p/{slug}/consultation/join/{partner_link}/",
        EVERYONE,
    ),
    Route(
        "join_consultation",
        "POST",
        "/p/{slug}/consultation/join/{partner_link}/",
        {p: SENT for p in PERSONAS},
        data=request_data("partner-part", name="Alex", contact="alex@example.net"),
        state=requests,
    ),
    # A made-up or used link is not found, for anyone: nothing confirms a request exists.
    Route(
        "join_consultation",
        "GET",
        "/p/{slug}/consultation/join/not-a-link/",
        {p: 404 for p in PERSONAS},
    ),
    Route("consultation_sent", "GET", "/p/{slug}/consultation/sent/", EVERYONE),
    Route(
        "consultation_requests",
        "GET",
        "/practice/consultations/",
        pages(**STAFF, other_practice_clinician=200),
    ),
    Route("consultation_request", "GET", "/practice/consultations/{request}/", pages(**STAFF)),
    Route(
        "consultation_request",
        "GET",
        "/practice/consultations/{other_request}/",
        pages(other_practice_clinician=200),
    ),
    Route(
        "move_consultation_request",
        "POST",
        "/practice/consultations/{request}/move/",
        pages(**{p: Redirect("/practice/consultations/{request}/") for p in STAFF}),
        data={"expected": "new", "to": "screened", "text": "Called back, safe to email."},
        state=request_states,
    ),
    Route(
        "move_consultation_request",
        "POST",
        "/practice/consultations/{other_request}/move/",
        pages(other_practice_clinician=Redirect("/practice/consultations/{other_request}/")),
        data={"expected": "new", "to": "declined", "text": ""},
        state=request_states,
    ),
    Route(
        "open_case_from_request",
        "POST",
        "/practice/consultations/{request}/open-case/",
        pages(clinician=Redirect("/cases/"), other_clinician=Redirect("/cases/")),
        data={"track": "individual"},
        state=opened_cases,
    ),
    Route(
        "open_case_from_request",
        "POST",
        "/practice/consultations/{other_request}/open-case/",
        pages(other_practice_clinician=Redirect("/cases/")),
        data={"track": "individual"},
        state=opened_cases,
    ),
    Route("updates_signup", "GET", "/p/{slug}/updates/", EVERYONE),
    Route(
        "updates_signup",
        "POST",
        "/p/{slug}/updates/",
        {p: Redirect("/p/{slug}/updates/sent/") for p in PERSONAS},
        data={"email": "new@example.net"},
        state=subscribers,
    ),
    Route("updates_sent", "GET", "/p/{slug}/updates/sent/", EVERYONE),
    # The link is the key: whoever holds it may confirm; a made-up one is not found.
    Route("updates_confirm", "GET", "/p/{slug}/updates/confirm/{confirm}/", EVERYONE),
    Route(
        "updates_confirm",
        "POST",
        "/p/{slug}/updates/confirm/{confirm}/",
        EVERYONE,
        state=subscribers,
    ),
    Route(
        "updates_confirm",
        "POST",
        "/p/{slug}/updates/confirm/made-up/",
        {p: 404 for p in PERSONAS},
        state=subscribers,
    ),
    Route("updates_unsubscribe", "GET", "/p/{slug}/updates/unsubscribe/{unsubscribe}/", EVERYONE),
    Route(
        "updates_unsubscribe",
        "POST",
        "/p/{slug}/updates/unsubscribe/{unsubscribe}/",
        EVERYONE,
        state=subscribers,
    ),
    # Another practice's link under this practice's path finds nothing and changes nothing.
    Route(
        "updates_unsubscribe",
        "POST",
        "/p/{slug}/updates/unsubscribe/{other_unsubscribe}/",
        {p: 404 for p in PERSONAS},
        state=subscribers,
    ),
    Route("updates_admin", "GET", "/practice/updates/", pages(admin=200)),
    Route(
        "updates_admin",
        "POST",
        "/practice/updates/",
        pages(admin=Redirect("/practice/updates/")),
        data={
            "subject": "New evening group",
            "body": "We **start** in May.",
            "submission_key": "m",
        },
        state=updates,
    ),
    Route("updates_export", "GET", "/practice/updates/export.csv", pages(admin=200)),
    Route("practice_page_edit", "GET", "/practice/public-page/", pages(admin=200)),
    Route(
        "practice_page_edit",
        "POST",
        "/practice/public-page/",
        pages(admin=Redirect("/practice/public-page/")),
        data={"published": "on", "about": "Changed", "fees": "", "contact": ""},
        state=page_texts,
    ),
    Route(
        "save_clinician_profile",
        "POST",
        "/practice/public-page/clinicians/",
        pages(admin=Redirect("/practice/public-page/")),
        data={"clinician": "{clinician_id}", "bio": "Works with couples.", "listed": "on"},
        state=profiles,
    ),
]


@pytest.mark.parametrize(("route", "persona"), matrix(PAGE_ROUTES))
def test_page_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, world, client_for(persona), json_body=False)
    if response.status_code == 404:
        assert "sam@example.net" not in response.content.decode()


def test_the_table_covers_every_frontdoor_route() -> None:
    from django.urls import get_resolver

    from retrust.frontdoor import urls

    names = {p.name for p in urls.urlpatterns}
    assert names <= set(get_resolver().reverse_dict.keys())
    assert names == {row.name for row in PAGE_ROUTES}
