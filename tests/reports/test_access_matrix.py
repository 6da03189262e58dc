"""The report and export routes in the persona-matrix table: one row per route, every persona.

A report is its requester's alone: the other partner and the clinician get 404 for it. The
practice's FHIR export of a closed case is the case's clinician's and the practice admin's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from retrust.core.models import Case, CaseStatus, User
from retrust.reports.models import Report, State
from tests.support.matrix import IN_CASE, Redirect, Route, check, matrix, pages


@dataclass
class World:
    case: Case
    report: Report

    @property
    def ids(self) -> dict[str, Any]:
        return {"case": self.case.pk, "report": self.report.pk}


@pytest.fixture
def world(personas: dict[str, User | None], case: Case) -> World:
    # Closed, so that the FHIR export is open to those who may take it; reports still work.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    report = Report.objects.create(
        case=case,
        requested_by=personas["partner_a"],
        version="couple",
        state=State.READY,
        content="JVBERi0xLjcK",  # "%PDF-1.7"
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    return World(case=case, report=report)


def report_count(world: World) -> int:
    return Report.objects.count()


ASKED = Redirect("/cases/{case}/reports/")

ROUTES = [
    Route("reports page", "GET", "/cases/{case}/reports/", pages(**IN_CASE)),
    Route(
        "ask for a report",
        "POST",
        "/cases/{case}/reports/new/",
        pages(partner_a=ASKED, partner_b=ASKED, clinician=ASKED),
        data={"version": "couple"},
        state=report_count,
    ),
    Route(
        "download one's own report",
        "GET",
        "/cases/{case}/reports/{report}/download/",
        pages(partner_a=200),
    ),
    Route(
        "FHIR export of a closed case",
        "GET",
        "/cases/{case}/export/fhir/",
        pages(clinician=200, admin=200),
    ),
    Route("practice exports", "GET", "/practice/exports/", pages(admin=200)),
]


@pytest.mark.parametrize(("route", "persona"), matrix(ROUTES))
def test_report_route_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    check(route, persona, world, client_for(persona), json_body=False)
