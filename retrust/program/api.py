"""The program's JSON routes, mounted under /api/v1/program/.

The same door as the pages: ``policy.case_access`` (or ``queries.assignment_access``), the same
read builders in ``queries`` and the same actions; a refusal answers 400, a conflict 409.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from retrust.core import policy
from retrust.program import actions, content, daily, journey, queries, transitions
from retrust.program.models import Assignment, DailyAnswer, ExerciseResponse

router = Router(tags=["program"])


class ExerciseOut(Schema):
    id: str
    title: str
    stage: int
    tracks: list[str]
    who: str
    minutes: int
    default_visibility: str
    maximum_visibility: str
    reveal_together: bool
    prompts: list[dict[str, str]]


class AssignmentOut(Schema):
    id: int
    exercise_id: str
    title: str
    due_on: date
    for_role: str
    reveal_together: bool
    maximum_visibility: str
    revealed: bool
    other_partner_sent: bool | None = Field(
        description="For a partner: whether the other partner has sent their answers (never "
        "what); null for a clinician"
    )


class ProgramOut(Schema):
    case_id: int
    track: str
    stage: int = Field(description="0 to 5, as stored; people count from 1: see stage_label")
    stage_name: str
    stage_label: str = Field(description='As every page says it, e.g. "Stage 3 of 6 — …"')
    assignments: list[AssignmentOut]
    milestones: list[dict[str, str]]


class ResponseOut(Schema):
    id: int
    assignment_id: int
    author: str
    mine: bool
    visibility: str
    submitted_at: datetime | None
    answers: dict[str, str]


class DailyAnswerOut(Schema):
    author: str
    mine: bool
    body: str
    answered_at: datetime


class StreakOut(Schema):
    run: int = Field(description="Days in a row you have both answered, up to today or yesterday")
    shared: int = Field(description="Days on which you have both answered")
    summary: str


class DailyOut(Schema):
    case_id: int
    day: date
    prompt_id: str | None = Field(description="Send it back with the answer; null: no question")
    prompt: str | None
    mine: DailyAnswerOut | None
    theirs: DailyAnswerOut | None = Field(
        description="The other partner's answer, only once you have both answered today"
    )
    other_answered: bool
    revealed: bool
    streak: StreakOut
    held: bool = Field(description="Shared work waits for you during a pause: no answering")
    held_message: str


class DailyIn(Schema):
    prompt_id: str = Field(min_length=1, max_length=20)
    body: str = Field(min_length=1, max_length=daily.ANSWER_MAX)


class ExerciseAnswersIn(Schema):
    answers: dict[str, str] = Field(default_factory=dict)
    visibility: str


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _assignment_out(a: Assignment, other_sent: bool | None = None) -> dict[str, Any]:
    return {
        "id": a.pk,
        "exercise_id": a.exercise_id,
        "title": a.title,
        "due_on": a.due_on,
        "for_role": a.for_role,
        "reveal_together": a.reveal_together,
        "maximum_visibility": a.maximum_visibility,
        "revealed": a.revealed_at is not None,
        "other_partner_sent": other_sent,
    }


def _response_out(r: ExerciseResponse, user: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "assignment_id": r.assignment_id,
        "author": r.author.name,
        "mine": r.author_id == user.pk,
        "visibility": r.visibility,
        "submitted_at": r.submitted_at,
        "answers": {k: str(v) for k, v in (r.answers or {}).items()},
    }


@router.get("/exercises", response=list[ExerciseOut], summary="The exercise library (clinicians)")
def exercises(request: HttpRequest) -> list[dict[str, Any]]:
    policy.clinician_practice_for(_user(request))  # clinicians only; anyone else gets 404
    return [
        {
            "id": e.id,
            "title": e.title,
            "stage": e.stage,
            "tracks": list(e.tracks),
            "who": e.who,
            "minutes": e.minutes,
            "default_visibility": e.default_visibility,
            "maximum_visibility": e.maximum_visibility,
            "reveal_together": e.reveal_together,
            "prompts": [{"key": p.key, "label": p.label, "field": p.field} for p in e.prompts],
        }
        for e in content.library().values()
    ]


@router.get("/cases/{case_id}", response=ProgramOut, summary="A case's program")
def program(request: HttpRequest, case_id: int) -> dict[str, Any]:
    access = policy.case_access(_user(request), case_id, as_=policy.MEMBER)
    case = access.case
    assignments = list(queries.assignments(access).order_by("due_on", "id"))
    sent = (
        queries.sent_by_the_other(access, [a.pk for a in assignments])
        if access.is_partner
        else None
    )
    return {
        "case_id": case.pk,
        "track": case.track,
        "stage": case.stage,
        "stage_name": transitions.stage_name(case.stage),
        "stage_label": journey.stage_label(case.track, case.stage),
        "assignments": [
            _assignment_out(a, None if sent is None else a.pk in sent) for a in assignments
        ],
        "milestones": [{"key": m.key, "title": m.title} for m in queries.milestones_for(access)],
    }


@router.get(
    "/cases/{case_id}/responses",
    response=list[ResponseOut],
    summary="Homework answers I may read",
)
def responses(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    user = _user(request)
    access = policy.case_access(user, case_id, as_=policy.MEMBER)
    found = queries.responses(access).select_related("author").order_by("-updated_at")[:200]
    return [_response_out(r, user) for r in found]


@router.post(
    "/assignments/{assignment_id}/response",
    response={201: ResponseOut},
    summary="Send my answers (assigned partner only); sending twice stores once",
)
def submit(request: HttpRequest, assignment_id: int, payload: ExerciseAnswersIn) -> Status[Any]:
    access, assignment = queries.assignment_access(_user(request), assignment_id)
    response = actions.submit_response(
        access.user, assignment, answers=payload.answers, visibility=payload.visibility
    )
    return Status(201, _response_out(response, access.user))


class ExerciseAnswersEditIn(Schema):
    answers: dict[str, str] = Field(default_factory=dict)


@router.put(
    "/assignments/{assignment_id}/response",
    response={200: ResponseOut},
    summary="Change the words of my sent answers, until my partner could read them (then 409)",
)
def edit(request: HttpRequest, assignment_id: int, payload: ExerciseAnswersEditIn) -> Any:
    access, assignment = queries.assignment_access(_user(request), assignment_id)
    response = actions.edit_response(access.user, assignment, answers=payload.answers)
    return _response_out(response, access.user)


def _daily_answer_out(answer: DailyAnswer | None, user: Any) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "author": answer.author.name,
        "mine": answer.author_id == user.pk,
        "body": answer.body,
        "answered_at": answer.created_at,
    }


def _daily_out(access: policy.CaseAccess) -> dict[str, Any]:
    """Today's question as the partner's card shows it, from the same read builder."""
    day = timezone.localdate()
    today = queries.daily_today([access], day)[access.case.pk]
    return {
        "case_id": access.case.pk,
        "day": day,
        "prompt_id": today.prompt.id if today.prompt else None,
        "prompt": today.prompt.text if today.prompt else None,
        "mine": _daily_answer_out(today.mine, access.user),
        "theirs": _daily_answer_out(today.theirs, access.user),
        "other_answered": today.other_answered,
        "revealed": today.revealed,
        "streak": {
            "run": today.streak.run,
            "shared": today.streak.shared,
            "summary": today.streak.describe(),
        },
        "held": access.held,
        "held_message": access.pause_message,
    }


@router.get(
    "/cases/{case_id}/daily",
    response=DailyOut,
    summary="Today's question, my answer, and my partner's once we have both answered "
    "(partners only)",
)
def daily_question(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _daily_out(policy.case_access(_user(request), case_id, as_=policy.PARTNER))


@router.post(
    "/cases/{case_id}/daily",
    response=DailyOut,
    summary="Answer today's question (partners only); the same words twice change nothing; "
    "409 when a new day's question has started",
)
def answer_daily_question(request: HttpRequest, case_id: int, payload: DailyIn) -> dict[str, Any]:
    access = policy.case_access(_user(request), case_id, as_=policy.PARTNER)
    actions.answer_daily_question(
        access.user, access.case, body=payload.body, prompt_id=payload.prompt_id
    )
    return _daily_out(access)
