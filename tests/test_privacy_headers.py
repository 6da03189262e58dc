"""Hole 16: nothing personal stays in a cache, and pages ask for no device features.

Every response to a signed-in person and every API response (the FHIR export included)
answers ``Cache-Control: no-store``; static files stay cacheable; every page carries the
``Permissions-Policy`` built from one setting.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from retrust.core import actions
from tests.conftest import signed_in_client

PARTNER_PAGES = [
    "/home/",
    "/start/",
    "/account/",
    "/account/password/",
    "/journal/{entry}/",
    "/checkins/",
    "/talk/",
    "/agreements/",
    "/cases/{case}/agreements/",
    "/cases/{case}/ledger/",
    "/cases/{case}/talk/",
    "/cases/{case}/triggers/",
    "/program/{case}/",
    "/help/",
    "/no/such/page/",
]
CLINICIAN_PAGES = [
    "/caseload/",
    "/cases/{case}/",
    "/cases/{case}/measures/",
    "/cases/{case}/program/",
    "/cases/{case}/agreements/",
    "/exercises/",
    "/journal/{entry}/",
    "/account/",
]
ADMIN_PAGES = ["/practice/", "/practice/audit/", "/account/"]
API_ROUTES = [
    "/api/v1/me",
    "/api/v1/cases",
    "/api/v1/cases/{case}",
    "/api/v1/cases/{case}/members",
    "/api/v1/cases/{case}/agreements",
    "/api/v1/cases/{case}/commitments",
    "/api/v1/measures/due",
    "/api/v1/no-such-route/",
]


def assert_no_store(response, url: str) -> None:
    assert response.status_code < 500, url
    assert "no-store" in response.get("Cache-Control", ""), url


@pytest.fixture
def ids(case, partner_a, partner_b, clinician, admin) -> dict[str, int]:
    entry = actions.write_journal_entry(partner_a, case, body="For both", visibility="couple")
    return {"case": case.pk, "entry": entry.pk}


@pytest.mark.parametrize(
    ("persona", "pages"),
    [("partner_a", PARTNER_PAGES), ("clinician", CLINICIAN_PAGES), ("admin", ADMIN_PAGES)],
)
def test_every_signed_in_page_says_no_store(persona, pages, ids, request):
    client = signed_in_client(request.getfixturevalue(persona))
    for page in pages:
        url = page.format(**ids)
        assert_no_store(client.get(url), url)


def test_a_redirect_for_a_signed_in_person_says_no_store_too(ids, partner_a):
    response = signed_in_client(partner_a).get("/")
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("auth", ["token", "session"])
def test_every_api_answer_says_no_store(auth, ids, partner_a):
    if auth == "token":
        _, raw = actions.create_api_token(partner_a, "script")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    else:
        client = signed_in_client(partner_a)
    for route in API_ROUTES:
        url = route.format(**ids)
        assert_no_store(client.get(url), url)


def test_the_fhir_export_says_no_store(ids, clinician):
    _, raw = actions.create_api_token(clinician, "export")
    url = f"/api/v1/cases/{ids['case']}/measures/fhir"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert_no_store(response, url)


def test_an_api_refusal_to_a_stranger_says_no_store(db):
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]


def test_static_files_stay_cacheable(db):
    response = Client().get("/static/retrust/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_every_page_turns_off_device_features(ids, partner_a):
    for client, url in [
        (Client(), "/"),
        (Client(), "/accounts/login/"),
        (signed_in_client(partner_a), "/home/"),
        (signed_in_client(partner_a), "/api/v1/me"),
    ]:
        header = client.get(url)["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in header, (url, feature)


def test_the_permissions_policy_comes_from_one_setting(db):
    from retrust.core.middleware import permissions_policy_header

    policy = {"camera": ["self"], "microphone": ["self", '"https://meet.example.org"']}
    assert (
        permissions_policy_header(policy)
        == 'camera=(self), microphone=(self "https://meet.example.org")'
    )
    with override_settings(RETRUST_PERMISSIONS_POLICY=policy):
        header = Client().get("/")["Permissions-Policy"]
    assert header == 'camera=(self), microphone=(self "https://meet.example.org")'
