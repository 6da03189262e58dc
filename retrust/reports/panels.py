"""The reports app's line on the partner home page: where the couple's report is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retrust.core.policy import CaseAccess
from retrust.core.registry import Panel


def partner_home(user: Any, cases: Mapping[int, CaseAccess]) -> dict[int, list[Panel]]:
    """No query: a link per case."""
    return {
        case_id: [Panel("reports/_home_panel.html", {"case_id": case_id}, order=90)]
        for case_id in cases
    }
