"""The clinician's case timeline: what happened, a page at a time; reads merged per window."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from retrust.core import audit
from retrust.core.models import AuditEvent
from tests.conftest import signed_in_client
from tests.support.audit import ten_minutes_pass


def viewed(case) -> int:
    return AuditEvent.objects.filter(case=case, action=audit.CONTENT_VIEWED).count()


def test_a_clinicians_repeated_read_within_ten_minutes_adds_no_row(clinician, case, partner_a):
    client = signed_in_client(clinician)
    client.get(f"/api/v1/cases/{case.pk}/journal")
    client.get(f"/api/v1/cases/{case.pk}/journal")
    client.get(f"/api/v1/cases/{case.pk}/journal")
    assert viewed(case) == 1
    ten_minutes_pass()
    client.get(f"/api/v1/cases/{case.pk}/journal")
    assert viewed(case) == 2


def test_another_clinician_or_another_kind_of_content_gets_its_own_row(
    clinician, other_clinician, case, partner_a
):
    case.clinicians.add(other_clinician)
    audit.record_content_viewed(clinician, case, "journal_entries")
    audit.record_content_viewed(clinician, case, "agreements")
    audit.record_content_viewed(other_clinician, case, "journal_entries")
    audit.record_content_viewed(clinician, case, "journal_entries")
    assert viewed(case) == 3


def add_events(case, clinician, count: int) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=clinician,
            actor_email=clinician.email,
            action="retrust.case.note.written" if n % 2 else audit.CONTENT_VIEWED,
            case=case,
            practice=case.practice,
        )
        for n in range(count)
    )


def timeline_rows(response) -> int:
    page = response.content.decode()
    return page[page.index('id="timeline-title"') :].split("</section>")[0].count("<li>")


def test_the_timeline_leaves_out_reads_and_pages_through_the_rest(clinician, case):
    add_events(case, clinician, 60)  # 30 notes written, 30 reads
    client = signed_in_client(clinician)
    first = client.get(f"/cases/{case.pk}/")
    body = first.content.decode()
    assert timeline_rows(first) == audit.TIMELINE_PAGE
    assert audit.CONTENT_VIEWED not in body.split('id="timeline-title"')[1]
    assert "Older events" in body
    second = client.get(f"/cases/{case.pk}/?timeline=2")
    assert timeline_rows(second) == 30 - audit.TIMELINE_PAGE
    assert "Newer events" in second.content.decode()


def test_the_case_page_runs_the_same_queries_with_a_long_timeline(clinician, case):
    client = signed_in_client(clinician)
    add_events(case, clinician, 10)
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as small:
        client.get(f"/cases/{case.pk}/")
    add_events(case, clinician, 2_000)
    with CaptureQueriesContext(connection) as large:
        client.get(f"/cases/{case.pk}/")
    assert len(large) == len(small)
