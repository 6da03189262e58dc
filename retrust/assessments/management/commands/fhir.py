"""``retrust fhir export --case ID [--output FILE]``: one FHIR R4B Bundle for a case."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from retrust.assessments import fhir
from retrust.assessments.models import MeasureResponse, ResponseStatus
from retrust.core import audit
from retrust.core.models import Case


class Command(BaseCommand):
    help = "Export a case's measures as a FHIR R4B Bundle (JSON)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["export"])
        parser.add_argument("--case", type=int, required=True, help="the case id")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        case = Case.objects.filter(pk=options["case"]).first()
        if case is None:
            raise CommandError(f"No case with id {options['case']}.")
        responses = list(
            MeasureResponse.objects.filter(
                case=case, status__in=[ResponseStatus.SUBMITTED, ResponseStatus.SUPERSEDED]
            ).order_by("submitted_at", "id")
        )
        roles = dict(case.members.values_list("user_id", "role"))
        bundle = fhir.case_bundle(case.pk, responses, roles)
        text = bundle.model_dump_json(indent=2)
        # A command-line export reads clinical content: it is recorded like any other read.
        audit.record(
            None,
            "retrust.measure.fhir.exported",
            case=case,
            details={"responses": len(responses), "via": "command line"},
        )
        if options.get("output"):
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
        else:
            sys.stdout.write(text + "\n")
