"""Every public page a visitor GETs: cacheable by a shared cache when it holds nothing personal
(``Cache-Control: public, max-age=300`` and ``Vary: Cookie``, no cookie set), never when it
carries a form's CSRF token or answers about one visitor; and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from retrust.frontdoor import actions
from retrust.frontdoor.models import Article, PracticePage

CACHEABLE = [
    "/p/quiet-harbour/",
    "/p/quiet-harbour/resources/",
    "/p/quiet-harbour/resources/{article}/",
    "/p/quiet-harbour/updates/sent/",
]
PRIVATE = [
    "/p/quiet-harbour/consultation/",
    "/p/quiet-harbour/consultation/sent/",
    "/p/quiet-harbour/updates/",
    "/p/quiet-harbour/updates/confirm/{confirm}/",
    "/p/quiet-harbour/updates/unsubscribe/{unsubscribe}/",
]


@pytest.fixture
def ids(public_page: PracticePage) -> dict[str, str]:
    from retrust.frontdoor import emails

    practice = public_page.practice
    article = Article.objects.create(practice=practice, title="T", body="B", published=True)
    found = actions.subscribe(practice, email="c@example.net", address="192.0.2.1")
    return {
        "article": str(article.pk),
        "confirm": emails.confirm_token(found.pk, found.nonce),
        "unsubscribe": emails.unsubscribe_token(found.pk),
    }


def test_pages_without_anything_personal_are_cacheable_for_visitors(ids: dict[str, str]) -> None:
    for url in CACHEABLE:
        response = Client().get(url.format(**ids))
        assert response.status_code == 200, url
        control = response["Cache-Control"]
        assert "public" in control and "max-age=300" in control, url
        assert "Cookie" in response["Vary"], url
        assert not response.cookies, url


def test_pages_with_a_form_or_a_personal_answer_are_never_cached(ids: dict[str, str]) -> None:
    for url in PRIVATE:
        response = Client().get(url.format(**ids))
        assert response.status_code == 200, url
        control = response["Cache-Control"]
        assert "public" not in control and ("no-store" in control or "no-cache" in control), url


@pytest.mark.parametrize("url", ["/p/quiet-harbour/updates/", "/p/quiet-harbour/updates/sent/"])
def test_the_updates_pages_answer_in_a_constant_number_of_queries(
    public_page: PracticePage, url: str
) -> None:
    counts = []
    for batch in (1, 15):
        for n in range(batch):
            actions.subscribe(
                public_page.practice, email=f"{len(counts)}-{n}@example.net", address=f"10.2.{n}.1"
            )
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
