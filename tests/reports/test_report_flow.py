"""Asking for a report, the queue preparing it, and the person who asked downloading it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from retrust.core.models import AuditEvent
from retrust.reports import actions, render
from retrust.reports.models import Report, State
from tests.conftest import signed_in_client
from tests.reports.conftest import PHQ9_TITLE, World, pdf_text
from tests.support.mail import run_queued_tasks


def queued() -> int:
    """Jobs waiting in the configured queue (the database's table, or Redis)."""
    if settings.RETRUST_TASKS == "rq":
        import django_rq

        return int(django_rq.get_queue("default").count)
    return DBTaskResult.objects.count()


def ask(client: Any, case_id: int, version: str) -> Any:
    return client.post(f"/cases/{case_id}/reports/new/", {"version": version})


def test_a_double_click_makes_one_job_then_the_link_appears(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    priya = signed_in_client(world.partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(priya, world.case.pk, "couple")
        second = ask(priya, world.case.pk, "couple")
    assert first.status_code == second.status_code == 302
    assert Report.objects.count() == 1
    assert queued() == 1
    page = priya.get(f"/cases/{world.case.pk}/reports/").content.decode()
    assert "Being prepared" in page and 'hx-trigger="every 2s"' in page

    run_queued_tasks()

    report = Report.objects.get()
    assert report.state == State.READY and report.pages and report.pages >= 1
    page = priya.get(f"/cases/{world.case.pk}/reports/", HTTP_HX_REQUEST="true").content.decode()
    assert page.lstrip().startswith('<section id="report-list"')  # the list alone, for htmx
    assert "hx-trigger" not in page  # nothing left to wait for: polling stops
    assert f"/cases/{world.case.pk}/reports/{report.pk}/download/" in page

    download = priya.get(f"/cases/{world.case.pk}/reports/{report.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    assert "attachment" in download["Content-Disposition"]
    assert download.content.startswith(b"%PDF")
    # A partner's request and download are their own business: kept, listed for nobody.
    rows = AuditEvent.objects.filter(action__startswith="retrust.report.")
    assert sorted(rows.values_list("action", "private")) == [
        ("retrust.report.downloaded", True),
        ("retrust.report.requested", True),
    ]


def test_the_clinicians_report_is_audited_and_stored_encrypted(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    dana = signed_in_client(world.clinician)
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(dana, world.case.pk, "clinician").status_code == 302
    run_queued_tasks()
    report = Report.objects.get()
    assert report.state == State.READY
    requested = AuditEvent.objects.get(action="retrust.report.requested")
    assert requested.actor == world.clinician and not requested.private
    assert requested.details == {"version": "clinician"}
    # The database holds ciphertext, not the PDF.
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM reports_report WHERE id = %s", [report.pk])
        stored = cursor.fetchone()[0]
    assert not stored.startswith("JVBER")  # base64 of "%PDF"
    assert PHQ9_TITLE in pdf_text(report.pdf)


def test_a_partner_cannot_ask_for_the_clinicians_version(world: World) -> None:
    response = ask(signed_in_client(world.partner_b), world.case.pk, "clinician")
    assert response.status_code == 400
    assert "Choose which report you would like." in response.content.decode()
    assert not Report.objects.exists()


def test_an_expired_report_is_emptied_and_says_so(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    priya = signed_in_client(world.partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        ask(priya, world.case.pk, "couple")
    run_queued_tasks()
    report = Report.objects.get()
    Report.objects.filter(pk=report.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = priya.get(f"/cases/{world.case.pk}/reports/{report.pk}/download/")
    assert response.status_code == 410
    assert "This one has expired" in response.content.decode()
    call_command("report", "--purge-expired")
    assert Report.objects.get().content is None
    assert actions.purge_expired() == 0


def test_someone_who_lost_the_case_before_the_render_gets_no_report(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    dana = signed_in_client(world.clinician)
    with django_capture_on_commit_callbacks(execute=True):
        ask(dana, world.case.pk, "clinician")
    world.case.clinicians.remove(world.clinician)
    run_queued_tasks()
    report = Report.objects.get()
    assert (report.state, report.failure, report.content) == (State.FAILED, "no access", None)


def test_a_render_past_its_time_limit_fails_kindly(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "TIME_LIMIT_SECONDS", 0.001)
    priya = signed_in_client(world.partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        ask(priya, world.case.pk, "couple")
    run_queued_tasks()
    report = Report.objects.get()
    assert (report.state, report.failure) == (State.FAILED, "timeout")
    page = priya.get(f"/cases/{world.case.pk}/reports/").content.decode()
    assert "We couldn't prepare this one in time" in page
    # Asking again is possible straight away.
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(priya, world.case.pk, "couple").status_code == 302
    assert Report.objects.filter(state=State.PENDING).count() == 1


def test_a_task_run_twice_renders_once(world: World) -> None:
    from retrust.core import policy

    access = policy.case_access(world.partner_a, world.case.pk, as_=policy.PARTNER)
    report, created = actions.request_report(access, "couple")
    assert created
    assert actions.render_report(report.pk) == State.READY
    assert actions.render_report(report.pk) == "taken"


def test_the_reports_page_runs_the_same_queries_for_one_report_or_many(world: World) -> None:
    priya = signed_in_client(world.partner_a)
    url = f"/cases/{world.case.pk}/reports/"
    Report.objects.create(case=world.case, requested_by=world.partner_a, version="couple")
    priya.get(url)
    with CaptureQueriesContext(connection) as few:
        priya.get(url)
    for _ in range(12):
        Report.objects.create(
            case=world.case,
            requested_by=world.partner_a,
            version="couple",
            state=State.READY,
            content="eA==",
            expires_at=timezone.now() + timedelta(hours=1),
        )
    with CaptureQueriesContext(connection) as many:
        priya.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_report_command_says_what_it_needs(world: World) -> None:
    with pytest.raises(CommandError, match="Name --for, --out"):
        call_command("report", "--case", str(world.case.pk))


def test_the_report_command_writes_a_pdf(world: World, tmp_path: Any) -> None:
    out = tmp_path / "couple.pdf"
    call_command("report", "--case", str(world.case.pk), "--for", "couple", "--out", str(out))
    text = pdf_text(out.read_bytes())
    assert "Progress report" in text and PHQ9_TITLE not in text
    out = tmp_path / "clinician.pdf"
    call_command("report", "--case", str(world.case.pk), "--for", "clinician", "--out", str(out))
    assert PHQ9_TITLE in pdf_text(out.read_bytes())
    assert (
        AuditEvent.objects.filter(
            action="retrust.report.requested", details__via="command line"
        ).count()
        == 2
    )
