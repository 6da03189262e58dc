"""Measures at a glance for the caseload and the case view: a fixed number of queries.

For a set of cases: each partner's latest total per measure with its direction since their
first (baseline) total, and how many check-ins are due or overdue now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min
from django.utils import timezone

from retrust.assessments import registry
from retrust.assessments.actions import current_round
from retrust.assessments.models import (
    MeasureResponse,
    MeasureSchedule,
    ResponseStatus,
)


@dataclass(frozen=True)
class LatestScore:
    partner_id: int
    instrument_id: str
    short_title: str
    latest: float
    baseline: float
    # "better", "worse" or "same", read with the scale's direction; not a reliable-change claim.
    direction: str
    # How many responses the series has: with one there is nothing to compare with.
    responses: int = 1
    # The scale's cut-off label when the latest total is on its flagged side (AUDIT-C 4+).
    flag: str = ""

    @property
    def arrow(self) -> str:
        return {"better": "↗ better", "worse": "↘ worse", "same": "→ same"}[self.direction]

    @property
    def trend(self) -> str:
        """ "(↗ better since 15)", or "(first answer)" when there is no earlier one to compare."""
        if self.responses < 2:
            return "(first answer)"
        return f"({self.arrow} since {self.baseline:g})"


@dataclass
class CaseMeasures:
    scores: list[LatestScore] = field(default_factory=list)
    due: int = 0
    overdue: int = 0


def _direction(instrument_id: str, baseline: float, latest: float) -> str:
    instrument = registry.get(instrument_id)
    if latest == baseline or instrument is None or not instrument.scales:
        return "same"
    higher_is_better = instrument.scales[0].direction == "higher_is_better"
    return "better" if (latest > baseline) == higher_is_better else "worse"


def _flag(instrument: Any, latest: float) -> str:
    cutoff = instrument.scales[0].cutoff if instrument.scales else None
    return cutoff.label if cutoff is not None and cutoff.reached_by(latest) else ""


def measures_for_cases(cases: list[Any]) -> dict[int, CaseMeasures]:
    """Latest scores and due/overdue counts for ``cases`` (already fetched, with members)."""
    case_ids = [case.pk for case in cases]
    result: dict[int, CaseMeasures] = {case_id: CaseMeasures() for case_id in case_ids}
    if not case_ids:
        return result
    submitted = MeasureResponse.objects.filter(
        case_id__in=case_ids, status=ResponseStatus.SUBMITTED, total__isnull=False
    )
    # Query 1: the first and last submission time of each partner's series per measure.
    groups = list(
        submitted.values("case_id", "author_id", "instrument_id").annotate(
            first=Min("submitted_at"), last=Max("submitted_at"), n=Count("id")
        )
    )
    # Query 2: the totals at exactly those times.
    totals: dict[tuple[int, int, str, Any], float] = {}
    if groups:
        moments = {g["first"] for g in groups} | {g["last"] for g in groups}
        for case_id, author_id, instrument_id, at, total in submitted.filter(
            submitted_at__in=moments
        ).values_list("case_id", "author_id", "instrument_id", "submitted_at", "total"):
            totals[(case_id, author_id, instrument_id, at)] = total
    for g in sorted(groups, key=lambda g: (g["instrument_id"], g["author_id"])):
        instrument = registry.get(g["instrument_id"])
        key = (g["case_id"], g["author_id"], g["instrument_id"])
        latest, baseline = totals.get((*key, g["last"])), totals.get((*key, g["first"]))
        if instrument is None or latest is None or baseline is None:
            continue
        result[g["case_id"]].scores.append(
            LatestScore(
                partner_id=g["author_id"],
                instrument_id=g["instrument_id"],
                short_title=instrument.short_title,
                latest=latest,
                baseline=baseline,
                direction=_direction(g["instrument_id"], baseline, latest),
                responses=g["n"],
                flag=_flag(instrument, latest),
            )
        )
    # Query 3: open schedules; query 4: who has already answered the round open today.
    today = timezone.localdate()
    schedules = list(MeasureSchedule.objects.filter(case_id__in=case_ids, ended_at__isnull=True))
    rounds = {s.pk: current_round(s, today) for s in schedules}
    open_rounds = [(s, r) for s in schedules if (r := rounds[s.pk]) is not None]
    answered: dict[tuple[int, int], set[int]] = defaultdict(set)
    if open_rounds:
        # One IN on schedule ids (and on the open rounds' keys), the exact pair kept in
        # Python: an OR of hundreds of (schedule, round) pairs spent 110-140 ms planning.
        open_keys = {(schedule.pk, round_.key) for schedule, round_ in open_rounds}
        for schedule_id, round_key, author_id in MeasureResponse.objects.filter(
            schedule_id__in=[schedule.pk for schedule, _ in open_rounds],
            round_key__in={key for _, key in open_keys},
            status=ResponseStatus.SUBMITTED,
        ).values_list("schedule_id", "round_key", "author_id"):
            if (schedule_id, round_key) in open_keys:
                answered[(schedule_id, round_key)].add(author_id)
    partners = {case.pk: [m.user_id for m in case.members.all()] for case in cases}
    for schedule, round_ in open_rounds:
        waiting = [
            uid
            for uid in partners.get(schedule.case_id, [])
            if uid not in answered[(schedule.pk, round_.key)]
        ]
        if not waiting:
            continue
        if round_.overdue(today):
            result[schedule.case_id].overdue += len(waiting)
        else:
            result[schedule.case_id].due += len(waiting)
    return result
