"""The agreements part of the JSON API: same policy, same actions as the pages.

Anyone outside the case gets a JSON 404. Inside it, only partners consent, record and
confirm; a partner-only route answers 404 to the clinician too, so it cannot be mistaken
for a way to act on a partner's behalf. A stale version answers 409 with the newer text.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from retrust.agreements import actions, ledger
from retrust.agreements.models import (
    Agreement,
    AgreementVersion,
    BreachReport,
    Category,
    Commitment,
    Consent,
    Occurrence,
    ScheduleKind,
)
from retrust.agreements.queries import (
    as_observation,
    observations_by_commitment,
    occurrence_rows,
)
from retrust.core import policy
from retrust.core.actions import record_clinical_read
from retrust.core.models import Case

router = Router(tags=["agreements"])


class ConsentOut(Schema):
    partner: str
    decision: str
    reason: str
    at: datetime


class VersionOut(Schema):
    number: int
    title: str
    text: str
    proposed_by: str
    created_at: datetime
    consents: list[ConsentOut]


class AgreementOut(Schema):
    id: int
    category: str
    status: str
    latest_number: int
    active_version: int | None
    review_on: date | None
    renegotiation_requested: bool
    latest: VersionOut


class AgreementDetailOut(AgreementOut):
    versions: list[VersionOut]


class ConflictOut(Schema):
    detail: str
    newer: VersionOut


class ProposeIn(Schema):
    category: Literal[tuple(Category.values)]  # type: ignore[valid-type]
    title: str = Field(min_length=1, max_length=160)
    text: str = Field(min_length=1, max_length=4000)
    review_on: date | None = None
    creation_key: str = Field(default="", max_length=40)


class VersionIn(Schema):
    version: int = Field(ge=1)


class DeclineIn(VersionIn):
    reason: str = Field(min_length=1, max_length=2000)


class AmendIn(Schema):
    based_on: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=160)
    text: str = Field(min_length=1, max_length=4000)


class EstimateOut(Schema):
    as_of: date
    enough_data: bool
    mean: float | None
    low: float | None
    high: float | None
    counted: int
    confirmed: int
    disputed: int
    summary: str


class CommitmentOut(Schema):
    id: int
    mine: bool
    committer: str
    action: str
    schedule: str
    weekdays: list[int]
    starts_on: date
    agreement: int | None
    ended_at: datetime | None
    follow_through: EstimateOut


class CommitmentIn(Schema):
    action: str = Field(min_length=1, max_length=240)
    schedule: Literal[tuple(ScheduleKind.values)]  # type: ignore[valid-type]
    weekdays: list[int] = Field(default_factory=list)
    starts_on: date | None = None
    agreement: int | None = None
    creation_key: str = Field(default="", max_length=40)


class OccurrenceIn(Schema):
    due_on: date
    outcome: Literal["kept", "missed"]
    note: str = Field(default="", max_length=2000)
    submission_key: str = Field(default="", max_length=40)


class OccurrenceOut(Schema):
    id: int
    due_on: date
    outcome: str
    note: str
    verdict: str | None


class AnswerIn(Schema):
    verdict: Literal["confirmed", "disputed"]
    note: str = Field(default="", max_length=2000)


class LedgerOut(Schema):
    commitment: int
    today: EstimateOut
    series: list[EstimateOut]


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=2000)


class NoteOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime


class BreachIn(Schema):
    what_happened: str = Field(min_length=1, max_length=4000)
    happened_on: date
    submission_key: str = Field(default="", max_length=40)


class BreachOut(Schema):
    id: int
    agreement: int
    reported_by: str
    what_happened: str
    happened_on: date
    response: str
    response_text: str


class BreachResponseIn(Schema):
    response: Literal["responsibility", "view"]
    text: str = Field(default="", max_length=4000)


# --- helpers ------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _partner_case(user: Any, case_id: int) -> Case:
    case = policy.partner_cases_for(user).select_related("practice").filter(pk=case_id).first()
    if case is None:
        raise Http404("No such case.")
    return case


def _require_partner(user: Any, case: Case) -> None:
    if not policy.is_partner(user, case):
        raise Http404("No such record.")


def _versions() -> Any:
    return (
        AgreementVersion.objects.select_related("proposed_by")
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.select_related("partner")))
        .order_by("number")
    )


def _agreement(user: Any, pk: int) -> Agreement:
    queryset = Agreement.objects.select_related("case__practice", "active_version")
    return policy.get_record_for(user, queryset, pk)  # type: ignore[no-any-return]


def _version_out(version: AgreementVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "title": version.title,
        "text": version.text,
        "proposed_by": version.proposed_by.name,
        "created_at": version.created_at,
        "consents": [
            {
                "partner": c.partner.name,
                "decision": c.decision,
                "reason": c.reason,
                "at": c.created_at,
            }
            for c in version.consents.all()
        ],
    }


def _agreement_out(agreement: Agreement, versions: list[AgreementVersion]) -> dict[str, Any]:
    return {
        "id": agreement.pk,
        "category": agreement.category,
        "status": agreement.status,
        "latest_number": agreement.latest_number,
        "active_version": agreement.active_version.number if agreement.active_version else None,
        "review_on": agreement.review_on,
        "renegotiation_requested": agreement.renegotiation_requested_at is not None,
        "latest": _version_out(versions[-1]),
        "versions": [_version_out(v) for v in versions],
    }


def _detail(agreement: Agreement) -> dict[str, Any]:
    agreement = Agreement.objects.select_related("active_version").get(pk=agreement.pk)
    return _agreement_out(agreement, list(_versions().filter(agreement=agreement)))


def _estimate_out(estimate: ledger.Estimate) -> dict[str, Any]:
    return {
        "as_of": estimate.as_of,
        "enough_data": estimate.enough,
        "mean": estimate.mean,
        "low": estimate.low,
        "high": estimate.high,
        "counted": estimate.counted,
        "confirmed": estimate.confirmed,
        "disputed": estimate.disputed,
        "summary": estimate.describe(),
    }


def _commitment_out(
    commitment: Commitment, user: Any, observations: list[ledger.Observation]
) -> dict[str, Any]:
    return {
        "id": commitment.pk,
        "mine": commitment.author_id == user.pk,
        "committer": commitment.author.name,
        "action": commitment.action,
        "schedule": commitment.schedule,
        "weekdays": [int(d) for d in commitment.weekdays.split(",") if d],
        "starts_on": commitment.starts_on,
        "agreement": commitment.agreement_id,
        "ended_at": commitment.ended_at,
        "follow_through": _estimate_out(ledger.estimate(observations, timezone.localdate())),
    }


def _conflict(exc: actions.AgreementConflict) -> Status[Any]:
    return Status(409, {"detail": exc.message, "newer": _version_out(exc.newer)})


# --- agreements ---------------------------------------------------------------------------


@router.get("/cases/{case_id}/agreements", response=list[AgreementOut], summary="Agreements")
def list_agreements(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    user = _user(request)
    case = policy.get_case_for(user, case_id)
    agreements = list(
        Agreement.objects.visible_to(user)
        .filter(case=case)
        .select_related("active_version")
        .prefetch_related(Prefetch("versions", queryset=_versions()))
        .order_by("-updated_at", "-id")
    )
    if agreements and not policy.is_partner(user, case):
        record_clinical_read(user, case, "agreements", len(agreements))
    return [_agreement_out(a, list(a.versions.all())) for a in agreements]


@router.post(
    "/cases/{case_id}/agreements",
    response={201: AgreementDetailOut},
    summary="Propose an agreement (partners only)",
)
def propose(request: HttpRequest, case_id: int, payload: ProposeIn) -> Status[Any]:
    user = _user(request)
    case = _partner_case(user, case_id)
    agreement = actions.propose_agreement(
        user,
        case,
        category=payload.category,
        title=payload.title,
        text=payload.text,
        review_on=payload.review_on,
        creation_key=payload.creation_key,
    )
    return Status(201, _detail(agreement))


@router.get("/agreements/{agreement_id}", response=AgreementDetailOut, summary="One agreement")
def agreement_detail(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    user = _user(request)
    agreement = _agreement(user, agreement_id)
    if not policy.is_partner(user, agreement.case):
        record_clinical_read(user, agreement.case, "agreement", 1)
    return _detail(agreement)


@router.post(
    "/agreements/{agreement_id}/accept",
    response={200: AgreementDetailOut, 409: ConflictOut},
    summary="Accept the version on the table (partners only)",
)
def accept(request: HttpRequest, agreement_id: int, payload: VersionIn) -> Any:
    user = _user(request)
    agreement = _agreement(user, agreement_id)
    _require_partner(user, agreement.case)
    try:
        agreement = actions.accept_version(user, agreement, version_number=payload.version)
    except actions.AgreementConflict as exc:
        return _conflict(exc)
    return _detail(agreement)


@router.post(
    "/agreements/{agreement_id}/decline",
    response={200: AgreementDetailOut, 409: ConflictOut},
    summary="Decline the version on the table, with a reason (partners only)",
)
def decline(request: HttpRequest, agreement_id: int, payload: DeclineIn) -> Any:
    user = _user(request)
    agreement = _agreement(user, agreement_id)
    _require_partner(user, agreement.case)
    try:
        agreement = actions.decline_version(
            user, agreement, version_number=payload.version, reason=payload.reason
        )
    except actions.AgreementConflict as exc:
        return _conflict(exc)
    return _detail(agreement)


@router.post(
    "/agreements/{agreement_id}/versions",
    response={201: AgreementDetailOut, 409: ConflictOut},
    summary="Propose an amended version (partners only)",
)
def amend(request: HttpRequest, agreement_id: int, payload: AmendIn) -> Any:
    user = _user(request)
    agreement = _agreement(user, agreement_id)
    _require_partner(user, agreement.case)
    try:
        agreement = actions.amend_agreement(
            user, agreement, based_on=payload.based_on, title=payload.title, text=payload.text
        )
    except actions.AgreementConflict as exc:
        return _conflict(exc)
    return Status(201, _detail(agreement))


@router.post(
    "/agreements/{agreement_id}/renegotiation",
    response=AgreementDetailOut,
    summary="Ask to talk an active agreement over again (partners only)",
)
def renegotiate(request: HttpRequest, agreement_id: int) -> Any:
    user = _user(request)
    agreement = _agreement(user, agreement_id)
    _require_partner(user, agreement.case)
    return _detail(actions.request_renegotiation(user, agreement))


@router.post(
    "/agreements/{agreement_id}/notes",
    response={201: NoteOut},
    summary="Add a clinician's note, shown to both partners (the case's clinicians only)",
)
def annotate(request: HttpRequest, agreement_id: int, payload: NoteIn) -> Status[Any]:
    user = _user(request)
    agreement = _agreement(user, agreement_id)
    if not policy.clinician_case_ids(user).filter(case_id=agreement.case_id).exists():
        raise Http404("No such record.")
    note = actions.annotate_agreement(user, agreement, text=payload.text)
    return Status(
        201,
        {"id": note.pk, "author": user.name, "text": note.text, "created_at": note.created_at},
    )


@router.post(
    "/agreements/{agreement_id}/breaches",
    response={201: BreachOut},
    summary="Report that an agreement did not hold (partners only)",
)
def report_breach(request: HttpRequest, agreement_id: int, payload: BreachIn) -> Status[Any]:
    user = _user(request)
    agreement = _agreement(user, agreement_id)
    _require_partner(user, agreement.case)
    report = actions.report_breach(
        user,
        agreement,
        what_happened=payload.what_happened,
        happened_on=payload.happened_on,
        submission_key=payload.submission_key,
    )
    return Status(201, _breach_out(report))


def _breach_out(report: BreachReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "agreement": report.agreement_id,
        "reported_by": report.author.name,
        "what_happened": report.what_happened,
        "happened_on": report.happened_on,
        "response": report.response,
        "response_text": report.response_text,
    }


@router.post(
    "/breaches/{breach_id}/response",
    response=BreachOut,
    summary="Answer a breach report (the other partner only)",
)
def respond_to_breach(request: HttpRequest, breach_id: int, payload: BreachResponseIn) -> Any:
    user = _user(request)
    queryset = BreachReport.objects.select_related("case__practice", "author")
    report: BreachReport = policy.get_record_for(user, queryset, breach_id)
    _require_partner(user, report.case)
    if report.author_id == user.pk:
        raise Http404("No such record.")
    report = actions.respond_to_breach(user, report, response=payload.response, text=payload.text)
    return _breach_out(report)


# --- commitments --------------------------------------------------------------------------


@router.get("/cases/{case_id}/commitments", response=list[CommitmentOut], summary="Commitments")
def list_commitments(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    user = _user(request)
    case = policy.get_case_for(user, case_id)
    commitments = list(
        Commitment.objects.visible_to(user)
        .filter(case=case)
        .select_related("author")
        .order_by("created_at", "id")
    )
    by_commitment = observations_by_commitment(
        occurrence_rows(Occurrence.objects.visible_to(user).filter(case=case))
    )
    if commitments and not policy.is_partner(user, case):
        record_clinical_read(user, case, "commitments", len(commitments))
    return [_commitment_out(c, user, by_commitment.get(c.pk, [])) for c in commitments]


@router.post(
    "/cases/{case_id}/commitments",
    response={201: CommitmentOut},
    summary="Commit to an action (partners only)",
)
def make_commitment(request: HttpRequest, case_id: int, payload: CommitmentIn) -> Status[Any]:
    user = _user(request)
    case = _partner_case(user, case_id)
    agreement = None
    if payload.agreement is not None:
        agreement = (
            Agreement.objects.visible_to(user).filter(case=case, pk=payload.agreement).first()
        )
        if agreement is None:
            raise actions.ActionError("Choose one of this case's agreements.", "agreement")
    commitment = actions.make_commitment(
        user,
        case,
        action=payload.action,
        schedule=payload.schedule,
        weekdays=",".join(str(d) for d in payload.weekdays),
        starts_on=payload.starts_on,
        agreement=agreement,
        creation_key=payload.creation_key,
    )
    return Status(201, _commitment_out(commitment, user, []))


def _commitment(user: Any, pk: int) -> Commitment:
    queryset = Commitment.objects.select_related("case__practice", "author")
    return policy.get_record_for(user, queryset, pk)  # type: ignore[no-any-return]


@router.post(
    "/commitments/{commitment_id}/occurrences",
    response={201: OccurrenceOut},
    summary="Record an occurrence as kept or missed (the committer only)",
)
def record_occurrence(
    request: HttpRequest, commitment_id: int, payload: OccurrenceIn
) -> Status[Any]:
    user = _user(request)
    queryset = Commitment.objects.select_related("case__practice", "author")
    commitment: Commitment = policy.get_record_to_change(user, queryset, commitment_id)
    occurrence = actions.record_occurrence(
        user,
        commitment,
        due_on=payload.due_on,
        outcome=payload.outcome,
        note=payload.note,
        submission_key=payload.submission_key,
    )
    verdict = Occurrence.objects.filter(pk=occurrence.pk).values_list(
        "confirmation__verdict", flat=True
    )[0]
    return Status(201, _occurrence_out(occurrence, verdict))


@router.post(
    "/commitments/{commitment_id}/end",
    response=CommitmentOut,
    summary="Stop a commitment; its record stays (the committer only)",
)
def end_commitment(request: HttpRequest, commitment_id: int) -> Any:
    user = _user(request)
    queryset = Commitment.objects.select_related("case__practice", "author")
    commitment: Commitment = policy.get_record_to_change(user, queryset, commitment_id)
    commitment = actions.end_commitment(user, commitment)
    rows = occurrence_rows(Occurrence.objects.visible_to(user).filter(commitment=commitment))
    return _commitment_out(commitment, user, [as_observation(row) for row in rows])


def _occurrence_out(occurrence: Occurrence, verdict: str | None) -> dict[str, Any]:
    return {
        "id": occurrence.pk,
        "due_on": occurrence.due_on,
        "outcome": occurrence.outcome,
        "note": occurrence.note,
        "verdict": verdict,
    }


@router.get(
    "/commitments/{commitment_id}/occurrences",
    response=list[OccurrenceOut],
    summary="Recorded occurrences, newest first (at most 400)",
)
def list_occurrences(request: HttpRequest, commitment_id: int) -> list[dict[str, Any]]:
    user = _user(request)
    commitment = _commitment(user, commitment_id)
    occurrences = (
        Occurrence.objects.visible_to(user)
        .filter(commitment=commitment)
        .select_related("confirmation")
        .order_by("-due_on", "-id")[:400]
    )
    return [
        _occurrence_out(o, getattr(getattr(o, "confirmation", None), "verdict", None))
        for o in occurrences
    ]


@router.post(
    "/occurrences/{occurrence_id}/answer",
    response=OccurrenceOut,
    summary="Confirm an occurrence, or say you saw it differently (the other partner only)",
)
def answer(request: HttpRequest, occurrence_id: int, payload: AnswerIn) -> Any:
    user = _user(request)
    queryset = Occurrence.objects.select_related("case__practice")
    occurrence: Occurrence = policy.get_record_for(user, queryset, occurrence_id)
    _require_partner(user, occurrence.case)
    if occurrence.author_id == user.pk:
        raise Http404("No such record.")
    confirmation = actions.answer_occurrence(
        user, occurrence, verdict=payload.verdict, note=payload.note
    )
    return _occurrence_out(occurrence, confirmation.verdict)


@router.get(
    "/commitments/{commitment_id}/ledger",
    response=LedgerOut,
    summary="Follow-through today and weekly over the last half year",
)
def commitment_ledger(request: HttpRequest, commitment_id: int) -> dict[str, Any]:
    user = _user(request)
    commitment = _commitment(user, commitment_id)
    rows = occurrence_rows(Occurrence.objects.visible_to(user).filter(commitment=commitment))
    observations = [as_observation(row) for row in rows]
    today = timezone.localdate()
    days = [today - timedelta(weeks=w) for w in range(25, -1, -1)]
    series = ledger.series(observations, days)
    if not policy.is_partner(user, commitment.case):
        record_clinical_read(user, commitment.case, "ledger", len(rows))
    return {
        "commitment": commitment.pk,
        "today": _estimate_out(series[-1]),
        "series": [_estimate_out(e) for e in series],
    }
