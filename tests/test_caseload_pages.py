"""The caseload, 50 cases a page: the same queries for page one of 60 cases or of 160."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import signed_in_client
from tests.test_query_counts import add_cases


def rows(response) -> int:
    return response.content.decode().count('<th scope="row">')


def test_the_caseload_shows_fifty_cases_a_page_and_keeps_the_filters(practice, clinician):
    add_cases(practice, clinician, 120)
    client = signed_in_client(clinician)
    first = client.get("/caseload/?sort=name")
    assert rows(first) == 50
    text = first.content.decode()
    assert "Cases 1–50 of 120" in text
    assert "?sort=name&amp;page=2" in text
    last = client.get("/caseload/?sort=name&page=3")
    assert rows(last) == 20
    assert "Cases 101–120 of 120" in last.content.decode()
    # The htmx partial pages the same way.
    partial = client.get("/caseload/?page=2", HTTP_HX_REQUEST="true")
    assert rows(partial) == 50
    assert "<html" not in partial.content.decode()


def test_a_page_of_the_caseload_costs_the_same_whatever_the_caseload(practice, clinician):
    client = signed_in_client(clinician)
    add_cases(practice, clinician, 60)
    client.get("/caseload/")
    with CaptureQueriesContext(connection) as smaller:
        assert rows(client.get("/caseload/")) == 50
    add_cases(practice, clinician, 100)
    with CaptureQueriesContext(connection) as larger:
        assert rows(client.get("/caseload/")) == 50
    assert len(larger) == len(smaller)
