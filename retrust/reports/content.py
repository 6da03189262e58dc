"""What goes into each version of the progress report, decided by access objects.

The clinician's version is read through the clinician's ``CaseAccess`` with each app's own read
builders, the same ones their pages use (every read is an audited clinical read). The couple's
version is what *every* partner of the case may already see in the app: each partner's own
``CaseAccess`` is resolved and a row is kept only when each of them may read it. Nothing here
restates who may see what: an individual measure, an item answer, a safety screen, a private
or clinician-only record, a session note — none of them is readable by both partners, so none
of them can reach the couple's version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import mark_safe

from retrust.agreements import queries as agreement_queries
from retrust.agreements.models import Agreement, Commitment, Occurrence
from retrust.assessments import queries as measure_queries
from retrust.assessments import registry, trajectories
from retrust.assessments.chart import Series, trajectory_svg
from retrust.assessments.models import ResponseStatus
from retrust.assessments.reliable_change import NO_FIGURE
from retrust.core import policy
from retrust.core.models import CaseMember
from retrust.core.policy import CaseAccess
from retrust.core.rules import Visibility
from retrust.program import journey
from retrust.program import queries as program_queries
from retrust.program.models import CaseGoal, ExerciseResponse, TrustGoal
from retrust.reports.models import Version
from retrust.sessions import queries as sessions_queries


@dataclass(frozen=True)
class AttendedSession:
    id: Any
    starts_at: datetime
    label: str


def attended_sessions(access: CaseAccess) -> list[AttendedSession]:
    """The sessions attended, as this person may see them (the sessions app's own rule)."""
    return [
        AttendedSession(id=a.pk, starts_at=a.start, label=a.get_kind_display())
        for a in sessions_queries.attended(access)
    ]


def _members(access: CaseAccess) -> list[CaseMember]:
    return list(
        CaseMember.objects.filter(case_id=access.case.pk).select_related("user").order_by("role")
    )


def _common(accesses: Sequence[CaseAccess], queryset: QuerySet[Any], what: str) -> QuerySet[Any]:
    """The rows of ``queryset`` that every one of ``accesses`` may read.

    Shared with the couple too, so that a case with one partner so far (individual work) gets
    no private record of theirs into a report meant to be read together.
    """
    queryset = queryset.filter(visibility=Visibility.COUPLE.value)
    for access in accesses:
        queryset = queryset.filter(pk__in=access.read(queryset.model.objects.all(), what))
    return queryset


# --- the clinician's version ------------------------------------------------------------------


def _measures(access: CaseAccess) -> list[dict[str, Any]]:
    read = measure_queries.case_measures_for(access)
    found = []
    for instrument_id, responses in read["by_instrument"].items():
        instrument = registry.get(instrument_id)
        if instrument is not None and instrument.scales:
            found.append(trajectories.trajectory(instrument, read["partners"], responses))
    return found


def _homework(access: CaseAccess, members: list[CaseMember]) -> list[dict[str, Any]]:
    names = {m.user_id: m.user.name for m in members}
    roles = {m.role: m.user.name for m in members}
    assignments = list(program_queries.assignments(access).order_by("due_on", "id"))
    answered: dict[int, list[str]] = defaultdict(list)
    for assignment_id, author_id in (
        program_queries.responses(access)
        .filter(submitted_at__isnull=False)
        .order_by("submitted_at")
        .values_list("assignment_id", "author_id")
    ):
        answered[assignment_id].append(names.get(author_id, "A partner"))
    return [
        {
            "assignment": a,
            "for": roles.get(a.for_role, "") if a.for_role else "Both",
            "answered_by": answered.get(a.pk, []),
        }
        for a in assignments
    ]


def _goals(access: CaseAccess) -> dict[str, Any]:
    return {
        "case_goals": list(CaseGoal.objects.filter(case=access.case).order_by("created_at")),
        "trust_goals": list(program_queries.trust_goals(access).order_by("created_at")),
    }


def clinician_report(access: CaseAccess) -> dict[str, Any]:
    """The clinician's version: each partner's measures, goals, homework, follow-through."""
    if not access.is_clinician:
        raise ValueError("The clinician's report is read through a clinician's access.")
    members = _members(access)
    today = timezone.localdate()
    ledger = agreement_queries.case_ledger(access, today)
    return {
        "version": Version.CLINICIAN,
        "case": access.case,
        "members": members,
        "stage_label": journey.stage_label(access.case.track, access.case.stage),
        "measures": _measures(access),
        "no_figure": NO_FIGURE,
        **_goals(access),
        "homework": _homework(access, members),
        "agreements": agreement_queries.agreements(access),
        "ledger_partners": ledger.partners,
        "commitments": ledger.commitments,
        "sessions": attended_sessions(access),
        "today": today,
    }


# --- the couple's version ---------------------------------------------------------------------


def _revealed_measures(
    accesses: Sequence[CaseAccess], members: list[CaseMember]
) -> list[dict[str, Any]]:
    """Relationship totals both partners see: each partner's own, revealed to the other."""
    names = {m.user_id: m.user.name for m in members}
    series: dict[str, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for access in accesses:
        mine = list(
            measure_queries.own_responses(access, ResponseStatus.SUBMITTED).order_by(
                "submitted_at", "id"
            )
        )
        # Totals of the *other* partner that this partner sees: the author sees their own.
        for row in measure_queries.revealed_together(access, mine):
            series[row["instrument"].id][row["theirs_author_id"]].append(
                {
                    "submitted_at": row["theirs_submitted_at"],
                    "total": row["theirs_total"],
                    "band": row["theirs_band"],
                }
            )
    found = []
    for instrument_id, by_author in sorted(series.items()):
        instrument = registry.get(instrument_id)
        if instrument is None or not instrument.scales:
            continue
        scale = instrument.scales[0]
        low, high = trajectories.score_range(instrument, scale)
        columns = [
            {"name": names.get(m.user_id, "A partner"), "rows": by_author.get(m.user_id, [])}
            for m in members
        ]
        svg = trajectory_svg(
            f"{instrument.short_title} totals you both can see, over time",
            [
                Series(
                    c["name"],
                    [(timezone.localdate(r["submitted_at"]), r["total"]) for r in c["rows"]],
                )
                for c in columns
            ],
            low=low,
            high=high,
            bands=[(b.min, b.max, b.label) for b in scale.bands],
            element_id=f"couple-{instrument.id}",
        )
        found.append(
            {
                "instrument": instrument,
                "columns": columns,
                "svg": mark_safe(svg),  # noqa: S308 - built from numbers and escaped names only
            }
        )
    return found


def _couple_homework(
    accesses: Sequence[CaseAccess], members: list[CaseMember]
) -> list[dict[str, Any]]:
    names = {m.user_id: m.user.name for m in members}
    shared_ids: set[int] | None = None
    for access in accesses:
        ids = set(program_queries.assignments(access).values_list("pk", flat=True))
        shared_ids = ids if shared_ids is None else shared_ids & ids
    readable = ExerciseResponse.objects.filter(
        submitted_at__isnull=False, visibility=Visibility.COUPLE.value
    )
    for access in accesses:
        readable = readable.filter(pk__in=program_queries.responses(access).values("pk"))
    answered: dict[int, list[str]] = defaultdict(list)
    for assignment_id, author_id in readable.order_by("submitted_at").values_list(
        "assignment_id", "author_id"
    ):
        answered[assignment_id].append(names.get(author_id, "A partner"))
    assignments = program_queries.assignments(accesses[0]).filter(
        pk__in=shared_ids or [], for_role=""
    )
    return [
        {"assignment": a, "for": "Both", "answered_by": answered.get(a.pk, [])}
        for a in assignments.order_by("due_on", "id")
    ]


def _couple_ledger(
    accesses: Sequence[CaseAccess], members: list[CaseMember], today: date
) -> dict[str, Any]:
    commitments = list(
        _common(accesses, Commitment.objects.all(), agreement_queries.LEDGER)
        .select_related("author")
        .order_by("created_at", "id")
    )
    rows = agreement_queries.occurrence_rows(
        _common(accesses, Occurrence.objects.all(), agreement_queries.LEDGER)
    )
    by_author = agreement_queries.observations_by_author(rows)
    by_commitment = agreement_queries.observations_by_commitment(rows)
    for commitment in commitments:
        commitment.ledger = agreement_queries.build_ledger(  # type: ignore[attr-defined]
            by_commitment.get(commitment.pk, []), today
        )
    partners = [
        {"member": m, "ledger": agreement_queries.build_ledger(by_author[m.user_id], today)}
        for m in members
        if m.user_id in by_author
    ]
    return {"ledger_partners": partners, "commitments": commitments}


def couple_report(access: CaseAccess) -> dict[str, Any]:
    """The couple's version: only what every partner of the case may already see."""
    members = _members(access)
    accesses = [
        policy.case_access(member.user, access.case.pk, as_=policy.PARTNER) for member in members
    ]
    today = timezone.localdate()
    if not accesses:
        return {
            "version": Version.COUPLE,
            "case": access.case,
            "members": [],
            "empty": True,
            "today": today,
        }
    first = accesses[0]
    agreement_ids = set(
        _common(accesses, Agreement.objects.all(), agreement_queries.AGREEMENTS).values_list(
            "pk", flat=True
        )
    )
    agreements = [a for a in agreement_queries.agreements(first) if a.pk in agreement_ids]
    # The couple's copy lists the sessions every partner sees (a partner's individual session
    # is theirs and the clinician's).
    sessions = attended_sessions(first)
    for other in accesses[1:]:
        theirs = {s.id for s in attended_sessions(other)}
        sessions = [s for s in sessions if s.id in theirs]
    return {
        "version": Version.COUPLE,
        "case": access.case,
        "members": members,
        "stage_label": journey.stage_label(access.case.track, access.case.stage),
        "revealed": _revealed_measures(accesses, members) if len(accesses) > 1 else [],
        "case_goals": list(CaseGoal.objects.filter(case=access.case).order_by("created_at")),
        "trust_goals": list(
            _common(accesses, TrustGoal.objects.all(), "program_trust_goals")
            .select_related("author")
            .order_by("created_at")
        ),
        "homework": _couple_homework(accesses, members),
        "agreements": agreements,
        **_couple_ledger(accesses, members, today),
        "sessions": sessions,
        "today": today,
    }


def report_context(access: CaseAccess, version: str) -> dict[str, Any]:
    if version == Version.CLINICIAN:
        return clinician_report(access)
    return couple_report(access)
