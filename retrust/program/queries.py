"""The program's reads, shared by its pages and its API: each starts from the person's access.

``ExerciseResponse.objects.visible_to(user)`` applies the case-wide table (private, clinician,
couple). On top of it: a draft is its author's alone, and a reveal-together answer reaches the
other partner only once everyone it was given to has answered.

Milestones are built for one person: shared cards only from what both partners may see, personal
cards (their own check-ins, their own questionnaire answers) for that person and the clinician.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.http import Http404

from retrust.agreements import ledger
from retrust.agreements.models import Occurrence
from retrust.agreements.queries import observations_by_commitment, occurrence_rows
from retrust.assessments import registry
from retrust.assessments.models import MeasureResponse, ResponseStatus
from retrust.assessments.reliable_change import classify
from retrust.core import pause, policy
from retrust.core.models import Case, CaseMember, Track
from retrust.core.policy import CaseAccess
from retrust.core.rules import Visibility
from retrust.program import daily, milestones, transitions
from retrust.program.models import (
    AppreciationNote,
    Assignment,
    DailyAnswer,
    DailyQuestionSettings,
    ExerciseResponse,
    ProposalState,
    StageProposal,
    TrustGoal,
)

CHECKIN_EXERCISE = "daily-needs-check-in"


# --- answers --------------------------------------------------------------------------------


def _answer_rule(
    queryset: QuerySet[ExerciseResponse], user: Any, partner_in: Any = None
) -> QuerySet[ExerciseResponse]:
    """Leave out other people's drafts and reveal-together answers still waiting (partners).

    ``partner_in``: the cases where ``user`` is a partner, when the caller knows them already
    (their accesses); otherwise a subquery over their memberships.
    """
    if partner_in is None:
        partner_in = policy.member_case_ids(user)
    not_mine = ~Q(author_id=user.pk)
    draft = Q(submitted_at__isnull=True)
    waiting = Q(assignment__reveal_together=True, assignment__revealed_at__isnull=True) & Q(
        case_id__in=partner_in
    )
    return queryset.exclude(not_mine & (draft | waiting))


def responses_visible_to(user: Any) -> QuerySet[ExerciseResponse]:
    """Every answer this person may read, in any of their cases (the rule, without a case)."""
    if not getattr(user, "is_authenticated", False):
        return ExerciseResponse.objects.none()
    return _answer_rule(ExerciseResponse.objects.visible_to(user), user)


def responses_in(accesses: list[CaseAccess]) -> QuerySet[ExerciseResponse]:
    """Answers in several of a partner's cases at once that they may read (their home page)."""
    if not accesses:
        return ExerciseResponse.objects.none()
    visible = policy.visible_in(accesses, ExerciseResponse.objects.all())
    return _answer_rule(visible, accesses[0].user, [access.case.pk for access in accesses])


def responses(access: CaseAccess) -> QuerySet[ExerciseResponse]:
    """Answers in this case the person may read; a clinician's read of them is recorded."""
    readable = _answer_rule(ExerciseResponse.objects.all(), access.user)
    return access.read(readable, "program_responses")


def response(access: CaseAccess, pk: Any) -> ExerciseResponse:
    """One answer this person may read, or 404; a clinician's read of it is recorded."""
    return access.get(
        _answer_rule(ExerciseResponse.objects.all(), access.user), pk, what="program_responses"
    )


def trust_goals(access: CaseAccess) -> QuerySet[TrustGoal]:
    return access.read(TrustGoal.objects.all(), "program_trust_goals").select_related("author")


def appreciation_notes(access: CaseAccess) -> QuerySet[AppreciationNote]:
    return access.read(AppreciationNote.objects.all(), "program_notes").select_related("author")


# --- homework -------------------------------------------------------------------------------


def assignments(access: CaseAccess) -> QuerySet[Assignment]:
    """Homework in this case: a partner's own and both partners'; all of it for the clinician."""
    found = Assignment.objects.filter(case_id=access.case.pk)
    if access.member is not None:
        found = found.filter(Q(for_role="") | Q(for_role=access.member.role))
    return found


def assignment_access(user: Any, assignment_id: Any) -> tuple[CaseAccess, Assignment]:
    """For routes addressed by an assignment: the partner's access and the homework, or 404.

    Only a partner it was given to gets it; everyone else gets 404, whatever exists.
    """
    case_id = Assignment.objects.filter(pk=assignment_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404("No such homework.")
    access = policy.case_access(user, case_id, as_=policy.PARTNER)
    assignment = assignments(access).filter(pk=assignment_id).first()
    if assignment is None:
        raise Http404("No such homework.")
    assignment.case = access.case  # already fetched with its practice
    return access, assignment


def sent_as_the_other_knows() -> Q:
    """Answers sent, as the other partner may know of them: whether, never what.

    What a partner held by a pause sends does not count until the pause ends, as with
    everything else that partner shares meanwhile. The moment that matters is the sending, not
    the draft's first save: a draft begun before the pause and sent during it waits too. The
    homework pages and the notification that a partner has answered both read this one rule.
    """
    sent_while_held = Q(
        case__paused_since__isnull=False,
        author_id=F("case__pause_held_for_id"),
        submitted_at__gte=F("case__paused_since"),
    )
    return Q(submitted_at__isnull=False) & ~sent_while_held


def sent_by_the_other(access: CaseAccess, assignment_ids: list[int]) -> set[int]:
    """Of these assignments, those the other partner has sent answers to (one query)."""
    return set(
        ExerciseResponse.objects.filter(case_id=access.case.pk, assignment_id__in=assignment_ids)
        .filter(sent_as_the_other_knows())
        .exclude(author_id=access.user.pk)
        .values_list("assignment_id", flat=True)
    )


# --- people in the case ---------------------------------------------------------------------


def partners(access: CaseAccess) -> list[CaseMember]:
    """The partners who have joined the case, with their names (one query)."""
    return list(CaseMember.objects.filter(case_id=access.case.pk).select_related("user"))


def on_their_own(case: Case, members: list[CaseMember]) -> bool:
    """Individual work with no second partner: nothing is offered "to both of us"."""
    return case.track == Track.INDIVIDUAL and len(members) < 2


def open_proposal(case: Case) -> StageProposal | None:
    """The proposal waiting for confirmation, unless the track or stage moved on since."""
    return (
        StageProposal.objects.filter(
            case=case, state=ProposalState.OPEN, track=case.track, from_stage=case.stage
        )
        .prefetch_related("confirmations")
        .first()
    )


# --- milestones -----------------------------------------------------------------------------


def shared_occurrences() -> QuerySet[Occurrence]:
    """Occurrences whose record both partners see: what the kept-in-a-row card counts."""
    return Occurrence.objects.filter(visibility=Visibility.COUPLE.value)


def _shared_kept_streaks(case: Case) -> tuple[int, ...]:
    """Current kept-in-a-row run of each commitment whose record both partners see (1 query)."""
    rows = occurrence_rows(shared_occurrences().filter(case=case))
    return tuple(
        ledger.current_streak(observations)
        for observations in observations_by_commitment(rows).values()
    )


def answered_together(responses: QuerySet[ExerciseResponse]) -> QuerySet[Any]:
    """Homework for both that both partners answered in a way both may read (sent, shared with
    the couple, not held by a pause): one row per assignment with its ``case_id`` and ``last``,
    the moment the second answer arrived. The one rule behind the "first exercise done
    together" card and its notification."""
    return (
        responses.filter(
            submitted_at__isnull=False,
            assignment__for_role="",
            visibility=Visibility.COUPLE.value,
        )
        .exclude(pause.held_q())
        .values("case_id", "assignment_id")
        .annotate(n=Count("id"), last=Max("submitted_at"))
        .filter(n__gte=2)
    )


def _shared_facts(case: Case) -> milestones.Facts:
    """What both partners may see: three queries whatever the amount of data."""
    together = answered_together(ExerciseResponse.objects.filter(case=case)).values_list(
        "last", flat=True
    )
    stages = StageProposal.objects.filter(case=case, state=ProposalState.CARRIED).values_list(
        "from_stage", flat=True
    )
    return milestones.Facts(
        together_dates=tuple(t.date() for t in together),
        stages_completed=tuple(stages),
        kept_streaks=_shared_kept_streaks(case),
    )


def shared_milestones(case: Case) -> list[milestones.Milestone]:
    """Cards both partners see alike: the only ones a note of appreciation may come from."""
    return milestones.detect(_shared_facts(case), transitions.STAGE_NAMES)


def _own(access: CaseAccess, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """A partner's own rows; for the clinician, every row they may see."""
    if access.member is not None:
        return queryset.filter(author_id=access.user.pk)
    return queryset


def _checkin_days(access: CaseAccess) -> tuple[Any, ...]:
    """Days with a check-in this person may see: two queries."""
    checkins = (
        access.visible(_answer_rule(ExerciseResponse.objects.all(), access.user))
        .filter(submitted_at__isnull=False, assignment__exercise_id=CHECKIN_EXERCISE)
        .values_list("submitted_at", flat=True)
    )
    # Questionnaire check-ins count too: only the day, and only one's own (never an answer).
    measure_days = _own(
        access,
        access.visible(MeasureResponse.objects.filter(status=ResponseStatus.SUBMITTED)),
    ).values_list("submitted_at", flat=True)
    return tuple(t.date() for t in (*checkins, *measure_days) if t is not None)


def _improvements(access: CaseAccess) -> dict[int, list[str]]:
    """Measures on which each person's latest total improved reliably on their first: two queries.

    A partner's own series only; the clinician's, every partner's. Only where the instrument
    file carries sourced reliable-change parameters.
    """
    submitted = _own(
        access,
        access.read(
            MeasureResponse.objects.filter(status=ResponseStatus.SUBMITTED, total__isnull=False),
            "measure_changes",
        ),
    )
    groups = list(
        submitted.values("author_id", "instrument_id").annotate(
            first=Min("submitted_at"), last=Max("submitted_at")
        )
    )
    if not groups:
        return {}
    moments = {g["first"] for g in groups} | {g["last"] for g in groups}
    totals = {
        (author_id, instrument_id, at): total
        for author_id, instrument_id, at, total in submitted.filter(
            submitted_at__in=moments
        ).values_list("author_id", "instrument_id", "submitted_at", "total")
    }
    improved: dict[int, list[str]] = {}
    for g in groups:
        instrument = registry.get(g["instrument_id"])
        key = (g["author_id"], g["instrument_id"])
        baseline, latest = totals.get((*key, g["first"])), totals.get((*key, g["last"]))
        if instrument is None or not instrument.scales or baseline is None or latest is None:
            continue
        change = classify(instrument.scales[0], baseline, latest)
        if change is not None and change.category in ("improved", "recovered"):
            improved.setdefault(g["author_id"], []).append(instrument.short_title)
    return improved


def milestones_for(
    access: CaseAccess, members: list[CaseMember] | None = None
) -> list[milestones.Milestone]:
    """The cards this person sees: shared ones, and their own (or, for the clinician, each
    partner's, by name). A fixed number of queries whatever the amount of data."""
    improved = _improvements(access)
    shared = _shared_facts(access.case)
    if access.member is not None:
        own: tuple[str, ...] = tuple(improved.get(access.user.pk, ()))
        named: tuple[tuple[str, str], ...] = ()
    else:
        people = members if members is not None else partners(access)
        names = {m.user_id: m.user.name for m in people}
        own = ()
        named = tuple(
            (names.get(author_id, "A partner"), measure)
            for author_id, measures in improved.items()
            for measure in measures
        )
    facts = milestones.Facts(
        together_dates=shared.together_dates,
        stages_completed=shared.stages_completed,
        kept_streaks=shared.kept_streaks,
        checkin_days=_checkin_days(access),
        reliable_improvements=own,
        partners_improvements=named,
    )
    return milestones.detect(facts, transitions.STAGE_NAMES)


# --- the daily question ---------------------------------------------------------------------

DAILY_ANSWERS = "daily_answers"  # what a clinician's read of daily answers is recorded as
STREAK_WINDOW_DAYS = 366


def daily_settings(case_ids: Any) -> dict[int, DailyQuestionSettings]:
    return {row.case_id: row for row in DailyQuestionSettings.objects.filter(case_id__in=case_ids)}


def daily_decks(case: Case, found: DailyQuestionSettings | None) -> tuple[str, ...]:
    """The decks the case draws from; empty when the daily question is off for it."""
    if case.track == Track.INDIVIDUAL or case.status == "closed":
        return ()
    if found is None:
        return tuple(daily.decks())
    if not found.enabled:
        return ()
    return tuple(key for key in found.decks or daily.decks() if key in daily.decks())


def daily_prompt(case: Case, found: DailyQuestionSettings | None, day: date) -> daily.Prompt | None:
    """The day's prompt for this case, or ``None`` when there is no daily question."""
    chosen = daily_decks(case, found)
    return daily.prompt_for(case.pk, day, case.stage, chosen) if chosen else None


def daily_answers(access: CaseAccess) -> QuerySet[DailyAnswer]:
    """Daily answers this person may read: a partner reads the other's answer for a day only
    once they answered that day too (revealed together); a clinician's read is recorded."""
    found = access.read(DailyAnswer.objects.all(), DAILY_ANSWERS)
    if access.member is not None:
        answered_too = DailyAnswer.objects.filter(
            case_id=access.case.pk, author_id=access.user.pk, day=OuterRef("day")
        )
        found = found.filter(Q(author_id=access.user.pk) | Exists(answered_too))
    return found


@dataclass
class DailyToday:
    """One person's view of today's question in one case."""

    case: Case
    prompt: daily.Prompt | None
    mine: DailyAnswer | None
    theirs: DailyAnswer | None  # only once both answered
    other_answered: bool
    streak: daily.Streak

    @property
    def revealed(self) -> bool:
        return self.mine is not None and self.theirs is not None


def daily_today(accesses: list[CaseAccess], today: date) -> dict[int, DailyToday]:
    """Today's question in each of this partner's cases, with what may be shown of the
    answers and the gentle streak. Three queries whatever the history."""
    if not accesses:
        return {}
    user = accesses[0].user
    cases = [access.case for access in accesses]
    found = daily_settings([case.pk for case in cases])
    answers = (
        policy.visible_in(accesses, DailyAnswer.objects.all())
        .filter(day__gte=today - timedelta(days=STREAK_WINDOW_DAYS))
        .values_list("case_id", "author_id", "day")
    )
    authors_by_day: dict[tuple[int, date], set[int]] = {}
    for case_id, author_id, day in answers:
        authors_by_day.setdefault((case_id, day), set()).add(author_id)
    todays = {
        (answer.case_id, answer.author_id == user.pk): answer
        for answer in policy.visible_in(accesses, DailyAnswer.objects.all())
        .filter(day=today)
        .select_related("author")
    }
    result = {}
    for case in cases:
        both = {
            day
            for (case_id, day), authors in authors_by_day.items()
            if case_id == case.pk and len(authors) >= 2
        }
        mine = todays.get((case.pk, True))
        other = todays.get((case.pk, False))
        result[case.pk] = DailyToday(
            case=case,
            prompt=daily_prompt(case, found.get(case.pk), today),
            mine=mine,
            theirs=other if mine is not None else None,
            other_answered=other is not None,
            streak=daily.streak(both, today),
        )
    return result
