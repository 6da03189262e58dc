"""Progress reports on a case page, and the practice's export of closed cases.

The reports page is one page for both audiences: the access decides which versions a person
may ask for (``actions.versions_for``), and a person only ever sees and downloads the reports
they asked for themselves. While one is being prepared, the list refreshes itself with htmx;
without JavaScript, reloading the page does the same.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from retrust.core import policy
from retrust.core.decorators import case_view, staff_required
from retrust.core.models import CaseStatus
from retrust.core.policy import CaseAccess
from retrust.core.submission import submit
from retrust.reports import actions, fhir
from retrust.reports.forms import ReportRequestForm
from retrust.reports.models import State, Version


def _page(
    request: HttpRequest, access: CaseAccess, form: forms.BaseForm | None = None, status: int = 200
) -> HttpResponse:
    versions = actions.versions_for(access)
    reports = actions.reports_of(access)
    context: dict[str, Any] = {
        "access": access,
        "case": access.case,
        "versions": versions,
        "form": form or ReportRequestForm(versions=versions),
        "reports": reports,
        "preparing": any(r.state == State.PENDING for r in reports),
        "clinician": access.is_clinician and not access.is_partner,
        "hours": actions.hours_kept(),
        "Version": Version,
    }
    template = "reports/reports.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#report-list"
    return render(request, template, context, status=status)


@case_view(as_=policy.MEMBER)
def case_reports(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _page(request, access)


@require_POST
@case_view(as_=policy.MEMBER)
def ask_for_report(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    form = ReportRequestForm(request.POST, versions=actions.versions_for(access))
    return submit(
        request,
        form,
        lambda data: actions.request_report(access, data["version"]),
        done=reverse("case_reports", args=[access.case.pk]),
        again=lambda f, status: _page(request, access, form=f, status=status),
        message=lambda result: (
            "We're preparing your report. It will appear below in a moment."
            if result[1]
            else "Your report is already being prepared. It will appear below in a moment."
        ),
    )


@case_view(as_=policy.MEMBER)
def download_report(request: HttpRequest, access: CaseAccess, report_id: int) -> HttpResponse:
    report = actions.report_of(access, report_id)
    if not report.downloadable or not report.content:
        # Expired, failed or not ready: the page says which, and offers a fresh one.
        return _page(request, access, status=410 if report.expired() else 409)
    actions.record_download(access, report)
    response = HttpResponse(report.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename()}"'
    response["Cache-Control"] = "no-store"
    return response


# --- the practice's export of closed cases ---------------------------------------------------


@staff_required
def fhir_export(request: HttpRequest, case_id: int) -> HttpResponse:
    case = fhir.closed_case_for_export(request.user, case_id)
    response = HttpResponse(fhir.export(request.user, case), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="retrust-case-{case.pk}-fhir.json"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def practice_exports(request: HttpRequest) -> HttpResponse:
    the_practice = policy.administered_practice_for(request.user)
    closed = the_practice.cases.filter(status=CaseStatus.CLOSED).order_by("-updated_at", "-id")
    return render(
        request, "reports/exports.html", {"practice": the_practice, "cases": list(closed[:200])}
    )
