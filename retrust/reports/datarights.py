"""Progress reports in a person's export and their removal when the person leaves.

A report is a copy of what the app already holds, made for the person who asked: the export
lists which reports they asked for and when (never the PDF again; the records it was made from
are in the copy already), and a person who leaves takes their reports with them.
"""

from __future__ import annotations

from typing import Any

from retrust.core.datarights import Exporter, Leaving, Sections, rows_shredder, when
from retrust.reports.models import Report


def export(user: Any) -> Sections:
    return {
        "reports_you_asked_for": [
            {
                "version": report.get_version_display(),
                "state": report.get_state_display(),
                "asked": when(report.requested_at),
                "ready": when(report.finished_at),
            }
            for report in Report.objects.filter(requested_by=user).order_by("requested_at", "id")
        ]
    }


def _rows(leaving: Leaving) -> dict[str, Any]:
    return {"progress reports": Report.objects.filter(requested_by_id=leaving.user.pk)}


EXPORTER = Exporter("reports", export)
SHREDDER = rows_shredder("reports", goes=_rows)
