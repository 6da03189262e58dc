"""Stage numbers in templates, the same on a partner's page and a clinician's: the data counts
stages from 0, people from 1 ("Stage 3 of 6 — setting boundaries" for stage 2)."""

from __future__ import annotations

from typing import Any

from django import template

from retrust.program import journey

register = template.Library()


@register.filter
def case_stage(case: Any) -> str:
    """``{{ case|case_stage }}``: where the case is, e.g. "Stage 3 of 6 — setting boundaries"."""
    return journey.stage_label(case.track, case.stage)


@register.filter
def stage_place(stage: int) -> str:
    """``{{ proposal.to_stage|stage_place }}``: a stage's place on the path, e.g. "3 of 6"."""
    return journey.stage_place(stage)
