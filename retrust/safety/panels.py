"""The safety app's block on the partner home page: the private questions, until answered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retrust.core.policy import CaseAccess
from retrust.core.registry import Panel
from retrust.safety.models import SafetyScreen


def partner_home(user: Any, cases: Mapping[int, CaseAccess]) -> dict[int, list[Panel]]:
    screened = set(
        SafetyScreen.objects.filter(case_id__in=list(cases), respondent=user).values_list(
            "case_id", flat=True
        )
    )
    return {
        case_id: [
            Panel(
                "safety/_home_panel.html",
                {"case": cases[case_id].case, "screened": case_id in screened},
                order=10,
            )
        ]
        for case_id in cases
    }
