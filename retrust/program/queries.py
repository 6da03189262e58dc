"""Reading the program through the policy module, with its two extra rules for answers.

``ExerciseResponse.objects.visible_to(user)`` applies the case-wide table (private, clinician,
couple). On top of it: a draft is its author's alone, and a reveal-together answer reaches the
other partner only once everyone it was given to has answered.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from retrust.agreements import ledger
from retrust.agreements.models import Occurrence
from retrust.agreements.queries import observations_by_commitment, occurrence_rows
from retrust.assessments.models import MeasureResponse
from retrust.assessments.summary import reliable_improvements
from retrust.core import policy
from retrust.core.models import Case
from retrust.core.rules import Visibility
from retrust.program import milestones, transitions
from retrust.program.models import ExerciseResponse, ProposalState, StageProposal

CHECKIN_EXERCISE = "daily-needs-check-in"


def responses_visible_to(user: Any) -> QuerySet[ExerciseResponse]:
    if not getattr(user, "is_authenticated", False):
        return ExerciseResponse.objects.none()
    not_mine = ~Q(author_id=user.pk)
    draft = Q(submitted_at__isnull=True)
    waiting = Q(assignment__reveal_together=True, assignment__revealed_at__isnull=True) & Q(
        case_id__in=policy.member_case_ids(user)
    )
    return ExerciseResponse.objects.visible_to(user).exclude(not_mine & (draft | waiting))


def _shared_kept_streaks(case: Case) -> tuple[int, ...]:
    """Current kept-in-a-row run of each commitment whose record both partners see (1 query)."""
    rows = occurrence_rows(Occurrence.objects.filter(case=case, visibility=Visibility.COUPLE.value))
    return tuple(
        ledger.current_streak(observations)
        for observations in observations_by_commitment(rows).values()
    )


def milestones_for(case: Case) -> list[milestones.Milestone]:
    """The case's milestones, from five queries whatever the amount of data."""
    together = (
        ExerciseResponse.objects.filter(
            case=case, submitted_at__isnull=False, assignment__for_role=""
        )
        .values("assignment_id")
        .annotate(n=Count("id"), last=Max("submitted_at"))
        .filter(n__gte=2)
        .values_list("last", flat=True)
    )
    stages = StageProposal.objects.filter(case=case, state=ProposalState.CARRIED).values_list(
        "from_stage", flat=True
    )
    checkins = ExerciseResponse.objects.filter(
        case=case, submitted_at__isnull=False, assignment__exercise_id=CHECKIN_EXERCISE
    ).values_list("submitted_at", flat=True)
    # Questionnaire check-ins count as check-ins too (only the day, never an answer or score).
    measure_days = MeasureResponse.objects.filter(
        case=case, submitted_at__isnull=False
    ).values_list("submitted_at", flat=True)
    facts = milestones.Facts(
        together_dates=tuple(t.date() for t in together),
        stages_completed=tuple(stages),
        checkin_days=tuple(t.date() for t in (*checkins, *measure_days)),
        kept_streaks=_shared_kept_streaks(case),
        reliable_improvements=reliable_improvements(case),
    )
    return milestones.detect(facts, transitions.STAGE_NAMES)
