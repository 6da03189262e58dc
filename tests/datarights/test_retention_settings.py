"""The practice admin's two numbers: bounded, explained when out of range, audited, and used by
the next request to delete an account. And the clinician's list reads a fixed number of
queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retrust.core.models import AuditEvent, CaseMember
from retrust.datarights import actions
from retrust.datarights.models import RetentionSettings
from tests.conftest import make_user, signed_in_client


@pytest.mark.parametrize(
    ("grace", "years", "message"),
    [
        ("3", "7", "at least 7 days to change their mind"),
        ("120", "7", "90 days at most"),
        ("14", "0", "at least 1 year"),
        ("14", "40", "30 years is the longest"),
        ("two weeks", "7", "whole number of days"),
        ("", "7", "whole number of days"),
    ],
)
def test_out_of_range_values_get_a_clear_message_and_save_nothing(
    admin: Any, practice: Any, grace: str, years: str, message: str
) -> None:
    response = signed_in_client(admin).post(
        "/practice/data/", {"grace_days": grace, "retention_years": years}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RetentionSettings.objects.exists()


def test_new_numbers_are_saved_audited_and_used_by_the_next_request(
    admin: Any, practice: Any, case: Any, partner_a: Any
) -> None:
    client = signed_in_client(admin)
    page = client.get("/practice/data/").content.decode()
    assert 'value="14"' in page and 'value="7"' in page
    response = client.post("/practice/data/", {"grace_days": "30", "retention_years": "10"})
    assert response.status_code == 302
    saved = RetentionSettings.objects.get(practice=practice)
    assert (saved.grace_days, saved.retention_years) == (30, 10)
    row = AuditEvent.objects.get(action="retrust.practice.retention.changed")
    assert row.details == {
        "old": {"grace_days": 14, "retention_years": 7},
        "new": {"grace_days": 30, "retention_years": 10},
    }
    client.post("/practice/data/", {"grace_days": "30", "retention_years": "10"})
    assert AuditEvent.objects.filter(action="retrust.practice.retention.changed").count() == 1
    departure = actions.request_departure(partner_a)
    assert (departure.shred_after - departure.requested_at).days == 30


def test_the_clinicians_list_reads_the_same_queries_however_many_are_leaving(
    clinician: Any, case: Any, partner_a: Any, practice: Any
) -> None:
    client = signed_in_client(clinician)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/caseload/leaving/").status_code == 200
        return len(queries)

    actions.request_departure(partner_a)
    small = count()
    for n in range(15):
        other_case = case.__class__.objects.create(practice=practice, label=f"Case {n}")
        other_case.clinicians.add(clinician)
        person = make_user(f"p{n}@example.org", f"P{n}")
        CaseMember.objects.create(case=other_case, user=person, role="partner_a")
        actions.request_departure(person, now=timezone.now())
    page = client.get("/caseload/leaving/").content.decode()
    assert "P14" in page
    assert count() == small
