"""Demo measures for the fictional demo practice: safe to run twice, nothing is duplicated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from retrust.assessments import registry
from retrust.assessments.due import round_for
from retrust.assessments.models import MeasureResponse, MeasureSchedule, ResponseStatus
from retrust.assessments.scoring import score
from retrust.core.models import Case

# (instrument, every N weeks, per-partner answers for each past round, oldest first)
PLAN: list[tuple[str, int, dict[str, list[list[int]]]]] = [
    (
        "phq-9",
        2,
        {
            "partner_a": [
                [2, 2, 2, 1, 1, 2, 1, 0, 0],
                [2, 1, 2, 1, 1, 1, 1, 0, 0],
                [1, 1, 1, 1, 0, 1, 1, 0, 0],
                [1, 0, 1, 0, 0, 1, 0, 0, 0],
            ],
            "partner_b": [
                [1, 1, 1, 1, 0, 1, 0, 0, 0],
                [1, 1, 1, 1, 1, 1, 0, 0, 0],
                [1, 1, 0, 1, 0, 1, 0, 0, 0],
                [1, 0, 0, 1, 0, 0, 0, 0, 0],
            ],
        },
    ),
    (
        "csi-16",
        4,
        {
            "partner_a": [
                [2, 2, 2, 2, 3, 2, 2, 2, 1, 2, 3, 3, 2, 2, 2, 3],
                [3, 3, 3, 3, 3, 3, 3, 3, 2, 3, 3, 4, 3, 3, 3, 4],
            ],
            "partner_b": [
                [3, 3, 3, 4, 4, 3, 3, 3, 3, 3, 4, 4, 3, 3, 3, 4],
                [4, 4, 4, 4, 4, 3, 4, 3, 3, 4, 4, 4, 4, 3, 4, 4],
            ],
        },
    ),
]


@transaction.atomic
def seed_demo_measures(practice: Any = None, partners: Any = None, created: bool = False) -> None:
    """Idempotent on its own, so it runs on every ``retrust demo`` (the registry passes the
    practice; the measures are found by the demo case's key)."""
    case = Case.objects.filter(creation_key="demo-conjoint").first()
    if case is None or MeasureSchedule.objects.filter(case=case).exists():
        return
    clinician = case.clinicians.first()
    members = {m.role: m.user for m in case.members.select_related("user")}
    today = timezone.localdate()
    now = timezone.now()
    for instrument_id, every_weeks, rounds_by_role in PLAN:
        instrument = registry.get(instrument_id)
        assert instrument is not None
        count = max(len(r) for r in rounds_by_role.values())
        starts_on = today - timedelta(weeks=every_weeks * count)
        schedule = MeasureSchedule.objects.create(
            case=case,
            instrument_id=instrument_id,
            kind="every_n_weeks",
            every_weeks=every_weeks,
            starts_on=starts_on,
            created_by=clinician,
        )
        for role, rounds in rounds_by_role.items():
            author = members.get(role)
            if author is None:
                continue
            for index, values in enumerate(rounds):
                day = starts_on + timedelta(weeks=every_weeks * index, days=1)
                round_ = round_for(
                    "every_n_weeks", day, starts_on=starts_on, every_weeks=every_weeks
                )
                assert round_ is not None
                answers: dict[str, Any] = {
                    item.linkId: value
                    for item, value in zip(instrument.choice_items, values, strict=True)
                }
                scores = score(instrument, answers)
                first = scores["total"]
                MeasureResponse.objects.create(
                    case=case,
                    author=author,
                    visibility="clinician",
                    schedule=schedule,
                    instrument_id=instrument_id,
                    instrument_version=instrument.version,
                    round_key=round_.key,
                    due_on=round_.due_on,
                    status=ResponseStatus.SUBMITTED,
                    answers=answers,
                    scores={k: v.as_dict() for k, v in scores.items()},
                    total=first.score,
                    band=first.band or "",
                    submitted_at=now - (today - day),
                )
