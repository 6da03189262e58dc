"""Pages of the program: the partner's program page and homework, the clinician's program page.

Thin: fetch through the policy module, call one action, render. The wrong person gets 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.core import actions as core_actions
from retrust.core import policy
from retrust.core.actions import ActionError
from retrust.core.decorators import staff_required
from retrust.core.models import Case, CaseMember
from retrust.program import actions, content, forms, transitions
from retrust.program.models import (
    AppreciationNote,
    Assignment,
    CaseGoal,
    DiscernmentDecision,
    ExerciseResponse,
    ProposalState,
    ResponseComment,
    StageProposal,
    TrustGoal,
)
from retrust.program.queries import milestones_for, responses_visible_to


def _answers_for_display(response: ExerciseResponse) -> list[tuple[str, str]]:
    """(question, answer) pairs, in the exercise's order; answers to removed prompts last."""
    exercise = content.library().get(response.assignment.exercise_id)
    answers = dict(response.answers or {})
    pairs: list[tuple[str, str]] = []
    if exercise is not None:
        for prompt in exercise.prompts:
            pairs.append((prompt.label, answers.pop(prompt.key, "")))
    pairs.extend((key, value) for key, value in answers.items())
    return pairs


def _with_answers(responses: list[ExerciseResponse]) -> list[ExerciseResponse]:
    for response in responses:
        response.pairs = _answers_for_display(response)  # type: ignore[attr-defined]
    return responses


def _open_proposal(case: Case) -> StageProposal | None:
    """The proposal waiting for confirmation, unless the track or stage moved on since."""
    return (
        StageProposal.objects.filter(
            case=case, state=ProposalState.OPEN, track=case.track, from_stage=case.stage
        )
        .prefetch_related("confirmations")
        .first()
    )


def _comments_prefetch() -> Prefetch[Any]:
    return Prefetch("comments", queryset=ResponseComment.objects.select_related("author"))


# --- partners -------------------------------------------------------------------------------


def _partner_case(user: Any, case_id: int) -> tuple[Case, CaseMember]:
    case = policy.partner_cases_for(user).select_related("practice").filter(pk=case_id).first()
    if case is None:
        raise Http404("No such page.")
    members = list(CaseMember.objects.filter(case=case).select_related("user"))
    me = next(m for m in members if m.user_id == user.pk)
    case.program_members = members  # type: ignore[attr-defined]
    return case, me


def _partner_context(request: HttpRequest, case: Case, me: CaseMember) -> dict[str, Any]:
    user = request.user
    members: list[CaseMember] = case.program_members  # type: ignore[attr-defined]
    other = next((m for m in members if m.user_id != user.pk), None)
    my_responses = {
        r.assignment_id: r
        for r in ExerciseResponse.objects.visible_to(user).filter(case=case, author=user)
    }
    assignments = list(
        Assignment.objects.filter(case=case)
        .filter(Q(for_role="") | Q(for_role=me.role))
        .order_by("due_on", "id")
    )
    for assignment in assignments:
        assignment.mine = my_responses.get(assignment.pk)  # type: ignore[attr-defined]
    shared = _with_answers(
        list(
            responses_visible_to(user)
            .filter(case=case)
            .exclude(author=user)
            .select_related("assignment", "author")
            .prefetch_related(_comments_prefetch())
            .order_by("-submitted_at")[:50]
        )
    )
    proposal = _open_proposal(case)
    goals = list(TrustGoal.objects.visible_to(user).filter(case=case).select_related("author"))
    my_goal = next((g for g in goals if g.author_id == user.pk), None)
    cards = milestones_for(case)
    notes = list(
        AppreciationNote.objects.visible_to(user)
        .filter(case=case)
        .select_related("author")
        .order_by("-created_at")[:20]
    )
    return {
        "case": case,
        "me": me,
        "other": other,
        "stage_name": transitions.stage_name(case.stage),
        "stages": transitions.STAGE_NAMES,
        "assignments": assignments,
        "shared": shared,
        "proposal": proposal,
        "confirmed": proposal is not None
        and any(c.user_id == user.pk for c in proposal.confirmations.all()),
        "can_confirm": proposal is not None
        and transitions.may(
            transitions.Actor.PARTNER, transitions.Step.CONFIRM_ADVANCE, case.track, case.stage
        ),
        "goal_form": forms.TrustGoalForm(
            initial={"body": my_goal.body, "visibility": my_goal.visibility} if my_goal else None,
            auto_id="goal-%s",
        ),
        "other_goals": [g for g in goals if g.author_id != user.pk],
        "case_goals": list(CaseGoal.objects.filter(case=case)),
        "milestones": cards,
        "notes": notes,
        "decision": DiscernmentDecision.objects.filter(case=case).first(),
        "today": timezone.localdate(),
    }


@login_required
def partner_program(request: HttpRequest, case_id: int) -> HttpResponse:
    case, me = _partner_case(request.user, case_id)
    return render(request, "program/partner_program.html", _partner_context(request, case, me))


def _partner_post(
    request: HttpRequest, case_id: int, run: Any, success: str, form_key: str, form: Any
) -> HttpResponse:
    case, me = _partner_case(request.user, case_id)
    if form.is_valid():
        try:
            run(case, form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, success)
            return redirect("program_partner", case_id=case.pk)
    context = _partner_context(request, case, me)
    context[form_key] = form
    return render(request, "program/partner_program.html", context, status=400)


@require_POST
@login_required
def write_trust_goal(request: HttpRequest, case_id: int) -> HttpResponse:
    user: Any = request.user
    return _partner_post(
        request,
        case_id,
        lambda case, data: actions.write_trust_goal(
            user, case, body=data["body"], visibility=data["visibility"]
        ),
        "Saved your words about trust.",
        "goal_form",
        forms.TrustGoalForm(request.POST, auto_id="goal-%s"),
    )


@require_POST
@login_required
def send_appreciation(request: HttpRequest, case_id: int) -> HttpResponse:
    user: Any = request.user
    return _partner_post(
        request,
        case_id,
        lambda case, data: actions.send_appreciation(
            user, case, milestone_key=data["milestone_key"], body=data["body"]
        ),
        "Your note is on its way to your partner.",
        "appreciation_form",
        forms.AppreciationForm(request.POST),
    )


@require_POST
@login_required
def confirm_advance(request: HttpRequest, case_id: int, proposal_id: int) -> HttpResponse:
    case, _ = _partner_case(request.user, case_id)
    proposal = StageProposal.objects.filter(case=case, pk=proposal_id).first()
    if proposal is None:
        raise Http404("No such page.")
    try:
        proposal = actions.confirm_advance(request.user, proposal)  # type: ignore[arg-type]
    except ActionError as exc:
        messages.warning(request, exc.message)
    else:
        if proposal.state == ProposalState.CARRIED:
            messages.success(
                request,
                f"You're now in stage {proposal.to_stage}: "
                f"{transitions.stage_name(proposal.to_stage)}.",
            )
        else:
            messages.success(request, "Thank you. We'll move on once your partner confirms too.")
    return redirect("program_partner", case_id=case.pk)


def _assignment_for(user: Any, assignment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.select_related("case", "case__practice")
        .filter(pk=assignment_id, case__in=policy.partner_cases_for(user))
        .first()
    )
    if assignment is None:
        raise Http404("No such page.")
    role = CaseMember.objects.filter(case=assignment.case, user=user).values_list("role", flat=True)
    if assignment.for_role and assignment.for_role not in role:
        raise Http404("No such page.")
    return assignment


def _maximum_now(assignment: Assignment) -> str:
    return actions.allowed_maximum(assignment, assignment.case)


def _homework_context(
    request: HttpRequest, assignment: Assignment, form: forms.ResponseForm | None = None
) -> dict[str, Any]:
    user = request.user
    exercise = content.library().get(assignment.exercise_id)
    if exercise is None:
        raise Http404("No such page.")
    mine = (
        ExerciseResponse.objects.visible_to(user)
        .filter(assignment=assignment, author=user)
        .prefetch_related(_comments_prefetch())
        .first()
    )
    if form is None:
        initial: dict[str, Any] = {"visibility": assignment.default_visibility}
        if mine is not None:
            initial["visibility"] = mine.visibility
            initial.update({f"answer_{k}": v for k, v in (mine.answers or {}).items()})
        form = forms.ResponseForm(
            initial=initial, exercise=exercise, maximum=_maximum_now(assignment)
        )
    others = _with_answers(
        list(
            responses_visible_to(user)
            .filter(assignment=assignment)
            .exclude(author=user)
            .select_related("author", "assignment")
            .prefetch_related(_comments_prefetch())
        )
    )
    if mine is not None:
        _with_answers([mine])
    waiting_for_other = assignment.reveal_together and assignment.revealed_at is None
    share_choices = []
    if mine is not None and mine.submitted:
        widest = assignment.maximum_visibility
        if assignment.case.track == "individual" and len(assignment.case.members.all()) < 2:
            widest = _maximum_now(assignment)
        share_choices = [
            (v, forms.VISIBILITY_LABELS[v])
            for v in content.VISIBILITIES[: content.VISIBILITIES.index(widest) + 1]
        ]
    return {
        "share_choices": share_choices,
        "assignment": assignment,
        "exercise": exercise,
        "form": form,
        "mine": mine,
        "others": others,
        "waiting_for_other": waiting_for_other,
        "case": assignment.case,
    }


@login_required
def homework(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user: Any = request.user
    assignment = _assignment_for(user, assignment_id)
    if request.method != "POST":
        return render(request, "program/homework.html", _homework_context(request, assignment))
    exercise = content.library().get(assignment.exercise_id)
    if exercise is None:
        raise Http404("No such page.")
    form = forms.ResponseForm(request.POST, exercise=exercise, maximum=_maximum_now(assignment))
    try:
        actions.submit_response(
            user,
            assignment,
            answers=form.answers(),
            visibility=request.POST.get("visibility", ""),
        )
    except ActionError as exc:
        form.is_valid()
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        context = _homework_context(request, assignment, form)
        return render(request, "program/homework.html", context, status=400)
    messages.success(request, "Sent. Thank you for doing this.")
    return redirect("program_homework", assignment_id=assignment.pk)


@require_POST
@login_required
def change_visibility(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The author of sent answers changes who may read them (within the exercise's limit)."""
    user: Any = request.user
    assignment = _assignment_for(user, assignment_id)
    response = (
        ExerciseResponse.objects.visible_to(user)
        .filter(assignment=assignment, author=user, submitted_at__isnull=False)
        .first()
    )
    if response is None:
        raise Http404("No such page.")
    try:
        actions.change_response_visibility(
            user, response, visibility=request.POST.get("visibility", "")
        )
    except ActionError as exc:
        messages.warning(request, exc.message)
        context = _homework_context(request, assignment)
        return render(request, "program/homework.html", context, status=400)
    messages.success(request, "Updated who can read your answers.")
    return redirect("program_homework", assignment_id=assignment.pk)


@require_POST
@login_required
def save_draft(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Autosave (htmx) or the "Save draft" button (without JavaScript)."""
    user: Any = request.user
    assignment = _assignment_for(user, assignment_id)
    exercise = content.library().get(assignment.exercise_id)
    if exercise is None:
        raise Http404("No such page.")
    form = forms.ResponseForm(request.POST, exercise=exercise, maximum=_maximum_now(assignment))
    try:
        actions.save_draft(
            user,
            assignment,
            answers=form.answers(),
            visibility=request.POST.get("visibility", "") or assignment.default_visibility,
        )
    except ActionError as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request, "program/homework.html#draft-status", {"draft_error": exc.message}
            )
        form.is_valid()
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        context = _homework_context(request, assignment, form)
        return render(request, "program/homework.html", context, status=400)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "program/homework.html#draft-status", {"saved_at": timezone.localtime()}
        )
    messages.success(request, "Draft saved. Only you can see it until you send it.")
    return redirect("program_homework", assignment_id=assignment.pk)


# --- clinicians -----------------------------------------------------------------------------


def _clinician_context(request: HttpRequest, case: Case, **overrides: Any) -> dict[str, Any]:
    user = request.user
    members = list(CaseMember.objects.filter(case=case).select_related("user"))
    assignments = list(Assignment.objects.filter(case=case).order_by("-due_on", "-id")[:50])
    responses = _with_answers(
        list(
            responses_visible_to(user)
            .filter(case=case, assignment__in=[a.pk for a in assignments])
            .select_related("author", "assignment")
            .prefetch_related(_comments_prefetch())
        )
    )
    for assignment in assignments:
        assignment.visible_responses = [  # type: ignore[attr-defined]
            r for r in responses if r.assignment_id == assignment.pk
        ]
        assignment.shared_count = sum(  # type: ignore[attr-defined]
            1
            for r in assignment.visible_responses
            if r.submitted  # type: ignore[attr-defined]
        )
    trust_goals = list(
        TrustGoal.objects.visible_to(user).filter(case=case).select_related("author")
    )
    if responses:
        core_actions.record_clinical_read(user, case, "program_responses", len(responses))
    if trust_goals:
        core_actions.record_clinical_read(user, case, "program_trust_goals", len(trust_goals))
    proposal = _open_proposal(case)
    goals = list(CaseGoal.objects.filter(case=case))
    context: dict[str, Any] = {
        "case": case,
        "members": members,
        "stage_name": transitions.stage_name(case.stage),
        "stages": transitions.STAGE_NAMES,
        "assignments": assignments,
        "proposal": proposal,
        "confirmed_names": [
            m.user.name
            for m in members
            if proposal is not None
            and any(c.user_id == m.user_id for c in proposal.confirmations.all())
        ],
        "can_propose": transitions.may(
            transitions.Actor.CLINICIAN, transitions.Step.PROPOSE_ADVANCE, case.track, case.stage
        ),
        "can_decide": transitions.may(
            transitions.Actor.CLINICIAN, transitions.Step.RECORD_DECISION, case.track, case.stage
        ),
        "trust_goals": trust_goals,
        "case_goals": [
            (
                g,
                forms.GoalUpdateForm(
                    initial={"status": g.status, "review_on": g.review_on},
                    auto_id=f"goal-{g.pk}-%s",
                ),
            )
            for g in goals
        ],
        "decision": DiscernmentDecision.objects.filter(case=case).first(),
        "milestones": milestones_for(case),
        "assign_form": forms.AssignForm(
            track=case.track, initial={"due_on": timezone.localdate()}, auto_id="assign-%s"
        ),
        "propose_form": forms.ProposeForm(auto_id="propose-%s"),
        "goal_form": forms.CaseGoalForm(auto_id="casegoal-%s"),
        "decision_form": forms.DecisionForm(auto_id="decision-%s"),
        "comment_for": None,
        "comment_form": None,
    }
    context.update(overrides)
    return context


@staff_required
def clinician_program(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    return render(request, "program/clinician_program.html", _clinician_context(request, case))


def _clinician_post(
    request: HttpRequest, case_id: int, form: Any, form_key: str, run: Any, success: str
) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    if form.is_valid():
        try:
            run(case, form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, success)
            return redirect("program_clinician", case_id=case.pk)
    context = _clinician_context(request, case, **{form_key: form})
    return render(request, "program/clinician_program.html", context, status=400)


@require_POST
@staff_required
def assign(request: HttpRequest, case_id: int) -> HttpResponse:
    user: Any = request.user
    case = policy.get_clinician_case_for(user, case_id)
    return _clinician_post(
        request,
        case_id,
        forms.AssignForm(request.POST, track=case.track, auto_id="assign-%s"),
        "assign_form",
        lambda case, d: actions.assign_homework(
            user,
            case,
            exercise_id=d["exercise_id"],
            due_on=d["due_on"],
            for_role=d["for_role"],
            note=d["note"],
        ),
        "Homework assigned.",
    )


@require_POST
@staff_required
def propose(request: HttpRequest, case_id: int) -> HttpResponse:
    user: Any = request.user
    return _clinician_post(
        request,
        case_id,
        forms.ProposeForm(request.POST, auto_id="propose-%s"),
        "propose_form",
        lambda case, d: actions.propose_advance(user, case, goals_review=d["goals_review"]),
        "Proposal made.",
    )


@require_POST
@staff_required
def withdraw(request: HttpRequest, case_id: int, proposal_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    proposal = StageProposal.objects.filter(case=case, pk=proposal_id).first()
    if proposal is None:
        raise Http404("No such page.")
    actions.withdraw_proposal(request.user, proposal)  # type: ignore[arg-type]
    messages.success(request, "Proposal withdrawn.")
    return redirect("program_clinician", case_id=case.pk)


@require_POST
@staff_required
def add_goal(request: HttpRequest, case_id: int) -> HttpResponse:
    user: Any = request.user
    return _clinician_post(
        request,
        case_id,
        forms.CaseGoalForm(request.POST, auto_id="casegoal-%s"),
        "goal_form",
        lambda case, d: actions.add_case_goal(
            user, case, title=d["title"], how_noticed=d["how_noticed"], review_on=d["review_on"]
        ),
        "Goal added.",
    )


@require_POST
@staff_required
def update_goal(request: HttpRequest, case_id: int, goal_id: int) -> HttpResponse:
    user: Any = request.user
    case = policy.get_clinician_case_for(user, case_id)
    goal = CaseGoal.objects.filter(case=case, pk=goal_id).first()
    if goal is None:
        raise Http404("No such page.")
    form = forms.GoalUpdateForm(request.POST, auto_id=f"goal-{goal.pk}-%s")
    if form.is_valid():
        try:
            actions.update_case_goal(
                user,
                goal,
                status=form.cleaned_data["status"],
                review_on=form.cleaned_data["review_on"],
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Goal updated.")
            return redirect("program_clinician", case_id=case.pk)
    messages.warning(request, " ".join(e for errs in form.errors.values() for e in errs))
    context = _clinician_context(request, case)
    return render(request, "program/clinician_program.html", context, status=400)


@require_POST
@staff_required
def record_decision(request: HttpRequest, case_id: int) -> HttpResponse:
    user: Any = request.user
    return _clinician_post(
        request,
        case_id,
        forms.DecisionForm(request.POST, auto_id="decision-%s"),
        "decision_form",
        lambda case, d: actions.record_decision(
            user, case, path=d["path"], note=d["note"], closing_plan=d["closing_plan"]
        ),
        "Decision recorded.",
    )


@require_POST
@staff_required
def comment(request: HttpRequest, case_id: int, response_id: int) -> HttpResponse:
    user: Any = request.user
    case = policy.get_clinician_case_for(user, case_id)
    response = responses_visible_to(user).filter(case=case, pk=response_id).first()
    if response is None:
        raise Http404("No such page.")
    form = forms.CommentForm(request.POST, auto_id=f"comment-{response.pk}-%s")
    if form.is_valid():
        try:
            actions.comment_on_response(user, response, body=form.cleaned_data["body"])
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Comment added.")
            return redirect("program_clinician", case_id=case.pk)
    context = _clinician_context(request, case, comment_for=response.pk, comment_form=form)
    return render(request, "program/clinician_program.html", context, status=400)


# --- the exercise library (clinicians) ------------------------------------------------------


def _require_clinician(user: Any) -> None:
    if not policy.is_clinician(user):
        raise Http404("No such page.")


@staff_required
def library(request: HttpRequest) -> HttpResponse:
    _require_clinician(request.user)
    by_stage: dict[int, list[content.Exercise]] = {}
    for exercise in content.library().values():
        by_stage.setdefault(exercise.stage, []).append(exercise)
    stages = [(s, transitions.stage_name(s), by_stage.get(s, [])) for s in transitions.STAGE_NAMES]
    return render(request, "program/library.html", {"stages": stages})


@staff_required
def exercise_detail(request: HttpRequest, exercise_id: str) -> HttpResponse:
    _require_clinician(request.user)
    exercise = content.library().get(exercise_id)
    if exercise is None:
        raise Http404("No such exercise.")
    return render(request, "program/exercise.html", {"exercise": exercise})
