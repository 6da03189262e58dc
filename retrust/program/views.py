"""Pages of the program: the partner's program page and homework, the clinician's program page.

Thin: each page resolves the person's access to the case once (``case_view``, or
``assignment_view`` for homework), reads through ``queries`` (the same read builders as the
API), runs one action through ``submit`` and renders. The wrong person gets 404. Forms and
buttons show only where the action would accept them (``access.can_*``); a form that a pause
blocks says so before anyone types.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.core import policy
from retrust.core.decorators import case_view, partner_case_index, staff_required
from retrust.core.policy import CaseAccess
from retrust.core.rules import ORDER, Visibility
from retrust.core.submission import submit
from retrust.program import (
    actions,
    content,
    daily,
    forms,
    journey,
    panels,
    queries,
    transitions,
)
from retrust.program.models import (
    Assignment,
    CaseGoal,
    DiscernmentDecision,
    ExerciseResponse,
    ProposalState,
    ResponseComment,
    StageProposal,
)


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


def _comments_prefetch() -> Prefetch[Any]:
    return Prefetch("comments", queryset=ResponseComment.objects.select_related("author"))


def _narrower(first: str, second: str) -> str:
    return min(first, second, key=lambda v: ORDER.index(Visibility(v)))


def _offered(access: CaseAccess, widest: str) -> str:
    """The widest choice to offer now: sharing with the couple waits while this person is held."""
    if access.held:
        return _narrower(widest, Visibility.CLINICIAN.value)
    return widest


# --- partners -------------------------------------------------------------------------------


def _partner_context(request: HttpRequest, access: CaseAccess, **overrides: Any) -> dict[str, Any]:
    user: Any = request.user
    case = access.case
    members = queries.partners(access)
    other = next((m for m in members if m.user_id != user.pk), None)
    on_my_own = queries.on_their_own(case, members)
    my_responses = {
        r.assignment_id: r
        for r in access.visible(ExerciseResponse.objects.all()).filter(author_id=user.pk)
    }
    assignments = list(queries.assignments(access).order_by("due_on", "id"))
    sent = queries.sent_by_the_other(access, [a.pk for a in assignments]) if other else set()
    for assignment in assignments:
        assignment.mine = my_responses.get(assignment.pk)  # type: ignore[attr-defined]
        assignment.other_sent = assignment.pk in sent  # type: ignore[attr-defined]
    shared = _with_answers(
        list(
            queries.responses(access)
            .exclude(author_id=user.pk)
            .select_related("assignment", "author")
            .prefetch_related(_comments_prefetch())
            .order_by("-submitted_at")[:50]
        )
    )
    proposal = queries.open_proposal(case)
    goals = list(queries.trust_goals(access))
    my_goal = next((g for g in goals if g.author_id == user.pk), None)
    widest_goal = _offered(access, Visibility.COUPLE.value)
    goal_form = forms.TrustGoalForm(
        initial={"body": my_goal.body, "visibility": my_goal.visibility} if my_goal else None,
        auto_id="goal-%s",
        widest=widest_goal,
        on_my_own=on_my_own,
    )
    context: dict[str, Any] = {
        "access": access,
        "case": case,
        "me": access.member,
        "other": other,
        "on_my_own": on_my_own,
        "stage_name": transitions.stage_name(case.stage),
        "stages": transitions.STAGE_NAMES,
        "journey": journey.journey(case.track, case.stage),
        "assignments": assignments,
        "shared": shared,
        "proposal": proposal,
        "confirmed": proposal is not None
        and any(c.user_id == user.pk for c in proposal.confirmations.all()),
        "can_confirm": proposal is not None
        and access.can_write
        and transitions.may(
            transitions.Actor.PARTNER, transitions.Step.CONFIRM_ADVANCE, case.track, case.stage
        ),
        "goal_form": goal_form,
        "other_goals": [g for g in goals if g.author_id != user.pk],
        "case_goals": list(CaseGoal.objects.filter(case=case)),
        "milestones": queries.milestones_for(access, members),
        # A note needs someone to read it; personal cards carry none.
        "can_send_notes": other is not None and access.can_write,
        "notes": list(queries.appreciation_notes(access).order_by("-created_at")[:20]),
        "decision": DiscernmentDecision.objects.filter(case=case).first(),
        "today": timezone.localdate(),
    }
    context.update(overrides)
    return context


def _partner_page(
    request: HttpRequest, access: CaseAccess, status: int = 200, **overrides: Any
) -> HttpResponse:
    context = _partner_context(request, access, **overrides)
    return render(request, "program/partner_program.html", context, status=status)


program_home = partner_case_index("Program", "program_partner")


@case_view(as_=policy.PARTNER)
def partner_program(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _partner_page(request, access)


# --- the daily question ---------------------------------------------------------------------

DAILY_HISTORY_DAYS = 30


def _daily_page(
    request: HttpRequest, access: CaseAccess, form: Any = None, status: int = 200
) -> HttpResponse:
    day = timezone.localdate()
    today = queries.daily_today([access], day)[access.case.pk]
    history = list(
        queries.daily_answers(access)
        .filter(day__lt=day, day__gte=day - timedelta(days=DAILY_HISTORY_DAYS))
        .select_related("author")
        .order_by("-day", "author_id")
    )
    days: dict[Any, list[Any]] = {}
    for answer in history:
        days.setdefault(answer.day, []).append(answer)
    context = {
        "access": access,
        "case": access.case,
        "card": panels.daily_card(access.user, today, form),
        "history": [(day, answers) for day, answers in days.items() if len(answers) > 1],
    }
    return render(request, "program/daily.html", context, status=status)


@case_view(as_=policy.PARTNER)
def daily_question(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    """Today's question and the days both partners answered; a post answers today's."""
    if request.method != "POST":
        return _daily_page(request, access)
    form = forms.DailyAnswerForm(request.POST, auto_id=f"daily-{access.case.pk}-%s")
    back = request.POST.get("from") == "home"
    return submit(
        request,
        form,
        lambda data: actions.answer_daily_question(access.user, access.case, **data),
        done=reverse("partner_home") if back else reverse("daily_question", args=[access.case.pk]),
        again=lambda f, status: _daily_page(request, access, f, status),
        message="Sent. You'll see each other's answers once you've both answered.",
    )


@require_POST
@case_view(as_=policy.PARTNER)
def write_trust_goal(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    members = queries.partners(access)
    form = forms.TrustGoalForm(
        request.POST,
        auto_id="goal-%s",
        widest=_offered(access, Visibility.COUPLE.value),
        on_my_own=queries.on_their_own(access.case, members),
    )
    return submit(
        request,
        form,
        lambda data: actions.write_trust_goal(
            access.user, access.case, body=data["body"], visibility=data["visibility"]
        ),
        done=reverse("program_partner", args=[access.case.pk]),
        again=lambda f, status: _partner_page(request, access, status, goal_form=f),
        message="Saved your words about trust.",
    )


@require_POST
@case_view(as_=policy.PARTNER)
def send_appreciation(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return submit(
        request,
        forms.AppreciationForm(request.POST),
        lambda data: actions.send_appreciation(
            access.user, access.case, milestone_key=data["milestone_key"], body=data["body"]
        ),
        done=reverse("program_partner", args=[access.case.pk]),
        again=lambda f, status: _partner_page(request, access, status, appreciation_form=f),
        message="Your note is on its way to your partner.",
    )


def _confirmed_message(proposal: StageProposal) -> str:
    if proposal.state == ProposalState.CARRIED:
        return f"You're now at {journey.journey(proposal.track, proposal.to_stage).headline}."
    return "Thank you. We'll move on once your partner confirms too."


@require_POST
@case_view(as_=policy.PARTNER)
def confirm_advance(request: HttpRequest, access: CaseAccess, proposal_id: int) -> HttpResponse:
    proposal = StageProposal.objects.filter(case=access.case, pk=proposal_id).first()
    if proposal is None:
        raise Http404("No such page.")
    return submit(
        request,
        forms.ConfirmForm(request.POST),
        lambda data: actions.confirm_advance(access.user, proposal),
        done=reverse("program_partner", args=[access.case.pk]),
        again=lambda f, status: _partner_page(request, access, status, confirm_form=f),
        message=_confirmed_message,
    )


# --- homework -------------------------------------------------------------------------------


View = Callable[..., HttpResponse]


def assignment_view(view: View) -> View:
    """A homework page: the partner it was given to gets ``(request, access, assignment)``."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, assignment_id: int, *args: Any, **kwargs: Any) -> Any:
        access, assignment = queries.assignment_access(request.user, assignment_id)
        request.access = access  # type: ignore[attr-defined]
        return view(request, access, assignment, *args, **kwargs)

    return wrapper


def _exercise(assignment: Assignment) -> content.Exercise:
    exercise = content.library().get(assignment.exercise_id)
    if exercise is None:
        raise Http404("No such page.")
    return exercise


def _response_form(
    access: CaseAccess, assignment: Assignment, on_my_own: bool, *args: Any, **kwargs: Any
) -> forms.ResponseForm:
    widest = _offered(access, actions.allowed_maximum(assignment, access.case))
    return forms.ResponseForm(
        *args,
        exercise=_exercise(assignment),
        maximum=widest,
        on_my_own=on_my_own,
        **kwargs,
    )


def _edit_form(assignment: Assignment, *args: Any, **kwargs: Any) -> forms.ResponseForm:
    """The sent answers' words only: who reads them is changed by the sharing form."""
    return forms.ResponseForm(
        *args,
        exercise=_exercise(assignment),
        maximum=assignment.maximum_visibility,
        choose_readers=False,
        auto_id="edit-%s",
        **kwargs,
    )


def _homework_context(
    request: HttpRequest,
    access: CaseAccess,
    assignment: Assignment,
    form: forms.ResponseForm | None = None,
    edit_form: forms.ResponseForm | None = None,
) -> dict[str, Any]:
    user: Any = request.user
    exercise = _exercise(assignment)
    members = queries.partners(access)
    on_my_own = queries.on_their_own(access.case, members)
    mine = (
        access.visible(ExerciseResponse.objects.all())
        .filter(assignment=assignment, author_id=user.pk)
        .prefetch_related(_comments_prefetch())
        .first()
    )
    allowed = actions.allowed_maximum(assignment, access.case)
    if form is None:
        widest = _offered(access, allowed)
        initial: dict[str, Any] = {"visibility": content.default_visibility(widest)}
        if mine is not None:
            initial["visibility"] = _narrower(mine.visibility, widest)
            initial.update({f"answer_{k}": v for k, v in (mine.answers or {}).items()})
        form = _response_form(access, assignment, on_my_own, initial=initial)
    others = _with_answers(
        list(
            queries.responses(access)
            .filter(assignment=assignment)
            .exclude(author_id=user.pk)
            .select_related("author", "assignment")
            .prefetch_related(_comments_prefetch())
        )
    )
    if mine is not None:
        _with_answers([mine])
    # The same rule as ``actions.edit_response``: changeable until the partner could read them.
    edit_refusal = ""
    if mine is not None and mine.submitted:
        edit_refusal = actions.edit_refusal(mine, commented=bool(mine.comments.all()))
        if not edit_refusal and access.can_write and edit_form is None:
            edit_form = _edit_form(
                assignment, initial={f"answer_{k}": v for k, v in (mine.answers or {}).items()}
            )
    share_choices: list[tuple[str, str]] = []
    if mine is not None and mine.submitted:
        widest = assignment.maximum_visibility
        if on_my_own:
            widest = actions.allowed_maximum(assignment, access.case)
        share_choices = forms.visibility_choices(_offered(access, widest), on_my_own=on_my_own)
    return {
        "access": access,
        "on_my_own": on_my_own,
        "share_choices": share_choices,
        "assignment": assignment,
        "exercise": exercise,
        "form": form,
        "mine": mine,
        "mine_visibility": forms.visibility_label(mine.visibility, on_my_own=on_my_own)
        if mine is not None
        else "",
        "others": others,
        "other": next((m for m in members if m.user_id != user.pk), None),
        "other_sent": bool(queries.sent_by_the_other(access, [assignment.pk])),
        "waiting_for_other": assignment.reveal_together and assignment.revealed_at is None,
        "case": access.case,
        "sharing_rule": content.sharing_rule(
            reveal_together=assignment.reveal_together,
            widest=allowed,
            maximum=assignment.maximum_visibility,
            on_my_own=on_my_own,
        ),
        "edit_form": edit_form if access.can_write else None,
        "edit_refusal": edit_refusal,
    }


def _homework_page(
    request: HttpRequest,
    access: CaseAccess,
    assignment: Assignment,
    form: forms.ResponseForm | None = None,
    status: int = 200,
    edit_form: forms.ResponseForm | None = None,
) -> HttpResponse:
    context = _homework_context(request, access, assignment, form, edit_form)
    return render(request, "program/homework.html", context, status=status)


@assignment_view
def homework(request: HttpRequest, access: CaseAccess, assignment: Assignment) -> HttpResponse:
    if request.method != "POST":
        return _homework_page(request, access, assignment)
    on_my_own = queries.on_their_own(access.case, queries.partners(access))
    form = _response_form(access, assignment, on_my_own, request.POST)
    return submit(
        request,
        form,
        lambda data: actions.submit_response(
            access.user, assignment, answers=form.answers(data), visibility=data["visibility"]
        ),
        done=reverse("program_homework", args=[assignment.pk]),
        again=lambda f, status: _homework_page(request, access, assignment, f, status),  # type: ignore[arg-type]
        message="Sent. Thank you for doing this.",
    )


@require_POST
@assignment_view
def edit_answers(request: HttpRequest, access: CaseAccess, assignment: Assignment) -> HttpResponse:
    """The author changes the words of sent answers, until the other partner could read them."""
    form = _edit_form(assignment, request.POST)
    return submit(
        request,
        form,
        lambda data: actions.edit_response(access.user, assignment, answers=form.answers(data)),
        done=reverse("program_homework", args=[assignment.pk]),
        again=lambda f, status: _homework_page(
            request,
            access,
            assignment,
            status=status,
            edit_form=f,  # type: ignore[arg-type]
        ),
        message="Your changes are saved. Nobody is told, and only the new words are kept.",
    )


@require_POST
@assignment_view
def change_visibility(
    request: HttpRequest, access: CaseAccess, assignment: Assignment
) -> HttpResponse:
    """The author of sent answers changes who may read them (within the exercise's limit)."""
    response = (
        access.visible(ExerciseResponse.objects.all())
        .filter(assignment=assignment, author_id=access.user.pk, submitted_at__isnull=False)
        .first()
    )
    if response is None:
        raise Http404("No such page.")
    form = forms.SharingForm(request.POST)
    return submit(
        request,
        form,
        lambda data: actions.change_response_visibility(
            access.user, response, visibility=data["visibility"]
        ),
        done=reverse("program_homework", args=[assignment.pk]),
        again=lambda f, status: render(
            request,
            "program/homework.html",
            {**_homework_context(request, access, assignment), "sharing_form": f},
            status=status,
        ),
        message="Updated who can read your answers.",
    )


@require_POST
@assignment_view
def save_draft(request: HttpRequest, access: CaseAccess, assignment: Assignment) -> HttpResponse:
    """Autosave (htmx) or the "Save draft" button (without JavaScript)."""
    on_my_own = queries.on_their_own(access.case, queries.partners(access))
    form = _response_form(access, assignment, on_my_own, request.POST)
    fallback = content.default_visibility(actions.allowed_maximum(assignment, access.case))

    def again(f: Any, status: int) -> HttpResponse:
        if request.htmx:  # type: ignore[attr-defined]
            # A fragment for the status line; htmx swaps only successful answers.
            errors = [e for errs in f.errors.values() for e in errs]
            return render(
                request, "program/homework.html#draft-status", {"draft_error": " ".join(errors)}
            )
        return _homework_page(request, access, assignment, f, status)

    def done(_: ExerciseResponse) -> HttpResponse:
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request, "program/homework.html#draft-status", {"saved_at": timezone.localtime()}
            )
        return redirect("program_homework", assignment_id=assignment.pk)

    return submit(
        request,
        form,
        lambda data: actions.save_draft(
            access.user,
            assignment,
            answers=form.answers(data),
            visibility=data["visibility"] or fallback,
        ),
        done=done,
        again=again,
        message="" if request.htmx else "Draft saved. Only you can see it until you send it.",  # type: ignore[attr-defined]
    )


# --- clinicians -----------------------------------------------------------------------------


def _clinician_context(
    request: HttpRequest, access: CaseAccess, **overrides: Any
) -> dict[str, Any]:
    case = access.case
    members = queries.partners(access)
    assignments = list(queries.assignments(access).order_by("-due_on", "-id")[:50])
    responses = _with_answers(
        list(
            queries.responses(access)
            .filter(assignment__in=[a.pk for a in assignments])
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
            for r in assignment.visible_responses  # type: ignore[attr-defined]
            if r.submitted
        )
    proposal = queries.open_proposal(case)
    goal_forms: dict[int, Any] = overrides.pop("goal_forms", {})

    def may(step: transitions.Step) -> bool:
        return access.can_act_as_clinician and transitions.may(
            transitions.Actor.CLINICIAN, step, case.track, case.stage
        )

    context: dict[str, Any] = {
        "access": access,
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
        "can_propose": may(transitions.Step.PROPOSE_ADVANCE),
        "can_decide": may(transitions.Step.RECORD_DECISION),
        "can_assign": may(transitions.Step.ASSIGN_HOMEWORK),
        "can_set_goals": may(transitions.Step.SET_CASE_GOALS),
        "trust_goals": list(queries.trust_goals(access)),
        "case_goals": [
            (
                g,
                goal_forms.get(g.pk)
                or forms.GoalUpdateForm(
                    initial={"status": g.status, "review_on": g.review_on},
                    auto_id=f"goal-{g.pk}-%s",
                ),
            )
            for g in CaseGoal.objects.filter(case=case)
        ],
        "decision": DiscernmentDecision.objects.filter(case=case).first(),
        "milestones": queries.milestones_for(access, members),
        "assign_form": forms.AssignForm(
            track=case.track, initial={"due_on": timezone.localdate()}, auto_id="assign-%s"
        ),
        "propose_form": forms.ProposeForm(auto_id="propose-%s"),
        "goal_form": forms.CaseGoalForm(auto_id="casegoal-%s"),
        "decision_form": forms.DecisionForm(auto_id="decision-%s"),
        "comment_for": None,
        "comment_form": None,
        **_clinician_daily(access),
    }
    context.update(overrides)
    return context


def _clinician_daily(access: CaseAccess) -> dict[str, Any]:
    """The daily question on the clinician's page: the settings and the last answers."""
    case = access.case
    found = queries.daily_settings([case.pk]).get(case.pk)
    decks = queries.daily_decks(case, found)
    answers = list(
        queries.daily_answers(access).select_related("author").order_by("-day", "author_id")[:20]
    )
    return {
        "daily_offered": case.track != "individual",
        "daily_on": bool(decks),
        "daily_form": forms.DailySettingsForm(
            initial={"enabled": bool(decks), "decks": list(decks) or list(daily.decks())},
            auto_id="daily-%s",
        ),
        "daily_answers": answers,
    }


def _clinician_page(
    request: HttpRequest, access: CaseAccess, status: int = 200, **overrides: Any
) -> HttpResponse:
    context = _clinician_context(request, access, **overrides)
    return render(request, "program/clinician_program.html", context, status=status)


def _clinician_submit(
    request: HttpRequest,
    access: CaseAccess,
    form: Any,
    action: Callable[[dict[str, Any]], Any],
    message: str,
    **overrides: Any,
) -> HttpResponse:
    """One clinician form: done goes back to the program page, a refusal re-renders it."""
    form_key = overrides.pop("form_key", None)

    def again(f: Any, status: int) -> HttpResponse:
        extra = {form_key: f} if form_key else {}
        return _clinician_page(request, access, status, **extra, **overrides)

    return submit(
        request,
        form,
        action,
        done=reverse("program_clinician", args=[access.case.pk]),
        again=again,
        message=message,
    )


@case_view(as_=policy.CLINICIAN)
def clinician_program(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _clinician_page(request, access)


@require_POST
@case_view(as_=policy.CLINICIAN)
def daily_settings(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _clinician_submit(
        request,
        access,
        forms.DailySettingsForm(request.POST, auto_id="daily-%s"),
        lambda d: actions.set_daily_question(
            access.user, access.case, enabled=d["enabled"], decks=d["decks"]
        ),
        "Saved the daily question settings.",
        form_key="daily_form",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def assign(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _clinician_submit(
        request,
        access,
        forms.AssignForm(request.POST, track=access.case.track, auto_id="assign-%s"),
        lambda d: actions.assign_homework(
            access.user,
            access.case,
            exercise_id=d["exercise_id"],
            due_on=d["due_on"],
            for_role=d["for_role"],
            note=d["note"],
        ),
        "Homework assigned.",
        form_key="assign_form",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def propose(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _clinician_submit(
        request,
        access,
        forms.ProposeForm(request.POST, auto_id="propose-%s"),
        lambda d: actions.propose_advance(access.user, access.case, goals_review=d["goals_review"]),
        "Proposal made.",
        form_key="propose_form",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def withdraw(request: HttpRequest, access: CaseAccess, proposal_id: int) -> HttpResponse:
    proposal = StageProposal.objects.filter(case=access.case, pk=proposal_id).first()
    if proposal is None:
        raise Http404("No such page.")
    return _clinician_submit(
        request,
        access,
        forms.ConfirmForm(request.POST),
        lambda d: actions.withdraw_proposal(access.user, proposal),
        "Proposal withdrawn.",
        form_key="withdraw_form",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def add_goal(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _clinician_submit(
        request,
        access,
        forms.CaseGoalForm(request.POST, auto_id="casegoal-%s"),
        lambda d: actions.add_case_goal(
            access.user,
            access.case,
            title=d["title"],
            how_noticed=d["how_noticed"],
            review_on=d["review_on"],
        ),
        "Goal added.",
        form_key="goal_form",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def update_goal(request: HttpRequest, access: CaseAccess, goal_id: int) -> HttpResponse:
    goal = CaseGoal.objects.filter(case=access.case, pk=goal_id).first()
    if goal is None:
        raise Http404("No such page.")
    form = forms.GoalUpdateForm(request.POST, auto_id=f"goal-{goal.pk}-%s")

    def again(f: Any, status: int) -> HttpResponse:
        return _clinician_page(request, access, status, goal_forms={goal.pk: f})

    return submit(
        request,
        form,
        lambda d: actions.update_case_goal(
            access.user, goal, status=d["status"], review_on=d["review_on"]
        ),
        done=reverse("program_clinician", args=[access.case.pk]),
        again=again,
        message="Goal updated.",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def record_decision(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _clinician_submit(
        request,
        access,
        forms.DecisionForm(request.POST, auto_id="decision-%s"),
        lambda d: actions.record_decision(
            access.user, access.case, path=d["path"], note=d["note"], closing_plan=d["closing_plan"]
        ),
        "Decision recorded.",
        form_key="decision_form",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def comment(request: HttpRequest, access: CaseAccess, response_id: int) -> HttpResponse:
    response = queries.response(access, response_id)
    return _clinician_submit(
        request,
        access,
        forms.CommentForm(request.POST, auto_id=f"comment-{response.pk}-%s"),
        lambda d: actions.comment_on_response(access.user, response, body=d["body"]),
        "Comment added.",
        form_key="comment_form",
        comment_for=response.pk,
    )


# --- the exercise library (clinicians) ------------------------------------------------------


@staff_required
def library(request: HttpRequest) -> HttpResponse:
    policy.clinician_practice_for(request.user)  # clinicians only; anyone else gets 404
    by_stage: dict[int, list[content.Exercise]] = {}
    for exercise in content.library().values():
        by_stage.setdefault(exercise.stage, []).append(exercise)
    stages = [(s, transitions.stage_name(s), by_stage.get(s, [])) for s in transitions.STAGE_NAMES]
    return render(request, "program/library.html", {"stages": stages})


@staff_required
def exercise_detail(request: HttpRequest, exercise_id: str) -> HttpResponse:
    policy.clinician_practice_for(request.user)
    exercise = content.library().get(exercise_id)
    if exercise is None:
        raise Http404("No such exercise.")
    return render(request, "program/exercise.html", {"exercise": exercise})
