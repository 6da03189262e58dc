"""Every change to the program: validate, write, audit, in one transaction each.

Refusals raise ``retrust.core.actions.ActionError`` naming the form field at fault, so pages
and the API show the same plain message. Submitting the same thing twice stores it once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from retrust.core import audit, pause
from retrust.core.actions import (
    ActionConflict,
    ActionError,
    mark_active,
    require_case_clinician,
    require_partner,
)
from retrust.core.models import Case, CaseMember, CaseStatus, User
from retrust.core.rules import ORDER, Visibility
from retrust.program import content, daily, journey, queries, transitions
from retrust.program.models import (
    AppreciationNote,
    Assignment,
    CaseGoal,
    DailyAnswer,
    DailyQuestionSettings,
    DiscernmentDecision,
    DiscernmentPath,
    ExerciseResponse,
    GoalStatus,
    ProposalState,
    ResponseComment,
    StageConfirmation,
    StageProposal,
    TrustGoal,
)
from retrust.program.transitions import Actor, Step

MAX_ANSWER = 10_000
MAX_SHORT = 300
PARTNER_ROLES = ("partner_a", "partner_b")


def _require_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed, so its program is read-only now.")


def _require_step(actor: Actor, step: Step, case: Case) -> None:
    if not transitions.may(actor, step, case.track, case.stage):
        raise ActionError(
            f"That step isn't available on the {case.track} track at stage "
            f"{journey.stage_place(case.stage)}."
        )


def _text(value: str | None, field: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionError(message, field)
    if len(value) > limit:
        raise ActionError(f"Please keep this under {limit:,} characters.", field)
    return value


# --- homework -------------------------------------------------------------------------------


@transaction.atomic
def assign_homework(
    actor: User,
    case: Case,
    *,
    exercise_id: str,
    due_on: date | None,
    for_role: str = "",
    note: str = "",
) -> Assignment:
    """Give an exercise as homework. The same exercise, partner and due date again is a no-op."""
    require_case_clinician(actor, case)
    _require_open(case)
    _require_step(Actor.CLINICIAN, Step.ASSIGN_HOMEWORK, case)
    exercise = content.library().get(exercise_id or "")
    if exercise is None:
        raise ActionError("Choose an exercise from the library.", "exercise_id")
    if case.track not in exercise.tracks:
        raise ActionError(
            f"“{exercise.title}” is written for the {', '.join(exercise.tracks)} track, "
            f"and this case is on the {case.track} track.",
            "exercise_id",
        )
    today = timezone.localdate()
    if due_on is None:
        raise ActionError("Choose a due date.", "due_on")
    if due_on < today:
        raise ActionError("Choose a due date from today onwards.", "due_on")
    if due_on > today + timedelta(days=366):
        raise ActionError("Choose a due date within the next year.", "due_on")
    for_role = for_role or ""
    if for_role not in ("", *PARTNER_ROLES):
        raise ActionError("Choose who this is for.", "for_role")
    if exercise.who != "both" and not for_role:
        raise ActionError(
            f"This exercise is for one partner ({exercise.who_label.lower()}). Choose which.",
            "for_role",
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise ActionError("Please keep the note under 2,000 characters.", "note")
    assignment, created = Assignment.objects.get_or_create(
        case=case,
        exercise_id=exercise.id,
        due_on=due_on,
        for_role=for_role,
        defaults={
            "title": exercise.title,
            "reveal_together": exercise.reveal_together and not for_role,
            "maximum_visibility": exercise.maximum_visibility,
            "note": note,
            "assigned_by": actor,
        },
    )
    if created:
        audit.record(
            actor,
            "retrust.program.homework.assigned",
            target=assignment,
            case=case,
            details={"exercise": exercise.id, "due_on": due_on.isoformat(), "for": for_role},
        )
    return assignment


def assignees(assignment: Assignment) -> list[CaseMember]:
    members = CaseMember.objects.filter(case_id=assignment.case_id)
    if assignment.for_role:
        members = members.filter(role=assignment.for_role)
    return list(members)


def _require_assignee(user: User, assignment: Assignment) -> None:
    if not any(m.user_id == user.pk for m in assignees(assignment)):
        raise ActionError("This exercise was given to someone else.")


def clean_visibility(value: str | None, maximum: str, field: str = "visibility") -> Visibility:
    """The author's choice, refused when it is wider than the exercise allows."""
    try:
        chosen = Visibility(value or "")
    except ValueError as exc:
        raise ActionError("Choose who can see your answers.", field) from exc
    if ORDER.index(chosen) > ORDER.index(Visibility(maximum)):
        raise ActionError(
            "This exercise can be shared at most with "
            f"“{Visibility(maximum).label.lower()}”. Choose that or something narrower.",
            field,
        )
    return chosen


def allowed_maximum(assignment: Assignment, case: Case) -> str:
    """The widest an author may share answers now.

    The exercise's maximum, except on the individual track: the partner is not part of the
    work yet, so answers stay with the author and the clinician until the author, later, shares
    a particular answer with a partner who has joined (``change_response_visibility``).
    """
    if case.track == "individual" and assignment.maximum_visibility == Visibility.COUPLE:
        return Visibility.CLINICIAN.value
    return assignment.maximum_visibility


def clean_answers(exercise_id: str, answers: dict[str, Any], *, complete: bool) -> dict[str, str]:
    """Known prompts only, trimmed; every prompt answered when ``complete``."""
    exercise = content.library().get(exercise_id)
    if exercise is None:  # the file was removed after assigning; keep what can be kept
        raise ActionError("This exercise is no longer in the library. Ask your clinician.")
    cleaned: dict[str, str] = {}
    for prompt in exercise.prompts:
        raw = answers.get(prompt.key, "")
        value = str(raw if raw is not None else "").strip()
        field = f"answer_{prompt.key}"
        if prompt.field == "scale_1_5" and value and value not in {"1", "2", "3", "4", "5"}:
            raise ActionError("Choose a number from 1 to 5.", field)
        limit = MAX_SHORT if prompt.field == "short_text" else MAX_ANSWER
        if len(value) > limit:
            raise ActionError(f"Please keep this answer under {limit:,} characters.", field)
        if complete and not value:
            raise ActionError("Answer this one too — a few words are enough.", field)
        cleaned[prompt.key] = value
    return cleaned


def on_their_own(case: Case) -> bool:
    """Individual work with no second partner yet: nothing can be shared "with both of us"."""
    return queries.on_their_own(case, list(CaseMember.objects.filter(case=case)))


def _require_sharing_allowed(actor: User, case: Case, visibility: str) -> None:
    """Sharing with the other partner is couple work: it waits while the case is paused."""
    if visibility == Visibility.COUPLE:
        pause.require_couple_work_allowed(case, actor)


def _locked(assignment: Assignment) -> Assignment:
    return Assignment.objects.select_for_update().get(pk=assignment.pk)


@transaction.atomic
def save_draft(
    author: User, assignment: Assignment, *, answers: dict[str, Any], visibility: str
) -> ExerciseResponse:
    """Keep unfinished answers. Only the author ever sees a draft."""
    assignment = _locked(assignment)
    case = assignment.case
    _require_open(case)
    _require_assignee(author, assignment)
    chosen = clean_visibility(visibility, allowed_maximum(assignment, case))
    cleaned = clean_answers(assignment.exercise_id, answers, complete=False)
    response = ExerciseResponse.objects.filter(assignment=assignment, author=author).first()
    if response is not None and response.submitted:
        raise ActionError("You already sent these answers; they can't be changed now.")
    if response is None:
        response = ExerciseResponse.objects.create(
            case=case, author=author, assignment=assignment, answers=cleaned, visibility=chosen
        )
    elif response.answers == cleaned and response.visibility == chosen:
        return response
    else:
        response.answers = cleaned
        response.visibility = chosen
        response.save(update_fields=["answers", "visibility", "updated_at"])
    audit.record(
        author,
        "retrust.program.response.draft_saved",
        target=response,
        case=case,
        details={"visibility": chosen.value},
        private=True,  # only the author ever sees a draft
    )
    return response


@transaction.atomic
def submit_response(
    author: User, assignment: Assignment, *, answers: dict[str, Any], visibility: str
) -> ExerciseResponse:
    """Send the answers. Sending again changes nothing and returns the stored answers."""
    assignment = _locked(assignment)
    case = assignment.case
    existing = ExerciseResponse.objects.filter(assignment=assignment, author=author).first()
    if existing is not None and existing.submitted:
        return existing
    _require_open(case)
    _require_assignee(author, assignment)
    chosen = clean_visibility(visibility, allowed_maximum(assignment, case))
    _require_sharing_allowed(author, case, chosen)
    cleaned = clean_answers(assignment.exercise_id, answers, complete=True)
    now = timezone.now()
    opened = now if _opens_to_partner(assignment, chosen) else None
    if existing is None:
        response = ExerciseResponse.objects.create(
            case=case,
            author=author,
            assignment=assignment,
            answers=cleaned,
            visibility=chosen,
            submitted_at=now,
            open_to_partner_at=opened,
        )
    else:
        response = existing
        response.answers = cleaned
        response.visibility = chosen
        response.submitted_at = now
        response.open_to_partner_at = opened
        response.save(
            update_fields=[
                "answers",
                "visibility",
                "submitted_at",
                "open_to_partner_at",
                "updated_at",
            ]
        )
    mark_active(author, case)
    audit.record(
        author,
        "retrust.program.response.submitted",
        target=response,
        case=case,
        details={"visibility": chosen.value, "exercise": assignment.exercise_id},
        private=audit.private_to_author(chosen),
    )
    people = {m.user_id for m in assignees(assignment)}
    done = set(
        ExerciseResponse.objects.filter(
            assignment=assignment, submitted_at__isnull=False
        ).values_list("author_id", flat=True)
    )
    # Both partners, not just whoever has joined so far: a partner who joins later must not
    # find the other's answers waiting for them without having answered too.
    if (
        assignment.reveal_together
        and len(people) >= 2
        and people <= done
        and assignment.revealed_at is None
    ):
        assignment.revealed_at = now
        assignment.save(update_fields=["revealed_at"])
        ExerciseResponse.objects.filter(
            assignment=assignment,
            submitted_at__isnull=False,
            visibility=Visibility.COUPLE,
            open_to_partner_at__isnull=True,
        ).update(open_to_partner_at=now)
        response.refresh_from_db(fields=["open_to_partner_at"])
        audit.record(
            author, "retrust.program.homework.revealed", target=assignment, case=case, details={}
        )
    return response


def _opens_to_partner(assignment: Assignment, visibility: str) -> bool:
    """Sent answers at this visibility are readable by the other partner from now on."""
    waiting = assignment.reveal_together and assignment.revealed_at is None
    return visibility == Visibility.COUPLE and not waiting


# Why sent answers can no longer change; the page shows the same sentence the action refuses with.
OPEN_TO_PARTNER = "You shared these answers with your partner, so they stay as you sent them."
ANSWERED_BY_CLINICIAN = (
    "Your clinician has replied to these answers, so they stay as you sent them."
)


def edit_refusal(response: ExerciseResponse, *, commented: bool) -> str:
    """Why the author can no longer change sent answers, or "" while they still can.

    The words stay changeable until the other partner could first read them
    (``open_to_partner_at``) or the clinician has replied to them (``commented``).
    """
    if response.open_to_partner_at is not None:
        return OPEN_TO_PARTNER
    if commented:
        return ANSWERED_BY_CLINICIAN
    return ""


@transaction.atomic
def edit_response(
    author: User, assignment: Assignment, *, answers: dict[str, Any]
) -> ExerciseResponse:
    """Change the words of sent answers, until the other partner could read them.

    Nothing of the earlier words is kept and nobody is told; the same words again change
    nothing. Once the answers are open to the partner (or the clinician replied), a conflict.
    """
    assignment = _locked(assignment)  # the other partner's send may reveal at the same moment
    case = assignment.case
    _require_open(case)
    response = ExerciseResponse.objects.filter(
        assignment=assignment, author=author, submitted_at__isnull=False
    ).first()
    if response is None:
        raise ActionError("Send your answers first; until then your draft is yours to change.")
    why = edit_refusal(response, commented=response.comments.exists())
    if why:
        raise ActionConflict(why)
    cleaned = clean_answers(assignment.exercise_id, answers, complete=True)
    if cleaned == response.answers:
        return response
    response.answers = cleaned
    response.save(update_fields=["answers", "updated_at"])
    audit.record(
        author,
        "retrust.program.response.edited",
        target=response,
        case=case,
        details={"exercise": assignment.exercise_id},
        private=audit.private_to_author(response.visibility),
    )
    return response


@transaction.atomic
def change_response_visibility(
    author: User, response: ExerciseResponse, *, visibility: str
) -> ExerciseResponse:
    """The author re-decides who reads sent answers, never wider than the exercise allows.

    This is how individual work carries over when a partner joins: answer by answer, as the
    author chooses.
    """
    if response.author_id != author.pk:
        raise ActionError("Only the person who wrote these answers can change who sees them.")
    # Locked like a send: a reveal at the same moment must see this choice, or this one it.
    assignment = _locked(response.assignment)
    case = response.case
    maximum = assignment.maximum_visibility
    if on_their_own(case):
        maximum = allowed_maximum(assignment, case)
    chosen = clean_visibility(visibility, maximum)
    _require_sharing_allowed(author, case, chosen)
    old = response.visibility
    if old == chosen:
        return response
    response.visibility = chosen
    fields = ["visibility", "updated_at"]
    if response.open_to_partner_at is None and _opens_to_partner(assignment, chosen):
        response.open_to_partner_at = timezone.now()
        fields.append("open_to_partner_at")
    response.save(update_fields=fields)
    audit.record(
        author,
        "retrust.program.response.visibility_changed",
        target=response,
        case=case,
        details={"old": old, "new": chosen.value},
        private=audit.private_to_author(chosen),
    )
    return response


@transaction.atomic
def comment_on_response(actor: User, response: ExerciseResponse, *, body: str) -> ResponseComment:
    case = response.case
    require_case_clinician(actor, case)
    if not response.submitted:
        raise ActionError("You can comment once the answers are sent.")
    body = _text(body, "body", "Write your comment first.", 4000)
    last = response.comments.filter(author=actor).order_by("-id").first()
    if last is not None and last.body == body:
        return last
    comment = ResponseComment.objects.create(response=response, author=actor, body=body)
    audit.record(actor, "retrust.program.comment.written", target=comment, case=case)
    return comment


# --- goals ----------------------------------------------------------------------------------


@transaction.atomic
def write_trust_goal(author: User, case: Case, *, body: str, visibility: str) -> TrustGoal:
    """A partner's own picture of trust; writing again replaces their earlier words."""
    require_partner(author, case)
    _require_open(case)
    body = _text(body, "body", "Write a few words about what trust would look like.", 4000)
    chosen = clean_visibility(visibility, Visibility.COUPLE.value)
    if chosen == Visibility.COUPLE and on_their_own(case):
        raise ActionError(
            "For now your words can stay with you, or with you and your clinician.", "visibility"
        )
    _require_sharing_allowed(author, case, chosen)
    goal = TrustGoal.objects.filter(case=case, author=author).first()
    if goal is not None and goal.body == body and goal.visibility == chosen:
        return goal
    if goal is None:
        goal = TrustGoal.objects.create(case=case, author=author, body=body, visibility=chosen)
    else:
        goal.body, goal.visibility = body, chosen
        goal.save(update_fields=["body", "visibility", "updated_at"])
    audit.record(
        author,
        "retrust.program.trust_goal.written",
        target=goal,
        case=case,
        details={"visibility": chosen.value},
        private=audit.private_to_author(chosen),
    )
    return goal


def _clean_review(review_on: date | None) -> date | None:
    if review_on is not None and review_on < timezone.localdate():
        raise ActionError("Choose a review date from today onwards.", "review_on")
    return review_on


@transaction.atomic
def add_case_goal(
    actor: User, case: Case, *, title: str, how_noticed: str, review_on: date | None
) -> CaseGoal:
    require_case_clinician(actor, case)
    _require_open(case)
    _require_step(Actor.CLINICIAN, Step.SET_CASE_GOALS, case)
    title = _text(title, "title", "Name the goal in a few words.", 200)
    how = _text(
        how_noticed, "how_noticed", "Say how the couple will notice progress on this goal.", 2000
    )
    review_on = _clean_review(review_on)
    goal, created = CaseGoal.objects.get_or_create(
        case=case,
        title=title,
        defaults={"how_noticed": how, "review_on": review_on, "created_by": actor},
    )
    if created:
        audit.record(actor, "retrust.program.case_goal.added", target=goal, case=case)
    return goal


@transaction.atomic
def update_case_goal(
    actor: User, goal: CaseGoal, *, status: str, review_on: date | None
) -> CaseGoal:
    case = goal.case
    require_case_clinician(actor, case)
    _require_open(case)
    if status not in GoalStatus.values:
        raise ActionError("Choose a status for the goal.", "status")
    review_on = _clean_review(review_on) if review_on != goal.review_on else review_on
    if goal.status == status and goal.review_on == review_on:
        return goal
    old = {"status": goal.status, "review_on": str(goal.review_on or "")}
    goal.status, goal.review_on = status, review_on
    goal.save(update_fields=["status", "review_on", "updated_at"])
    audit.record(
        actor,
        "retrust.program.case_goal.updated",
        target=goal,
        case=case,
        details={"old": old, "new": {"status": status, "review_on": str(review_on or "")}},
    )
    return goal


# --- stages and tracks ----------------------------------------------------------------------


def _set_stage(actor: User, case: Case, proposal: StageProposal) -> None:
    old = case.stage
    case.stage = proposal.to_stage
    case.save(update_fields=["stage", "updated_at"])
    proposal.state = ProposalState.CARRIED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["state", "decided_at"])
    audit.record(
        actor,
        "retrust.program.stage.advanced",
        target=case,
        case=case,
        details={"old": old, "new": case.stage, "proposal": proposal.pk},
    )


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("practice").get(pk=case.pk)


@transaction.atomic
def propose_advance(actor: User, case: Case, *, goals_review: str) -> StageProposal:
    """Propose the next stage. Conjoint: waits for both partners. Individual: carries at once."""
    case = _locked_case(case)
    require_case_clinician(actor, case)
    _require_open(case)
    _require_step(Actor.CLINICIAN, Step.PROPOSE_ADVANCE, case)
    review = _text(
        goals_review, "goals_review", "Write a short look back at the goals before moving on.", 4000
    )
    open_one = StageProposal.objects.filter(case=case, state=ProposalState.OPEN).first()
    if open_one is not None:
        if open_one.track == case.track and open_one.from_stage == case.stage:
            return open_one
        # Made before the track (or stage) changed: its rules no longer apply.
        withdraw_proposal(actor, open_one)
    proposal = StageProposal.objects.create(
        case=case,
        track=case.track,
        from_stage=case.stage,
        to_stage=case.stage + 1,
        goals_review=review,
        proposed_by=actor,
    )
    audit.record(
        actor,
        "retrust.program.stage.proposed",
        target=proposal,
        case=case,
        details={"from": proposal.from_stage, "to": proposal.to_stage, "track": case.track},
    )
    if transitions.advance_complete(case.track, 0, 0):
        _set_stage(actor, case, proposal)
    return proposal


@transaction.atomic
def confirm_advance(partner: User, proposal: StageProposal) -> StageProposal:
    """A partner's yes. When every partner has said yes, the case moves to the next stage."""
    case = _locked_case(proposal.case)
    proposal = StageProposal.objects.get(pk=proposal.pk)
    require_partner(partner, case)
    if (
        proposal.state == ProposalState.CARRIED
        and proposal.confirmations.filter(user=partner).exists()
    ):
        return proposal
    _require_open(case)
    if proposal.state != ProposalState.OPEN or proposal.from_stage != case.stage:
        raise ActionError("This proposal is no longer open.")
    _require_step(Actor.PARTNER, Step.CONFIRM_ADVANCE, case)
    pause.require_couple_work_allowed(case, partner)
    _, created = StageConfirmation.objects.get_or_create(proposal=proposal, user=partner)
    if created:
        audit.record(
            partner,
            "retrust.program.stage.confirmed",
            target=proposal,
            case=case,
            details={"to": proposal.to_stage},
        )
    partners = CaseMember.objects.filter(case=case).count()
    confirmed = proposal.confirmations.filter(user__case_memberships__case=case).count()
    if transitions.advance_complete(case.track, confirmed, partners):
        _set_stage(partner, case, proposal)
    return proposal


@transaction.atomic
def withdraw_proposal(actor: User, proposal: StageProposal) -> StageProposal:
    case = proposal.case
    require_case_clinician(actor, case)
    _require_open(case)
    if proposal.state != ProposalState.OPEN:
        return proposal
    proposal.state = ProposalState.WITHDRAWN
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["state", "decided_at"])
    audit.record(actor, "retrust.program.stage.withdrawn", target=proposal, case=case)
    return proposal


@transaction.atomic
def record_decision(
    actor: User, case: Case, *, path: str, note: str = "", closing_plan: str = ""
) -> DiscernmentDecision:
    """The outcome of discernment work; parting needs a closing plan."""
    case = _locked_case(case)
    require_case_clinician(actor, case)
    _require_open(case)
    _require_step(Actor.CLINICIAN, Step.RECORD_DECISION, case)
    if path not in DiscernmentPath.values:
        raise ActionError("Choose the path the couple decided on.", "path")
    note = (note or "").strip()
    closing_plan = (closing_plan or "").strip()
    if len(note) > 4000:
        raise ActionError("Please keep the note under 4,000 characters.", "note")
    if len(closing_plan) > 8000:
        raise ActionError("Please keep the plan under 8,000 characters.", "closing_plan")
    if path == DiscernmentPath.SEPARATE and not closing_plan:
        raise ActionError(
            "When a couple decides to part, write the closing plan you agreed on together.",
            "closing_plan",
        )
    decision = DiscernmentDecision.objects.filter(case=case).first()
    values = {"path": path, "note": note, "closing_plan": closing_plan}
    if decision is not None and all(getattr(decision, k) == v for k, v in values.items()):
        return decision
    old = decision.path if decision is not None else ""
    if decision is None:
        decision = DiscernmentDecision.objects.create(case=case, recorded_by=actor, **values)
    else:
        for key, value in values.items():
            setattr(decision, key, value)
        decision.recorded_by, decision.recorded_at = actor, timezone.now()
        decision.save()
    audit.record(
        actor,
        "retrust.program.decision.recorded",
        target=decision,
        case=case,
        details={"old": old, "new": path, "closing_plan": bool(closing_plan)},
    )
    return decision


# --- appreciation ---------------------------------------------------------------------------


@transaction.atomic
def send_appreciation(
    author: User, case: Case, *, milestone_key: str, body: str
) -> AppreciationNote:
    """A note to the other partner from a shared milestone card; the same note twice is stored
    once. Personal cards (a person's own check-ins or questionnaire answers) carry no note."""
    require_partner(author, case)
    _require_open(case)
    if not CaseMember.objects.filter(case=case).exclude(user=author).exists():
        raise ActionError("Your partner hasn't joined yet, so there is no one to send this to.")
    pause.require_couple_work_allowed(case, author)
    keys = {m.key for m in queries.shared_milestones(case)}
    if milestone_key not in keys:
        raise ActionError("Choose one of your milestones.", "milestone_key")
    body = _text(body, "body", "Write a few warm words first.", 2000)
    # The body is encrypted at rest, so the same-note check happens here, not in SQL.
    for existing in AppreciationNote.objects.filter(
        case=case, author=author, milestone_key=milestone_key
    ):
        if existing.body == body:
            return existing
    note = AppreciationNote.objects.create(
        case=case, author=author, milestone_key=milestone_key, body=body, visibility="couple"
    )
    audit.record(
        author,
        "retrust.program.appreciation.sent",
        target=note,
        case=case,
        details={"milestone": milestone_key},
    )
    return note


# --- the daily question ---------------------------------------------------------------------


class NewDay(ActionConflict):
    """The question changed (a new day began) between opening the form and sending it."""


@transaction.atomic
def answer_daily_question(
    actor: User, case: Case, *, body: str, prompt_id: str, today: date | None = None
) -> DailyAnswer:
    """A partner answers today's question. Shared with the couple, revealed together.

    Sending the same words again changes nothing; different words replace the answer until the
    other partner has answered too, after which it stays as both have read it.
    """
    require_partner(actor, case)
    _require_open(case)
    today = today or timezone.localdate()
    found = DailyQuestionSettings.objects.filter(case=case).first()
    prompt = queries.daily_prompt(case, found, today)
    if prompt is None:
        raise ActionError("There is no daily question in this case right now.")
    pause.require_couple_work_allowed(case, actor)
    if prompt_id != prompt.id:
        raise NewDay(
            "A new day's question has started since you opened this one. Nothing was saved: "
            "here is today's.",
            "body",
        )
    body = _text(body, "body", "Write a few words first.", daily.ANSWER_MAX)
    existing = DailyAnswer.objects.select_for_update().filter(case=case, author=actor, day=today)
    answer = existing.first()
    if answer is not None:
        if answer.body == body:
            return answer
        other_answered = (
            DailyAnswer.objects.filter(case=case, day=today).exclude(author=actor).exists()
        )
        if other_answered:
            raise ActionError(
                "Your partner has read your answer already, so it stays as it is. You can "
                "add to it tomorrow.",
                "body",
            )
        answer.body = body
        answer.save(update_fields=["body", "updated_at"])
        audit.record(actor, "retrust.daily.answer.changed", target=answer, case=case)
        return answer
    answer, created = DailyAnswer.objects.get_or_create(
        case=case,
        author=actor,
        day=today,
        defaults={
            "prompt_id": prompt.id,
            "prompt_text": prompt.text,
            "body": body,
            "visibility": Visibility.COUPLE.value,
        },
    )
    if created:
        mark_active(actor, case)
        audit.record(
            actor,
            "retrust.daily.answered",
            target=answer,
            case=case,
            details={"prompt": prompt.id},
        )
    return answer


@transaction.atomic
def set_daily_question(
    actor: User, case: Case, *, enabled: bool, decks: list[str]
) -> DailyQuestionSettings:
    """The clinician turns the daily question on or off for a case and picks its decks."""
    require_case_clinician(actor, case)
    _require_open(case)
    known = daily.decks()
    unknown = [key for key in decks if key not in known]
    if unknown:
        raise ActionError("Choose decks from the list.", "decks")
    if enabled and not decks:
        raise ActionError("Choose at least one deck, or turn the daily question off.", "decks")
    chosen = [key for key in known if key in decks]
    found = DailyQuestionSettings.objects.select_for_update().filter(case=case).first()
    if found is not None and found.enabled == enabled and found.decks == chosen:
        return found  # the same choice again: a double submit
    found = found or DailyQuestionSettings(case=case)
    found.enabled, found.decks, found.updated_by = enabled, chosen, actor
    found.save()
    audit.record(
        actor,
        "retrust.daily.settings.changed",
        target=found,
        case=case,
        details={"enabled": enabled, "decks": chosen},
    )
    return found
