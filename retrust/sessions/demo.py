"""The sessions app's part of the demo: hours for the clinicians and a booked session."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.utils import timezone

from retrust.core.models import Case, Practice
from retrust.sessions import actions
from retrust.sessions.models import Kind, SessionSettings


def seed(practice: Practice, partners: dict[str, Any], created: bool) -> None:
    if not created:
        return
    SessionSettings.objects.get_or_create(practice=practice)
    conjoint = Case.objects.get(creation_key="demo-conjoint")
    for clinician in practice.memberships.filter(role="clinician").select_related("user"):
        actions.set_weekly_hours(
            clinician.user,
            practice,
            [(day, time(9, 0), time(17, 0)) for day in range(5)],
        )
    clinician = conjoint.clinicians.first()
    if clinician is None:
        return
    free = actions.free_slots(
        clinician, practice, first_day=timezone.localdate() + timedelta(days=1), days=7
    )
    if free:
        actions.book(
            clinician, conjoint, start=free[0], kind=Kind.CONJOINT, key="demo-session-conjoint"
        )
