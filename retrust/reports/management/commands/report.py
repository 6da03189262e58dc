"""``retrust report --case ID --for clinician|couple --out FILE.pdf``: one progress report now.

``retrust report --purge-expired`` empties prepared reports past their expiry (the worker also
does it before each render; run it daily so that a quiet practice keeps none either).

Rendered here, not in the queue, with the same content rules and time limit. The content is
what the case's clinician (or ``--as EMAIL``, a clinician or partner of the case) may see, read
through their access; the command is audited like a request from the web, marked as coming
from the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from retrust.core import audit, policy
from retrust.core.models import Case, User
from retrust.reports import actions, render
from retrust.reports.models import Version

_DEST = {"case": "case", "for": "version", "out": "out"}


class Command(BaseCommand):
    help = "Write a case's progress report (PDF), for the clinician or for the couple."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--case", type=int, help="the case id")
        parser.add_argument(
            "--for",
            dest="version",
            choices=list(Version.values),
            help="clinician: each partner's measures; couple: only what both partners see",
        )
        parser.add_argument("--out", help="the PDF file to write")
        parser.add_argument(
            "--purge-expired",
            action="store_true",
            help="empty every prepared report past its expiry (run it daily), and stop",
        )
        parser.add_argument(
            "--as",
            dest="as_email",
            default="",
            help="read as this clinician or partner of the case (default: its first clinician)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["purge_expired"]:
            emptied = actions.purge_expired()
            self.stdout.write(f"Emptied {emptied} expired report(s).\n")
            return
        missing = [f"--{name}" for name in ("case", "for", "out") if not options[_DEST[name]]]
        if missing:
            raise CommandError(f"Name {', '.join(missing)} (or use --purge-expired).")
        case = Case.objects.filter(pk=options["case"]).first()
        if case is None:
            raise CommandError(f"No case with id {options['case']}.")
        if options["as_email"]:
            person = User.objects.filter(email__iexact=options["as_email"]).first()
        else:
            person = case.clinicians.order_by("pk").first()
        if person is None:
            raise CommandError("Nobody to read the case as: name a clinician of it with --as.")
        try:
            access = policy.case_access(person, case.pk, as_=policy.MEMBER)
        except Http404:
            raise CommandError(
                f"{person.email} is not a clinician or partner of case {case.pk}."
            ) from None
        version = options["version"]
        if version not in actions.versions_for(access):
            raise CommandError(f"{person.email} may not have the {version} version.")
        try:
            rendered = actions.build(access, version)
        except render.RenderTimeout as exc:
            raise CommandError(str(exc)) from exc
        Path(options["out"]).write_bytes(rendered.pdf)
        audit.record(
            person,
            "retrust.report.requested",
            case=case,
            details={"version": version, "via": "command line"},
        )
        self.stdout.write(
            f"Wrote {options['out']}: {rendered.pages} page(s), the {version} version of case "
            f"{case.pk} as {person.email} sees it.\n"
        )
