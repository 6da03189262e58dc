"""The fixed cost of a page: what every signed-in page asks before its own content.

Measured on ``/account/`` (its own content is two or three small queries). Before the page
benchmark (docs/benchmarks.md, "Key pages at 1,000 and 100,000 cases") a partner's page asked
whether they were practice staff twice and whether they took part in a case once more (18
queries here); a clinician's asked for their roles, whether they were a partner, whether they
were a clinician, and loaded their whole caseload for the "Leaving" badge (12 here). Now one
query (``policy.roles``) answers who the person is for the whole request, and the badge reads
the caseload only when someone is leaving.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retrust.core import policy
from retrust.core.models import Case, CaseMember, ClinicianMembership, User
from retrust.datarights.models import Departure
from tests.conftest import make_user, signed_in_client

# Partner: session, user, who they are (policy.roles), the "waiting for you" badge (their
# cases, then eight sources), the unread-messages badge; the page: authenticator?, tokens.
PARTNER_ACCOUNT_QUERIES = 15
# Clinician: session, user, their authenticator (django-otp), who they are, the "Leaving"
# badge (open deletions); the page: authenticator (twice), departure, tokens.
CLINICIAN_ACCOUNT_QUERIES = 8


def queries_for(client: Client, url: str) -> list[str]:
    client.get(url)  # warm-up: per-process caches fill here
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries]


def asking_who(queries: list[str]) -> list[str]:
    return [sql for sql in queries if 'FROM "core_clinicianmembership"' in sql]


def test_a_partner_page_asks_who_the_person_is_once(partner_a: User, partner_b: User) -> None:
    queries = queries_for(signed_in_client(partner_a), "/account/")
    assert len(asking_who(queries)) == 1, "\n".join(queries)
    assert len(queries) == PARTNER_ACCOUNT_QUERIES, "\n".join(queries)


def test_a_clinician_page_asks_once_and_reads_no_caseload_for_the_menu(
    clinician: User, case: Case
) -> None:
    queries = queries_for(signed_in_client(clinician), "/account/")
    assert len(asking_who(queries)) == 1, "\n".join(queries)
    assert not [sql for sql in queries if 'FROM "core_case"' in sql], "\n".join(queries)
    assert len(queries) == CLINICIAN_ACCOUNT_QUERIES, "\n".join(queries)


def test_the_leaving_badge_still_counts_a_partner_who_is_leaving(
    clinician: User, case: Case, partner_a: User
) -> None:
    Departure.objects.create(
        user=partner_a, case_ids=[case.pk], shred_after=timezone.now() + timedelta(days=30)
    )
    page = signed_in_client(clinician).get("/account/")
    assert page.context["nav"]["clinician"]
    badges = {entry["url"]: entry["badge"] for entry in page.context["nav"]["entries"]}
    assert 1 in badges.values()


def test_roles_names_each_capacity_once(practice: object, case: Case) -> None:
    both = make_user("both@example.org")
    ClinicianMembership.objects.create(practice=practice, user=both, role="clinician")
    ClinicianMembership.objects.create(
        practice=type(practice).objects.create(name="Second", slug="second"),
        user=both,
        role="admin",
    )
    CaseMember.objects.create(case=case, user=both, role="partner_a")
    assert policy.roles(both) == {"clinician", "admin", "partner"}
    nobody = make_user("nobody@example.org")
    assert policy.roles(nobody) == frozenset()
    # Kept for the request: the same object does not ask again.
    with CaptureQueriesContext(connection) as again:
        policy.roles(both)
    assert len(again) == 0
