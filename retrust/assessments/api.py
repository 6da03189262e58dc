"""The measures part of the JSON API: schedules, what is due, submitting, scores, FHIR.

Each route resolves the same access as its page (``policy.case_access`` or the partner's own
accesses in ``queries``) and reads through the same builders; refusals are ``ActionError``
(400) or ``ActionConflict`` (409), mapped by the API's exception handler.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from retrust.assessments import actions, fhir, queries, registry
from retrust.assessments.models import MeasureResponse, MeasureSchedule
from retrust.core import policy

router = Router(tags=["measures"])


class ScheduleIn(Schema):
    instrument_id: str
    kind: str = Field(description="intake, every_n_weeks or before_session")
    every_weeks: int | None = None
    starts_on: date | None = None
    next_session_on: date | None = None


class ScheduleOut(Schema):
    id: int
    case_id: int
    instrument_id: str
    title: str
    kind: str
    every_weeks: int | None
    starts_on: date
    next_session_on: date | None


class DueOut(Schema):
    schedule_id: int
    case_id: int
    instrument_id: str
    title: str
    due_on: date
    overdue: bool
    started: bool


class MeasureAnswersIn(Schema):
    answers: dict[str, int | str | list[str] | None]
    submission_key: str | None = Field(default=None, max_length=40)


class ScoreOut(Schema):
    response_id: int
    instrument_id: str
    partner_role: str
    mine: bool
    revealed_together: bool = Field(
        default=False,
        description="the other partner's total, shown because they chose to share this "
        "relationship measure's totals and both partners have answered that round",
    )
    submitted_at: datetime
    total: float | None
    band: str
    corrects: int | None


def _schedule_out(schedule: MeasureSchedule) -> dict[str, Any]:
    instrument = registry.get(schedule.instrument_id)
    return {
        "id": schedule.pk,
        "case_id": schedule.case_id,
        "instrument_id": schedule.instrument_id,
        "title": instrument.title if instrument else schedule.instrument_id,
        "kind": schedule.kind,
        "every_weeks": schedule.every_weeks,
        "starts_on": schedule.starts_on,
        "next_session_on": schedule.next_session_on,
    }


@router.get(
    "/cases/{case_id}/measures/schedules",
    response=list[ScheduleOut],
    summary="Measures scheduled in a case (its partners and clinicians)",
)
def list_schedules(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    access = policy.case_access(request.auth, case_id, as_=policy.MEMBER)  # type: ignore[attr-defined]
    return [
        _schedule_out(s)
        for s in MeasureSchedule.objects.filter(case=access.case, ended_at__isnull=True).order_by(
            "id"
        )
    ]


@router.post(
    "/cases/{case_id}/measures/schedules",
    response={201: ScheduleOut, 200: ScheduleOut},
    summary="Schedule a measure for both partners (the case's clinicians)",
)
def create_schedule(request: HttpRequest, case_id: int, payload: ScheduleIn) -> Any:
    user: Any = request.auth  # type: ignore[attr-defined]
    access = policy.case_access(user, case_id, as_=policy.CLINICIAN)
    schedule, created = actions.schedule_measure(
        user,
        access.case,
        instrument_id=payload.instrument_id,
        kind=payload.kind,
        starts_on=payload.starts_on or timezone.localdate(),
        every_weeks=payload.every_weeks,
        next_session_on=payload.next_session_on,
    )
    return Status(201 if created else 200, _schedule_out(schedule))


@router.get("/measures/due", response=list[DueOut], summary="Check-ins waiting for me")
def list_due(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "schedule_id": d["schedule"].pk,
            "case_id": d["schedule"].case_id,
            "instrument_id": d["instrument"].id,
            "title": d["instrument"].title,
            "due_on": d["round"].due_on,
            "overdue": d["overdue"],
            "started": d["has_draft"],
        }
        for d in queries.due_for(queries.partner_accesses(request.auth))  # type: ignore[attr-defined]
    ]


def _score_out(response: MeasureResponse, user: Any, roles: dict[int, str]) -> dict[str, Any]:
    return {
        "response_id": response.pk,
        "instrument_id": response.instrument_id,
        "partner_role": roles.get(response.author_id, ""),
        "mine": response.author_id == user.pk,
        "submitted_at": response.submitted_at,
        "total": response.total,
        "band": response.band,
        "corrects": response.supersedes_id,
    }


@router.post(
    "/measures/schedules/{schedule_id}/responses",
    response={201: ScoreOut, 200: ScoreOut},
    summary="Submit my answers (partners); the same submission_key twice stores one",
)
def submit(request: HttpRequest, schedule_id: int, payload: MeasureAnswersIn) -> Any:
    user: Any = request.auth  # type: ignore[attr-defined]
    access, schedule, _ = queries.partner_schedule(user, schedule_id)
    done = actions.submit_response(
        user, schedule, dict(payload.answers), submission_key=payload.submission_key
    )
    return Status(
        201 if done.created else 200, _score_out(done.response, user, queries.roles(access))
    )


def _revealed_out(row: dict[str, Any], roles: dict[int, str]) -> dict[str, Any]:
    """The other partner's total and band for a round both answered; nothing else of theirs."""
    return {
        "response_id": row["theirs_id"],
        "instrument_id": row["instrument"].id,
        "partner_role": roles.get(row["theirs_author_id"], ""),
        "mine": False,
        "revealed_together": True,
        "submitted_at": row["theirs_submitted_at"],
        "total": row["theirs_total"],
        "band": row["theirs_band"],
        "corrects": None,
    }


@router.get(
    "/cases/{case_id}/measures/scores",
    response=list[ScoreOut],
    summary="Scores I may see: my own and the totals revealed together with my partner, or "
    "both partners' for the case's clinicians",
)
def list_scores(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    user: Any = request.auth  # type: ignore[attr-defined]
    access = policy.case_access(user, case_id, as_=policy.MEMBER)
    read = queries.scores_for(access)
    roles = queries.roles(access)
    scores = [_score_out(r, user, roles) for r in read["own"]]
    scores += [_revealed_out(row, roles) for row in read["revealed"]]
    return sorted(scores, key=lambda s: (s["submitted_at"], s["response_id"]))


@router.get(
    "/cases/{case_id}/measures/fhir",
    summary="FHIR R4B Bundle: Questionnaires, QuestionnaireResponses, Observations (clinicians)",
)
def case_fhir(request: HttpRequest, case_id: int) -> HttpResponse:
    user: Any = request.auth  # type: ignore[attr-defined]
    access = policy.case_access(user, case_id, as_=policy.CLINICIAN)
    bundle = fhir.case_bundle(access.case.pk, queries.fhir_responses(access), queries.roles(access))
    return HttpResponse(bundle.model_dump_json(), content_type="application/fhir+json")
