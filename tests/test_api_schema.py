"""The OpenAPI document describes what the server does (issue 11, hole 17).

Schemathesis generates requests from the document, valid and invalid, and checks each answer
against it: the status is documented, the body matches its schema, nothing crashes, bad input
is refused. It runs as a partner and as the case's clinician, with real tokens and a case that
has data in it, so the 200 paths are exercised as well as the 404s.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from retrust.api.api import api
from retrust.core import actions
from retrust.core.models import Case, User


def tokens(case: Case, partner_a: User, clinician: User) -> dict[str, str]:
    actions.write_journal_entry(partner_a, case, body="A calm evening", visibility="couple")
    return {
        "partner": actions.create_api_token(partner_a, "schema test")[1],
        "clinician": actions.create_api_token(clinician, "schema test")[1],
    }


def test_every_operation_documents_the_errors_it_can_answer() -> None:
    document = api.get_openapi_schema()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status in ("400", "401", "404", "409", "422"):
                assert status in operation["responses"], (method, path, status)


def test_request_schema_names_are_unique() -> None:
    """Two request bodies sharing a name make one route document the other's body."""
    document = api.get_openapi_schema()
    bodies = [
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        for methods in document["paths"].values()
        for operation in methods.values()
        if "requestBody" in operation
    ]
    names = {ref.rsplit("/", 1)[-1] for ref in bodies}
    components = document["components"]["schemas"]
    assert names <= set(components)


EXAMPLES = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request; inside a test's
    transaction that would close it under the test (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def walk_every_operation(token: str) -> None:
    """Every operation in the document, fed generated requests; each answer is checked."""
    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
        headers = {"Authorization": f"Bearer {token}"}
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 20
        for operation in operations:

            @given(case=operation.as_strategy())
            @EXAMPLES
            def exercise(case: Any) -> None:
                case.call_and_validate(headers=headers)

            exercise()


@pytest.mark.django_db
def test_the_api_keeps_to_its_document_for_a_partner(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    walk_every_operation(tokens(case, partner_a, clinician)["partner"])


@pytest.mark.django_db
def test_the_api_keeps_to_its_document_for_the_clinician(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    walk_every_operation(tokens(case, partner_a, clinician)["clinician"])
