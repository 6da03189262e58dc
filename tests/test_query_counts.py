"""Pages answer in a constant number of SQL queries, however much data is behind them.

DESIGN.md §5 "Speed": a test with small and large data asserts the same count. Each test
warms the page up once, counts the queries with a little data, adds a lot more of the same
kind of data, and counts again. No magic numbers: only "the same as with less data".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import count

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retrust.core.models import (
    AuditEvent,
    Case,
    CaseMember,
    Invitation,
    JournalEntry,
    Practice,
    User,
    hash_token,
)
from tests.conftest import make_staff, make_user

_serial: Iterator[int] = count(1)


def queries_for(client: Client, url: str, expected_status: int = 200) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == expected_status, url
    return [query["sql"] for query in captured.captured_queries]


def assert_constant(client: Client, url: str, grow: Callable[[], object]) -> None:
    """Same number of queries before and after ``grow`` adds data behind ``url``."""
    client.get(url)  # warm-up: per-process caches (content types, templates) fill here
    small = queries_for(client, url)
    grow()
    large = queries_for(client, url)
    assert len(large) == len(small), "\n".join(
        ["Queries grew with the data:", "--- small ---", *small, "--- large ---", *large]
    )


# --- data builders --------------------------------------------------------------------------


def add_cases(practice: Practice, clinician: User, n: int) -> list[Case]:
    """``n`` cases of ``clinician``, each with two partners and some invitations."""
    now = timezone.now()
    cases = []
    for _ in range(n):
        i = next(_serial)
        case = Case.objects.create(
            practice=practice,
            label=f"Couple {i}",
            status=["intake", "active", "maintenance"][i % 3],
            track=["conjoint", "individual", "discernment"][i % 3],
        )
        case.clinicians.add(clinician)
        for role in ("partner_a", "partner_b"):
            user = make_user(f"p{i}-{role}@example.org", f"P{i}{role[-1]}")
            CaseMember.objects.create(
                case=case, user=user, role=role, last_active_at=now - timedelta(days=i % 5)
            )
        Invitation.objects.bulk_create(
            [
                Invitation(
                    practice=practice,
                    case=case,
                    role="partner_b",
                    email=f"again{i}-{state}@example.org",
                    token_hash=hash_token(f"tok-{i}-{state}"),
                    created_by=clinician,
                    expires_at=now + timedelta(days=7 if state != "expired" else -1),
                    revoked_at=now if state == "revoked" else None,
                )
                for state in ("pending", "revoked", "expired")
            ]
        )
        cases.append(case)
    return cases


def add_entries(case: Case, authors: list[User], n: int) -> None:
    now = timezone.now()
    visibilities = ["private", "clinician", "couple"]
    JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                case=case,
                author=authors[i % len(authors)],
                visibility=visibilities[i % 3],
                body=f"Entry {next(_serial)}: a line about today.",
                created_at=now - timedelta(minutes=i),
            )
            for i in range(n)
        ]
    )


def add_audit_events(practice: Practice, actors: list[User], cases: list[Case], n: int) -> None:
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                created_at=now - timedelta(seconds=i),
                actor=actors[i % len(actors)],
                actor_email=actors[i % len(actors)].email,
                action=["retrust.case.created", "retrust.journal.written"][i % 2],
                practice=practice,
                case=cases[i % len(cases)],
                target_type="core.case",
                target_id=str(cases[i % len(cases)].pk),
                details={"n": next(_serial), "visibility": "couple"},
            )
            for i in range(n)
        ]
    )


# --- the clinician's workspace --------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["", "?sort=name", "?status=active", "?track=conjoint&sort=opened"]
)
def test_caseload_is_constant_in_cases(
    query: str, practice: Practice, clinician: User, client_for: Callable[[str], Client]
) -> None:
    add_cases(practice, clinician, 2)
    client = client_for("clinician")
    assert_constant(client, f"/caseload/{query}", lambda: add_cases(practice, clinician, 28))


def test_caseload_htmx_fragment_is_constant_in_cases(
    practice: Practice, clinician: User, client_for: Callable[[str], Client]
) -> None:
    add_cases(practice, clinician, 2)
    client = client_for("clinician")
    client.defaults["HTTP_HX_REQUEST"] = "true"
    assert_constant(client, "/caseload/", lambda: add_cases(practice, clinician, 28))


def test_caseload_counts_only_pending_invitations(
    practice: Practice, clinician: User, client_for: Callable[[str], Client]
) -> None:
    # Each built case has one pending, one withdrawn and one expired invitation: the
    # annotation must count one, not three (and must not be multiplied by the joins).
    add_cases(practice, clinician, 3)
    text = client_for("clinician").get("/caseload/").content.decode()
    assert text.count("· 1 invited") == 3
    assert "· 2 invited" not in text and "· 3 invited" not in text


def test_case_detail_is_constant_in_entries_and_people(
    case: Case,
    practice: Practice,
    partner_a: User,
    partner_b: User,
    clinician: User,
    client_for: Callable[[str], Client],
) -> None:
    add_entries(case, [partner_a, partner_b], 2)
    client = client_for("clinician")

    def grow() -> None:
        add_entries(case, [partner_a, partner_b], 38)
        for i in range(3):
            colleague = make_staff(practice, f"co{next(_serial)}@example.org", "clinician")
            case.clinicians.add(colleague)
            Invitation.objects.create(
                practice=practice,
                case=case,
                role="partner_b",
                email=f"old{i}@example.org",
                token_hash=hash_token(f"old-{next(_serial)}"),
                expires_at=timezone.now() - timedelta(days=1),
            )

    assert_constant(client, f"/cases/{case.pk}/", grow)


def test_case_detail_of_a_case_still_inviting_is_constant(
    practice: Practice, clinician: User, client_for: Callable[[str], Client]
) -> None:
    case = Case.objects.create(practice=practice, label="Waiting", status="invited")
    case.clinicians.add(clinician)
    Invitation.objects.create(
        practice=practice,
        case=case,
        role="partner_a",
        email="first@example.org",
        token_hash=hash_token("first"),
        expires_at=timezone.now() + timedelta(days=7),
    )
    client = client_for("clinician")

    def grow() -> None:
        for i in range(10):
            Invitation.objects.create(
                practice=practice,
                case=case,
                role="partner_b",
                email=f"gone{i}@example.org",
                token_hash=hash_token(f"gone-{next(_serial)}"),
                expires_at=timezone.now() + timedelta(days=7),
                revoked_at=timezone.now(),
            )

    assert_constant(client, f"/cases/{case.pk}/", grow)


# --- the partner's home ---------------------------------------------------------------------


def test_partner_home_is_constant_in_entries(
    case: Case, partner_a: User, partner_b: User, client_for: Callable[[str], Client]
) -> None:
    add_entries(case, [partner_a, partner_b], 2)
    client = client_for("partner_a")
    assert_constant(client, "/home/", lambda: add_entries(case, [partner_a, partner_b], 38))


def test_partner_home_is_constant_in_cases(
    case: Case,
    practice: Practice,
    clinician: User,
    partner_a: User,
    partner_b: User,
    client_for: Callable[[str], Client],
) -> None:
    """A person in several cases (say, an earlier closed one) gets one page, not N queries."""
    add_entries(case, [partner_a, partner_b], 2)
    client = client_for("partner_a")

    def grow() -> None:
        for i in range(4):
            other = Case.objects.create(
                practice=practice, label=f"Earlier {i}", status="closed", track="individual"
            )
            other.clinicians.add(clinician)
            CaseMember.objects.create(case=other, user=partner_a, role="partner_a")
            add_entries(other, [partner_a], 5)

    assert_constant(client, "/home/", grow)


# --- the practice admin's pages -------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?page=2", "?action=retrust.case", "?actor=clinician"])
def test_audit_log_is_constant_in_events(
    query: str,
    practice: Practice,
    case: Case,
    clinician: User,
    admin: User,
    client_for: Callable[[str], Client],
) -> None:
    # Enough for a second page even in the small set, so "?page=2" is a real page both times.
    add_audit_events(practice, [clinician, admin], [case], 55)
    client = client_for("admin")
    assert_constant(
        client,
        f"/practice/audit/{query}",
        lambda: add_audit_events(practice, [clinician, admin], [case], 200),
    )


def test_audit_log_first_page_small_vs_large(
    practice: Practice, case: Case, clinician: User, client_for: Callable[[str], Client]
) -> None:
    add_audit_events(practice, [clinician], [case], 5)
    client = client_for("admin")
    assert_constant(
        client, "/practice/audit/", lambda: add_audit_events(practice, [clinician], [case], 195)
    )


def test_practice_page_is_constant_in_staff_and_cases(
    practice: Practice, clinician: User, client_for: Callable[[str], Client]
) -> None:
    add_cases(practice, clinician, 2)
    client = client_for("admin")

    def grow() -> None:
        add_cases(practice, clinician, 10)
        for _ in range(10):
            make_staff(practice, f"staff{next(_serial)}@example.org", "clinician")

    assert_constant(client, "/practice/", grow)


# --- the API --------------------------------------------------------------------------------


def test_api_case_list_is_constant_in_cases(
    practice: Practice, clinician: User, client_for: Callable[[str], Client]
) -> None:
    add_cases(practice, clinician, 2)
    client = client_for("clinician")
    assert_constant(client, "/api/v1/cases", lambda: add_cases(practice, clinician, 28))
    assert (
        len(client.get("/api/v1/cases").json()) == Case.objects.filter(clinicians=clinician).count()
    )


def test_api_case_list_for_a_partner_is_constant(
    case: Case,
    practice: Practice,
    clinician: User,
    partner_a: User,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("partner_a")

    def grow() -> None:
        for i in range(5):
            other = Case.objects.create(practice=practice, label=f"Earlier {i}", status="closed")
            CaseMember.objects.create(case=other, user=partner_a, role="partner_a")

    assert_constant(client, "/api/v1/cases", grow)


@pytest.mark.parametrize("persona", ["partner_a", "clinician"])
def test_api_journal_is_constant_in_entries(
    persona: str,
    case: Case,
    partner_a: User,
    partner_b: User,
    client_for: Callable[[str], Client],
) -> None:
    add_entries(case, [partner_a, partner_b], 3)
    client = client_for(persona)
    url = f"/api/v1/cases/{case.pk}/journal"
    assert_constant(client, url, lambda: add_entries(case, [partner_a, partner_b], 60))
