"""Leave quickly (hole 3): on every partner page, it ends the session and opens a neutral page
at an address the practice chooses."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.test import Client, override_settings

from retrust.core import actions
from retrust.core.models import Case, User
from tests.conftest import signed_in_client
from tests.support.crawl import every_get_url

LEAVE_FORM = re.compile(
    r'<form class="leave-bar" method="post" action="/leave/" data-leave-quickly '
    r'data-leave-to="([^"]+)">\s*<input type="hidden" name="csrfmiddlewaretoken"'
)


def test_every_partner_page_has_leave_quickly(case: Case, partner_a: User, partner_b: User) -> None:
    entry = actions.write_journal_entry(partner_a, case, body="Mine", visibility="private")
    client = signed_in_client(partner_a)
    pages = 0
    for url in every_get_url(case.pk, [f"/journal/{entry.pk}/", f"/journal/{entry.pk}/delete/"]):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        if url.startswith("/api/") or url in {"/away/"}:
            continue
        body = response.content.decode()
        assert LEAVE_FORM.search(body), url
        assert "/static/retrust/guard.js" in body and "/static/retrust/leave.js" in body, url
        pages += 1
    assert pages >= 8


def test_leaving_ends_the_session_and_opens_the_neutral_page(partner_a: User) -> None:
    client = signed_in_client(partner_a)
    assert client.get("/home/").status_code == 200
    response = client.post("/leave/")
    assert response.status_code == 302 and response["Location"] == "/away/"
    assert client.get("/home/")["Location"].startswith("/accounts/login/")


def test_the_beacon_gets_an_empty_answer_and_ends_the_session(partner_a: User) -> None:
    client = signed_in_client(partner_a)
    response = client.post("/leave/", {"beacon": "1"})
    assert response.status_code == 204 and response.content == b""
    assert client.get("/home/")["Location"].startswith("/accounts/login/")


def test_leaving_needs_the_pages_csrf_token(partner_a: User) -> None:
    client = signed_in_client(partner_a)
    client.handler.enforce_csrf_checks = True
    assert client.post("/leave/", {"beacon": "1"}).status_code == 403
    assert client.get("/home/").status_code == 200  # a forged request signs nobody out
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get("/home/").content.decode()
    )
    assert token
    response = client.post("/leave/", {"beacon": "1", "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 204
    assert client.get("/home/")["Location"].startswith("/accounts/login/")


def test_leaving_leaves_no_message_for_the_next_visit(partner_a: User) -> None:
    client = signed_in_client(partner_a)
    client.post("/account/", {"name": "script"})  # leaves a message waiting, say
    client.post("/leave/")
    assert 'class="messages"' not in client.get("/accounts/login/").content.decode()


@override_settings(RETRUST_LEAVE_URL="https://weather.example.org/today")
def test_the_practice_chooses_where_leaving_goes(partner_a: User) -> None:
    client = signed_in_client(partner_a)
    found = LEAVE_FORM.search(client.get("/home/").content.decode())
    assert found and found.group(1) == "https://weather.example.org/today"
    assert client.post("/leave/")["Location"] == "https://weather.example.org/today"


def test_the_default_neutral_page_says_nothing_about_retrust(db: None) -> None:
    assert not getattr(settings, "RETRUST_LEAVE_URL", "")
    body = Client().get("/away/").content.decode().lower()
    assert "retrust" not in body and "therapy" not in body


def test_leaving_works_for_anyone(client_for: Callable[[str], Client]) -> None:
    for persona in ["anonymous", "clinician", "admin"]:
        assert client_for(persona).post("/leave/")["Location"] == "/away/"
