"""The JSON API: how callers authenticate, what it documents, and how it says no.

Who may reach which route is walked persona by persona in ``test_access_matrix``; this file
covers the API's own contract: bearer tokens, session auth with CSRF and two-factor, the
OpenAPI document, and JSON errors that name the field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from retrust.core import actions
from retrust.core.models import ApiToken, Case, JournalEntry, User
from tests.conftest import signed_in_client


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def journal_url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/journal"


def post_json(client: Client, url: str, data: Any, **kwargs: Any) -> Any:
    return client.post(url, data, content_type="application/json", **kwargs)


# --- bearer tokens --------------------------------------------------------------------------


def test_token_authenticates_as_its_owner(partner_a: User) -> None:
    token, raw = actions.create_api_token(partner_a, "export")
    assert raw.startswith("rt_")
    assert token.token_hash != raw  # only the hash is stored

    response = Client().get("/api/v1/me", headers=bearer(raw))

    assert response.status_code == 200
    assert response.json()["email"] == "ari@example.org"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_reads_cases_and_journal(case: Case, partner_a: User, partner_b: User) -> None:
    _, raw = actions.create_api_token(partner_b, "phone")
    actions.write_journal_entry(partner_a, case, body="shared with Bo", visibility="couple")
    actions.write_journal_entry(partner_a, case, body="kept to myself", visibility="private")
    client = Client()

    cases = client.get("/api/v1/cases", headers=bearer(raw)).json()
    journal = client.get(journal_url(case), headers=bearer(raw)).json()

    assert [(c["id"], c["my_role"]) for c in cases] == [(case.pk, "partner_b")]
    assert [entry["body"] for entry in journal] == ["shared with Bo"]


def test_token_writes_without_csrf(case: Case, partner_a: User) -> None:
    _, raw = actions.create_api_token(partner_a, "script")
    client = Client(enforce_csrf_checks=True)

    response = post_json(
        client,
        journal_url(case),
        {"body": "from my script", "visibility": "clinician"},
        headers=bearer(raw),
    )

    assert response.status_code == 201
    body = response.json()
    assert body["body"] == "from my script"
    assert body["visibility"] == "clinician"
    assert body["mine"] is True
    entry = JournalEntry.objects.get(pk=body["id"])
    assert (entry.author_id, entry.case_id) == (partner_a.pk, case.pk)


def test_staff_token_works_without_a_session(case: Case, clinician: User) -> None:
    # The token was created on the account page, which requires two-factor sign-in.
    _, raw = actions.create_api_token(clinician, "reporting")
    response = Client().get(f"/api/v1/cases/{case.pk}", headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["my_role"] == "clinician"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rt_not-a-real-token",
        "Bearer ",
        "Token rt_wrong-scheme",
        "rt_no-scheme-at-all",
    ],
)
def test_bad_tokens_get_401_json(header: str, partner_a: User) -> None:
    actions.create_api_token(partner_a, "real one")
    response = Client().get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Bearer" in response.json()["detail"]


def test_revoked_token_stops_working(partner_a: User) -> None:
    token, raw = actions.create_api_token(partner_a, "old laptop")
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 200

    actions.revoke_api_token(partner_a, token)

    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_token_of_a_deactivated_user_stops_working(partner_a: User) -> None:
    _, raw = actions.create_api_token(partner_a, "script")
    partner_a.is_active = False
    partner_a.save(update_fields=["is_active"])
    assert Client().get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_wrong_token_on_a_write_is_401_not_a_csrf_error(case: Case, partner_a: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = post_json(
        client, journal_url(case), {"body": "hello"}, headers=bearer("rt_revoked-long-ago")
    )
    assert response.status_code == 401
    assert JournalEntry.objects.count() == 0


def test_anonymous_write_is_401_even_with_csrf_enforced(case: Case) -> None:
    response = post_json(Client(enforce_csrf_checks=True), journal_url(case), {"body": "hi"})
    assert response.status_code == 401
    assert JournalEntry.objects.count() == 0


def test_token_of_another_person_cannot_reach_their_case(
    case: Case, partner_a: User, other_practice_clinician: User
) -> None:
    _, raw = actions.create_api_token(other_practice_clinician, "mine")
    client = Client()
    for url in [f"/api/v1/cases/{case.pk}", f"/api/v1/cases/{case.pk}/members", journal_url(case)]:
        response = client.get(url, headers=bearer(raw))
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}
    response = post_json(client, journal_url(case), {"body": "x"}, headers=bearer(raw))
    assert response.status_code == 404
    assert JournalEntry.objects.count() == 0


# --- session auth ---------------------------------------------------------------------------


def csrf_client(user: User) -> tuple[Client, str]:
    """A signed-in client that enforces CSRF, and the token a page handed it."""
    client = signed_in_client(user)
    client.handler.enforce_csrf_checks = True
    client.get("/account/")
    return client, client.cookies["csrftoken"].value


def test_session_read_needs_no_csrf_token(case: Case, partner_a: User) -> None:
    client, _ = csrf_client(partner_a)
    assert client.get("/api/v1/cases").status_code == 200


def test_session_write_without_csrf_token_is_refused(case: Case, partner_a: User) -> None:
    client, _ = csrf_client(partner_a)
    response = post_json(client, journal_url(case), {"body": "forged"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "CSRF" in response.json()["detail"]
    assert JournalEntry.objects.count() == 0


def test_session_write_with_csrf_token_works(case: Case, partner_a: User) -> None:
    client, token = csrf_client(partner_a)
    response = post_json(
        client, journal_url(case), {"body": "from the page"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201
    assert response.json()["visibility"] == "private"  # the default is the narrowest
    assert JournalEntry.objects.get().body == "from the page"


def test_staff_session_without_two_factor_is_401(case: Case, clinician: User) -> None:
    client = Client()
    client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
    for url in ["/api/v1/me", "/api/v1/cases", f"/api/v1/cases/{case.pk}", journal_url(case)]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("persona", ["clinician", "admin"])
def test_staff_session_with_two_factor_works(
    persona: str, case: Case, client_for: Callable[[str], Client]
) -> None:
    response = client_for(persona).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["roles"] == [persona]


def test_partner_session_needs_no_two_factor(case: Case, partner_a: User) -> None:
    client = Client()
    client.force_login(partner_a, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/me").json()["roles"] == ["partner_a"]


# --- the OpenAPI document -------------------------------------------------------------------


def test_openapi_document_lists_every_route(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "retrust API"
    paths = spec["paths"]
    # The core's routes; each app's router adds its own and tests them beside its code.
    assert set(paths) >= {
        "/api/v1/me",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/members",
        "/api/v1/cases/{case_id}/journal",
    }
    assert set(paths["/api/v1/cases/{case_id}/journal"]) == {"get", "post"}
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            assert operation.get("security"), (method, path)


def test_openapi_document_describes_auth_and_visibility(db: None) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["TokenAuth"].items()
    assert schemes["VerifiedSessionAuth"]["in"] == "cookie"
    journal_in = spec["components"]["schemas"]["JournalIn"]
    assert journal_in["required"] == ["body"]
    visibility = spec["components"]["schemas"]["Visibility"]
    assert visibility["enum"] == ["private", "clinician", "couple"]


def test_api_docs_page_is_served(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert "openapi.json" in response.content.decode()


# --- errors ---------------------------------------------------------------------------------


def locs(response: Any) -> list[list[str]]:
    return [error["loc"] for error in response.json()["detail"]]


@pytest.mark.parametrize(
    ("payload", "status", "loc"),
    [
        ({"body": "hi", "visibility": "everyone"}, 422, ["body", "visibility"]),
        ({"body": "hi", "visibility": ""}, 422, ["body", "visibility"]),
        ({"visibility": "couple"}, 422, ["body", "body"]),
        ({"body": ""}, 422, ["body", "body"]),
        ({"body": "x" * 10_001}, 422, ["body", "body"]),
        ({"body": 42}, 422, ["body", "body"]),
        ({}, 422, ["body", "body"]),
        ([], 422, ["body", "body"]),
        # Passes the schema, refused by the action: still names the field, still JSON.
        ({"body": "   \n  "}, 400, ["body", "body"]),
    ],
    ids=[
        "unknown visibility",
        "empty visibility",
        "missing body",
        "empty body",
        "too long",
        "not a string",
        "empty object",
        "a list",
        "only whitespace",
    ],
)
def test_bad_journal_input_is_json_naming_the_field(
    payload: Any,
    status: int,
    loc: list[str],
    case: Case,
    client_for: Callable[[str], Client],
) -> None:
    response = post_json(client_for("partner_a"), journal_url(case), payload)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert loc in locs(response)
    assert all(error["msg"] for error in response.json()["detail"])
    assert JournalEntry.objects.count() == 0


def test_empty_request_body_is_422_naming_body(
    case: Case, client_for: Callable[[str], Client]
) -> None:
    response = client_for("partner_a").post(journal_url(case), b"", content_type="application/json")
    assert response.status_code == 422
    assert ["body"] in locs(response)
    assert JournalEntry.objects.count() == 0


def test_unparseable_json_is_a_json_400(case: Case, client_for: Callable[[str], Client]) -> None:
    response = client_for("partner_a").post(
        journal_url(case), b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert JournalEntry.objects.count() == 0


def test_non_numeric_case_id_is_422_naming_the_path(
    case: Case, client_for: Callable[[str], Client]
) -> None:
    response = client_for("partner_a").get("/api/v1/cases/not-a-number")
    assert response.status_code == 422
    assert ["path", "case_id"] in locs(response)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here", "/api/v1/cases/1/secrets", "/api/v1/", "/api/v2/me"],
)
def test_unknown_api_route_is_json_404(
    path: str, case: Case, client_for: Callable[[str], Client]
) -> None:
    response = client_for("partner_a").get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}


def test_unknown_api_route_is_json_404_for_anonymous(db: None) -> None:
    response = Client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_another_case_id_is_json_404(
    case: Case, other_practice_case: Case, client_for: Callable[[str], Client]
) -> None:
    client = client_for("partner_a")
    for url in [
        f"/api/v1/cases/{other_practice_case.pk}",
        f"/api/v1/cases/{other_practice_case.pk}/members",
        f"/api/v1/cases/{other_practice_case.pk}/journal",
        "/api/v1/cases/999999",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}
    response = post_json(client, journal_url(other_practice_case), {"body": "hello"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert JournalEntry.objects.count() == 0


def test_a_missing_case_and_a_forbidden_case_look_the_same(
    case: Case, other_practice_case: Case, client_for: Callable[[str], Client]
) -> None:
    client = client_for("partner_b")
    forbidden = client.get(f"/api/v1/cases/{other_practice_case.pk}")
    missing = client.get("/api/v1/cases/999999")
    assert (forbidden.status_code, forbidden.content) == (missing.status_code, missing.content)


# --- reads by clinicians are audited --------------------------------------------------------


def test_clinician_journal_read_is_audited_without_the_text(
    case: Case, partner_a: User, client_for: Callable[[str], Client]
) -> None:
    from retrust.core.models import AuditEvent

    actions.write_journal_entry(partner_a, case, body="for Dana", visibility="clinician")
    client_for("clinician").get(journal_url(case))
    event = AuditEvent.objects.filter(action="retrust.case.content.viewed").get()
    assert event.case_id == case.pk
    # One rule for clinical reads, page and API alike (CaseAccess.read): what, not how many.
    assert event.details == {"what": "journal_entries"}
    assert event.actor_email == "clinician@example.org"
