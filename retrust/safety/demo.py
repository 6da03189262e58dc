"""The safety app's part of the demo: a crisis line, screens for two cases, one paused case."""

from __future__ import annotations

from typing import Any

from retrust.core.models import Case, Practice
from retrust.safety.actions import submit_screen
from retrust.safety.models import CrisisResource


def seed(practice: Practice, partners: dict[str, Any], created: bool) -> None:
    if not created:
        return
    CrisisResource.objects.create(
        practice=practice,
        name="Emergency services",
        phone="112",
        hours="Every day, 24 hours (or your country's own emergency number)",
    )
    calm = {qid: "no" for qid in ("fear", "hurt", "control", "sex", "threats")}
    calm["safe_messages"] = "yes"
    conjoint = Case.objects.get(creation_key="demo-conjoint")
    for key in ("priya", "daniel"):
        submit_screen(partners[key], conjoint, calm, f"demo-screen-{key}")
    # Lee said they sometimes feel afraid: a high-priority alert, and shared work pauses.
    discernment = Case.objects.get(creation_key="demo-discernment")
    submit_screen(partners["lee"], discernment, {**calm, "fear": "yes"}, "demo-screen-lee")
    submit_screen(partners["robin"], discernment, calm, "demo-screen-robin")
