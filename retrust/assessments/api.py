"""The measures part of the JSON API: schedules, what is due, submitting, scores, FHIR."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from retrust.assessments import actions, fhir, registry
from retrust.assessments.models import MeasureResponse, MeasureSchedule, ResponseStatus
from retrust.assessments.queries import due_for, revealed_together
from retrust.core import policy
from retrust.core.actions import ActionError, record_clinical_read

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


class ResponseIn(Schema):
    answers: dict[str, int | str | list[str] | None]
    submission_key: str | None = Field(default=None, max_length=40)


class ScoreOut(Schema):
    response_id: int
    instrument_id: str
    partner_role: str
    mine: bool
    revealed_together: bool = Field(
        default=False,
        description="the other partner's total, shown because the case shares totals and "
        "both partners have answered that round",
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


def _unprocessable(
    request: HttpRequest, field: str | None, message: str, under: tuple[str, ...] = ("answers",)
) -> HttpResponse:
    """422 with the field named, like the API's own validation errors."""
    from retrust.api.api import api

    loc = ["body", *under, field] if field else ["body"]
    return api.create_response(request, {"detail": [{"loc": loc, "msg": message}]}, status=422)


@router.get(
    "/cases/{case_id}/measures/schedules",
    response=list[ScheduleOut],
    summary="Measures scheduled in a case (its partners and clinicians)",
)
def list_schedules(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case = policy.get_case_for(request.auth, case_id)  # type: ignore[attr-defined]
    return [
        _schedule_out(s)
        for s in MeasureSchedule.objects.filter(case=case, ended_at__isnull=True).order_by("id")
    ]


@router.post(
    "/cases/{case_id}/measures/schedules",
    response={201: ScheduleOut, 200: ScheduleOut},
    summary="Schedule a measure for both partners (the case's clinicians)",
)
def create_schedule(request: HttpRequest, case_id: int, payload: ScheduleIn) -> Any:
    user: Any = request.auth  # type: ignore[attr-defined]
    case = policy.get_clinician_case_for(user, case_id)
    try:
        schedule, created = actions.schedule_measure(
            user,
            case,
            instrument_id=payload.instrument_id,
            kind=payload.kind,
            starts_on=payload.starts_on or timezone.localdate(),
            every_weeks=payload.every_weeks,
            next_session_on=payload.next_session_on,
        )
    except ActionError as exc:
        return _unprocessable(request, exc.field, exc.message, under=())
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
        for d in due_for(request.auth)  # type: ignore[attr-defined]
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
def submit(request: HttpRequest, schedule_id: int, payload: ResponseIn) -> Any:
    user: Any = request.auth  # type: ignore[attr-defined]
    schedule = (
        MeasureSchedule.objects.filter(
            pk=schedule_id, case__in=policy.partner_cases_for(user), ended_at__isnull=True
        )
        .select_related("case")
        .first()
    )
    if schedule is None:
        raise Http404("No such check-in.")
    try:
        done = actions.submit_response(
            user, schedule, dict(payload.answers), submission_key=payload.submission_key
        )
    except ActionError as exc:
        return _unprocessable(request, exc.field, exc.message)
    roles = dict(schedule.case.members.values_list("user_id", "role"))
    return Status(201 if done.created else 200, _score_out(done.response, user, roles))


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
    case = policy.get_case_for(user, case_id)
    responses = list(
        MeasureResponse.objects.visible_to(user)
        .filter(case=case, status=ResponseStatus.SUBMITTED)
        .order_by("submitted_at", "id")
    )
    roles = dict(case.members.values_list("user_id", "role"))
    if policy.is_case_clinician(user, case):
        if responses:
            record_clinical_read(user, case, "measure_scores", len(responses))
        return [_score_out(r, user, roles) for r in responses]
    mine = [r for r in responses if r.author_id == user.pk]
    scores = [_score_out(r, user, roles) for r in mine]
    scores += [_revealed_out(row, roles) for row in revealed_together(user, mine, case)]
    return sorted(scores, key=lambda s: (s["submitted_at"], s["response_id"]))


@router.get(
    "/cases/{case_id}/measures/fhir",
    summary="FHIR R4B Bundle: Questionnaires, QuestionnaireResponses, Observations (clinicians)",
)
def case_fhir(request: HttpRequest, case_id: int) -> HttpResponse:
    user: Any = request.auth  # type: ignore[attr-defined]
    case = policy.get_clinician_case_for(user, case_id)
    responses = list(
        MeasureResponse.objects.visible_to(user)
        .filter(case=case, status__in=[ResponseStatus.SUBMITTED, ResponseStatus.SUPERSEDED])
        .order_by("submitted_at", "id")
    )
    record_clinical_read(user, case, "fhir_export", len(responses))
    roles = dict(case.members.values_list("user_id", "role"))
    bundle = fhir.case_bundle(case.pk, responses, roles)
    return HttpResponse(bundle.model_dump_json(), content_type="application/fhir+json")
