"""The only code that changes reports: asking for one, rendering it, letting it expire."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from retrust.core import audit, policy
from retrust.core.exceptions import ActionError
from retrust.core.policy import CaseAccess
from retrust.reports import content, render
from retrust.reports.models import Report, State, Version


def versions_for(access: CaseAccess) -> list[str]:
    """Which versions this person may ask for: the clinician both, a partner the couple's."""
    if access.is_clinician and not access.is_partner:
        return [Version.CLINICIAN, Version.COUPLE]
    return [Version.COUPLE]


def hours_kept() -> int:
    """How long a prepared report can be downloaded (``RETRUST_REPORT_HOURS``)."""
    return int(settings.RETRUST_REPORT_HOURS)


def request_report(access: CaseAccess, version: str) -> tuple[Report, bool]:
    """Queue one report for this person; a repeat while one is being prepared returns that one.

    Returns ``(report, created)``. The clinician's request is audited as theirs; a partner's is
    kept as their private activity (their clinician's timeline does not list it).
    """
    if version not in versions_for(access):
        raise ActionError("Choose which report you would like.", field="version")
    user = access.user
    with transaction.atomic():
        waiting = Report.objects.filter(
            case=access.case, requested_by=user, version=version, state=State.PENDING
        ).first()
        if waiting is not None:
            return waiting, False
        try:
            with transaction.atomic():
                report = Report.objects.create(case=access.case, requested_by=user, version=version)
        except IntegrityError:
            # Another request of the same person got there first (two tabs): the same job.
            return Report.objects.get(
                case=access.case, requested_by=user, version=version, state=State.PENDING
            ), False
        audit.record(
            user,
            "retrust.report.requested",
            target=report,
            case=access.case,
            details={"version": version},
            private=access.is_partner,
        )
        from retrust.reports import tasks

        transaction.on_commit(lambda: tasks.render_report.enqueue(report.pk))
    return report, True


def _claim(report_id: int, now: datetime) -> Report | None:
    """Only one worker renders a report: the one whose conditional update wins."""
    claimed = Report.objects.filter(pk=report_id, state=State.PENDING, started_at=None).update(
        started_at=now
    )
    if not claimed:
        return None
    return Report.objects.select_related("case", "requested_by").get(pk=report_id)


def _access_of(report: Report) -> CaseAccess:
    """The requester's way into the case *now*: someone who lost it since gets no report."""
    as_ = policy.CLINICIAN if report.version == Version.CLINICIAN else policy.MEMBER
    return policy.case_access(report.requested_by, report.case_id, as_=as_)


def build(access: CaseAccess, version: str, seconds: float | None = None) -> render.Rendered:
    """Read the content through the access and turn it into a PDF (no state change)."""
    context = content.report_context(access, version)
    context["generated_at"] = timezone.now()
    context["prepared_for"] = access.user
    html = render.html_for(context)
    return render.pdf_from_html(html, seconds or render.TIME_LIMIT_SECONDS)


def render_report(report_id: int, now: datetime | None = None) -> str:
    """Render a queued report (the task's body); returns its state. Safe to run twice."""
    now = now or timezone.now()
    purge_expired(now)
    report = _claim(report_id, now)
    if report is None:
        return "taken"
    failure = ""
    rendered = None
    try:
        access = _access_of(report)
        rendered = build(access, report.version)
    except Http404:
        failure = "no access"
    except render.RenderTimeout:
        failure = "timeout"
    with transaction.atomic():
        if rendered is None:
            Report.objects.filter(pk=report.pk).update(
                state=State.FAILED, failure=failure, finished_at=timezone.now()
            )
            return State.FAILED
        report.content = base64.b64encode(rendered.pdf).decode("ascii")
        report.state = State.READY
        report.finished_at = timezone.now()
        report.expires_at = report.finished_at + timedelta(hours=hours_kept())
        report.pages = rendered.pages
        report.size_bytes = len(rendered.pdf)
        report.save(
            update_fields=[
                "content",
                "state",
                "finished_at",
                "expires_at",
                "pages",
                "size_bytes",
            ]
        )
    return State.READY


def fail_stuck(report_id: int) -> None:
    """A render that raised something unexpected: say so instead of "being prepared" forever."""
    Report.objects.filter(pk=report_id, state=State.PENDING).update(
        state=State.FAILED, failure="error", finished_at=timezone.now()
    )


def purge_expired(now: datetime | None = None) -> int:
    """Empty the content of every report past its expiry; returns how many were emptied."""
    now = now or timezone.now()
    return Report.objects.filter(expires_at__lte=now, content__isnull=False).update(content=None)


def record_download(access: CaseAccess, report: Report) -> None:
    audit.record(
        access.user,
        "retrust.report.downloaded",
        target=report,
        case=access.case,
        details={"version": report.version},
        private=access.is_partner,
    )


def reports_of(access: CaseAccess, limit: int = 10) -> list[Report]:
    """This person's own reports of the case, newest first (never anyone else's)."""
    return list(
        Report.objects.filter(case=access.case, requested_by=access.user).defer("content")[:limit]
    )


def report_of(access: CaseAccess, report_id: Any) -> Report:
    report = Report.objects.filter(pk=report_id, case=access.case, requested_by=access.user).first()
    if report is None:
        raise Http404("No such report.")
    return report
