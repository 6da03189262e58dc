"""The agreements part of the JSON API: same access, same reads, same actions as the pages.

Every route starts from the caller's ``CaseAccess`` (``policy.case_access`` for a case,
``policy.record_access`` for one record) and reads through the builders in ``queries`` that the
pages use, so a clinician's read is audited the same way here as there. Anyone outside the case
gets a JSON 404. Inside it, only partners consent, record and confirm; a partner-only route
answers 404 to the clinician too, so it cannot be mistaken for a way to act on a partner's
behalf. A stale version answers 409 with the newer text.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from retrust.agreements import actions, ledger, queries
from retrust.agreements.models import (
    Agreement,
    AgreementVersion,
    BreachReport,
    Category,
    Commitment,
    DisputeReply,
    Occurrence,
    ScheduleKind,
)
from retrust.core import policy
from retrust.core.policy import CLINICIAN, MEMBER, PARTNER, As, CaseAccess

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
    change: bool = Field(
        default=False,
        description="Change a day already recorded differently (otherwise 409 says what it holds)",
    )


class StopIn(Schema):
    confirm: bool = Field(
        default=False, description="Must be true: stopping a commitment cannot be undone"
    )


class OccurrenceOut(Schema):
    id: int
    due_on: date
    outcome: str
    note: str
    verdict: str | None


class DayIn(Schema):
    due_on: date
    outcome: Literal["kept", "missed"]


class DaysIn(Schema):
    days: list[DayIn] = Field(
        min_length=1,
        max_length=actions.MOST_DAYS_AT_ONCE,
        description="Each day once; all are recorded or none (a day recorded differently "
        "already refuses the lot: change it on its own first)",
    )


class ConfirmDaysIn(Schema):
    occurrences: list[int] = Field(
        min_length=1,
        max_length=200,
        description="Recorded days of this commitment to confirm; all or none",
    )


class ReplyIn(Schema):
    body: str = Field(min_length=1, max_length=actions.REPLY_MAX)
    submission_key: str = Field(default="", max_length=40)


class ReplyOut(Schema):
    id: int
    occurrence: int
    author: str
    mine: bool
    body: str
    created_at: datetime


class OccurrenceThreadOut(OccurrenceOut):
    """A recorded day with the replies under it when it was seen differently."""

    replies: list[ReplyOut]


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


def _case(request: HttpRequest, case_id: int, as_: As = MEMBER) -> CaseAccess:
    return policy.case_access(_user(request), case_id, as_=as_)


def _record(
    request: HttpRequest, queryset: QuerySet[Any], pk: int, as_: As = MEMBER, what: str = ""
) -> tuple[CaseAccess, Any]:
    return policy.record_access(_user(request), queryset, pk, as_=as_, what=what or None)


def _agreement(request: HttpRequest, pk: int, as_: As = MEMBER) -> tuple[CaseAccess, Agreement]:
    queryset = Agreement.objects.select_related("case__practice", "active_version")
    return _record(request, queryset, pk, as_)


def _commitment(request: HttpRequest, pk: int, as_: As = MEMBER) -> tuple[CaseAccess, Commitment]:
    queryset = Commitment.objects.select_related("case__practice", "author")
    return _record(request, queryset, pk, as_, what=queries.COMMITMENT)


def _own_commitment(request: HttpRequest, pk: int) -> tuple[CaseAccess, Commitment]:
    """Only the committer records or stops a commitment; everyone else gets 404."""
    access, commitment = _commitment(request, pk, PARTNER)
    if commitment.author_id != access.user.pk:
        raise Http404("No such record.")
    return access, commitment


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


def _agreement_out(agreement: Agreement, history: list[AgreementVersion]) -> dict[str, Any]:
    return {
        "id": agreement.pk,
        "category": agreement.category,
        "status": agreement.status,
        "latest_number": agreement.latest_number,
        "active_version": agreement.active_version.number if agreement.active_version else None,
        "review_on": agreement.review_on,
        "renegotiation_requested": agreement.renegotiation_requested_at is not None,
        "latest": _version_out(history[-1]),
        "versions": [_version_out(v) for v in history],
    }


def _detail(access: CaseAccess, agreement: Agreement) -> dict[str, Any]:
    agreement = Agreement.objects.select_related("active_version").get(pk=agreement.pk)
    return _agreement_out(agreement, queries.versions(access, agreement))


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
    commitment: Commitment, access: CaseAccess, estimate: ledger.Estimate
) -> dict[str, Any]:
    return {
        "id": commitment.pk,
        "mine": commitment.author_id == access.user.pk,
        "committer": commitment.author.name,
        "action": commitment.action,
        "schedule": commitment.schedule,
        "weekdays": [int(d) for d in commitment.weekdays.split(",") if d],
        "starts_on": commitment.starts_on,
        "agreement": commitment.agreement_id,
        "ended_at": commitment.ended_at,
        "follow_through": _estimate_out(estimate),
    }


def _occurrence_out(occurrence: Occurrence, verdict: str | None) -> dict[str, Any]:
    return {
        "id": occurrence.pk,
        "due_on": occurrence.due_on,
        "outcome": occurrence.outcome,
        "note": occurrence.note,
        "verdict": verdict,
    }


def _reply_out(reply: DisputeReply, user: Any) -> dict[str, Any]:
    return {
        "id": reply.pk,
        "occurrence": reply.occurrence_id,
        "author": reply.author.name,
        "mine": reply.author_id == user.pk,
        "body": reply.body,
        "created_at": reply.created_at,
    }


def _verdicts(pks: list[int]) -> dict[int, str | None]:
    rows = Occurrence.objects.filter(pk__in=pks).values_list("pk", "confirmation__verdict")
    return dict(rows)


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


def _conflict(exc: actions.AgreementConflict) -> Status[Any]:
    return Status(409, {"detail": exc.message, "newer": _version_out(exc.newer)})


# --- agreements ---------------------------------------------------------------------------


@router.get("/cases/{case_id}/agreements", response=list[AgreementOut], summary="Agreements")
def list_agreements(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    access = _case(request, case_id)
    return [_agreement_out(a, a.history) for a in queries.agreements(access)]  # type: ignore[attr-defined]


@router.post(
    "/cases/{case_id}/agreements",
    response={201: AgreementDetailOut},
    summary="Propose an agreement (partners only)",
)
def propose(request: HttpRequest, case_id: int, payload: ProposeIn) -> Status[Any]:
    access = _case(request, case_id, PARTNER)
    agreement = actions.propose_agreement(
        access.user,
        access.case,
        category=payload.category,
        title=payload.title,
        text=payload.text,
        review_on=payload.review_on,
        creation_key=payload.creation_key,
    )
    return Status(201, _detail(access, agreement))


@router.get("/agreements/{agreement_id}", response=AgreementDetailOut, summary="One agreement")
def agreement_detail(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    access, agreement = _agreement(request, agreement_id)
    return _detail(access, agreement)


@router.post(
    "/agreements/{agreement_id}/accept",
    response={200: AgreementDetailOut, 409: ConflictOut},
    summary="Accept the version on the table (partners only)",
)
def accept(request: HttpRequest, agreement_id: int, payload: VersionIn) -> Any:
    access, agreement = _agreement(request, agreement_id, PARTNER)
    try:
        agreement = actions.accept_version(access.user, agreement, version_number=payload.version)
    except actions.AgreementConflict as exc:
        return _conflict(exc)
    return _detail(access, agreement)


@router.post(
    "/agreements/{agreement_id}/decline",
    response={200: AgreementDetailOut, 409: ConflictOut},
    summary="Decline the version on the table, with a reason (partners only)",
)
def decline(request: HttpRequest, agreement_id: int, payload: DeclineIn) -> Any:
    access, agreement = _agreement(request, agreement_id, PARTNER)
    try:
        agreement = actions.decline_version(
            access.user, agreement, version_number=payload.version, reason=payload.reason
        )
    except actions.AgreementConflict as exc:
        return _conflict(exc)
    return _detail(access, agreement)


@router.post(
    "/agreements/{agreement_id}/versions",
    response={201: AgreementDetailOut, 409: ConflictOut},
    summary="Propose an amended version (partners only)",
)
def amend(request: HttpRequest, agreement_id: int, payload: AmendIn) -> Any:
    access, agreement = _agreement(request, agreement_id, PARTNER)
    try:
        agreement = actions.amend_agreement(
            access.user,
            agreement,
            based_on=payload.based_on,
            title=payload.title,
            text=payload.text,
        )
    except actions.AgreementConflict as exc:
        return _conflict(exc)
    return Status(201, _detail(access, agreement))


@router.post(
    "/agreements/{agreement_id}/renegotiation",
    response=AgreementDetailOut,
    summary="Ask to talk an active agreement over again (partners only)",
)
def renegotiate(request: HttpRequest, agreement_id: int) -> Any:
    access, agreement = _agreement(request, agreement_id, PARTNER)
    return _detail(access, actions.request_renegotiation(access.user, agreement))


@router.post(
    "/agreements/{agreement_id}/notes",
    response={201: NoteOut},
    summary="Add a clinician's note, shown to both partners (the case's clinicians only)",
)
def annotate(request: HttpRequest, agreement_id: int, payload: NoteIn) -> Status[Any]:
    access, agreement = _agreement(request, agreement_id, CLINICIAN)
    note = actions.annotate_agreement(access.user, agreement, text=payload.text)
    return Status(
        201,
        {
            "id": note.pk,
            "author": access.user.name,
            "text": note.text,
            "created_at": note.created_at,
        },
    )


@router.post(
    "/agreements/{agreement_id}/breaches",
    response={201: BreachOut},
    summary="Report that an agreement did not hold (partners only)",
)
def report_breach(request: HttpRequest, agreement_id: int, payload: BreachIn) -> Status[Any]:
    access, agreement = _agreement(request, agreement_id, PARTNER)
    report = actions.report_breach(
        access.user,
        agreement,
        what_happened=payload.what_happened,
        happened_on=payload.happened_on,
        submission_key=payload.submission_key,
    )
    return Status(201, _breach_out(report))


@router.post(
    "/breaches/{breach_id}/response",
    response=BreachOut,
    summary="Answer a breach report (the other partner only)",
)
def respond_to_breach(request: HttpRequest, breach_id: int, payload: BreachResponseIn) -> Any:
    queryset = BreachReport.objects.select_related("case__practice", "author")
    access, report = _record(request, queryset, breach_id, PARTNER)
    if report.author_id == access.user.pk:
        raise Http404("No such record.")
    report = actions.respond_to_breach(
        access.user, report, response=payload.response, text=payload.text
    )
    return _breach_out(report)


# --- commitments --------------------------------------------------------------------------


@router.get("/cases/{case_id}/commitments", response=list[CommitmentOut], summary="Commitments")
def list_commitments(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    access = _case(request, case_id)
    found = queries.commitments(access, timezone.localdate())
    return [_commitment_out(c, access, c.estimate) for c in found]  # type: ignore[attr-defined]


@router.post(
    "/cases/{case_id}/commitments",
    response={201: CommitmentOut},
    summary="Commit to an action (partners only)",
)
def make_commitment(request: HttpRequest, case_id: int, payload: CommitmentIn) -> Status[Any]:
    access = _case(request, case_id, PARTNER)
    agreement = None
    if payload.agreement is not None:
        agreement = access.visible(Agreement.objects.filter(pk=payload.agreement)).first()
        if agreement is None:
            raise actions.ActionError("Choose one of this case's agreements.", "agreement")
    commitment = actions.make_commitment(
        access.user,
        access.case,
        action=payload.action,
        schedule=payload.schedule,
        weekdays=",".join(str(d) for d in payload.weekdays),
        starts_on=payload.starts_on,
        agreement=agreement,
        creation_key=payload.creation_key,
    )
    today = timezone.localdate()
    return Status(201, _commitment_out(commitment, access, ledger.estimate([], today)))


@router.post(
    "/commitments/{commitment_id}/occurrences",
    response={201: OccurrenceOut},
    summary="Record an occurrence as kept or missed (the committer only)",
)
def record_occurrence(
    request: HttpRequest, commitment_id: int, payload: OccurrenceIn
) -> Status[Any]:
    access, commitment = _own_commitment(request, commitment_id)
    occurrence = actions.record_occurrence(
        access.user,
        commitment,
        due_on=payload.due_on,
        outcome=payload.outcome,
        note=payload.note,
        submission_key=payload.submission_key,
        change=payload.change,
    )
    verdict = Occurrence.objects.filter(pk=occurrence.pk).values_list(
        "confirmation__verdict", flat=True
    )[0]
    return Status(201, _occurrence_out(occurrence, verdict))


@router.post(
    "/commitments/{commitment_id}/end",
    response=CommitmentOut,
    summary="Stop a commitment, with confirm: true; its record stays (the committer only)",
)
def end_commitment(request: HttpRequest, commitment_id: int, payload: StopIn) -> Any:
    access, commitment = _own_commitment(request, commitment_id)
    commitment = actions.end_commitment(access.user, commitment, confirm=payload.confirm)
    today = timezone.localdate()
    follow_through = queries.commitment_ledger(access, commitment, today).estimate
    return _commitment_out(commitment, access, follow_through)


@router.get(
    "/commitments/{commitment_id}/occurrences",
    response=list[OccurrenceThreadOut],
    summary="Recorded occurrences, newest first (at most 400), with the replies under days "
    "seen differently",
)
def list_occurrences(request: HttpRequest, commitment_id: int) -> list[dict[str, Any]]:
    access, commitment = _commitment(request, commitment_id)
    return [
        {
            **_occurrence_out(o, o.answer.verdict if o.answer else None),  # type: ignore[attr-defined]
            "replies": [_reply_out(r, access.user) for r in o.replies.all()],
        }
        for o in queries.occurrences(access, commitment, 400)
    ]


@router.get(
    "/commitments/{commitment_id}/unrecorded",
    response=list[date],
    summary="Due days of the last two weeks with nothing recorded yet, newest first (the "
    "committer only)",
)
def unrecorded_days(request: HttpRequest, commitment_id: int) -> list[date]:
    access, commitment = _own_commitment(request, commitment_id)
    return queries.unrecorded_days(access, commitment, timezone.localdate())


@router.post(
    "/commitments/{commitment_id}/days",
    response={201: list[OccurrenceOut]},
    summary="Record several days at once, each kept or missed: all or none; sending the same "
    "days again changes nothing (the committer only)",
)
def record_days(request: HttpRequest, commitment_id: int, payload: DaysIn) -> Status[Any]:
    access, commitment = _own_commitment(request, commitment_id)
    outcomes = {day.due_on: day.outcome for day in payload.days}
    if len(outcomes) != len(payload.days):
        raise actions.ActionError("Name each day once.", "days")
    recorded = actions.record_days(access.user, commitment, outcomes=outcomes)
    verdicts = _verdicts([o.pk for o in recorded])
    return Status(201, [_occurrence_out(o, verdicts.get(o.pk)) for o in recorded])


@router.post(
    "/commitments/{commitment_id}/confirmations",
    response=list[OccurrenceOut],
    summary="Confirm several recorded days at once: all or none; confirming a day again "
    "changes nothing (the other partner only)",
)
def confirm_days(request: HttpRequest, commitment_id: int, payload: ConfirmDaysIn) -> Any:
    access, commitment = _commitment(request, commitment_id, PARTNER)
    if commitment.author_id == access.user.pk:
        raise Http404("No such record.")
    confirmations = actions.confirm_days(
        access.user, commitment, occurrence_ids=payload.occurrences
    )
    verdicts = {c.occurrence_id: c.verdict for c in confirmations}
    found = Occurrence.objects.filter(pk__in=verdicts).order_by("due_on", "id")
    return [_occurrence_out(o, verdicts[o.pk]) for o in found]


@router.get(
    "/occurrences/{occurrence_id}/replies",
    response=list[ReplyOut],
    summary="The replies under a day seen differently, oldest first",
)
def list_replies(request: HttpRequest, occurrence_id: int) -> list[dict[str, Any]]:
    queryset = Occurrence.objects.select_related("case__practice")
    access, occurrence = _record(request, queryset, occurrence_id, what=queries.COMMITMENT)
    replies = access.read(DisputeReply.objects.all(), queries.COMMITMENT)
    found = replies.filter(occurrence=occurrence).select_related("author")
    return [_reply_out(r, access.user) for r in found.order_by("created_at", "id")]


@router.post(
    "/occurrences/{occurrence_id}/replies",
    response={201: ReplyOut},
    summary="Reply under a day seen differently; the same submission_key twice stores one "
    "(partners only)",
)
def reply_to_dispute(request: HttpRequest, occurrence_id: int, payload: ReplyIn) -> Status[Any]:
    queryset = Occurrence.objects.select_related("case__practice")
    access, occurrence = _record(request, queryset, occurrence_id, PARTNER)
    reply = actions.reply_to_dispute(
        access.user, occurrence, body=payload.body, submission_key=payload.submission_key
    )
    return Status(201, _reply_out(reply, access.user))


@router.post(
    "/occurrences/{occurrence_id}/answer",
    response=OccurrenceOut,
    summary="Confirm an occurrence, or say you saw it differently (the other partner only)",
)
def answer(request: HttpRequest, occurrence_id: int, payload: AnswerIn) -> Any:
    queryset = Occurrence.objects.select_related("case__practice")
    access, occurrence = _record(request, queryset, occurrence_id, PARTNER)
    if occurrence.author_id == access.user.pk:
        raise Http404("No such record.")
    confirmation = actions.answer_occurrence(
        access.user, occurrence, verdict=payload.verdict, note=payload.note
    )
    return _occurrence_out(occurrence, confirmation.verdict)


@router.get(
    "/commitments/{commitment_id}/ledger",
    response=LedgerOut,
    summary="Follow-through today and over time: the points of the page's chart",
)
def commitment_ledger(request: HttpRequest, commitment_id: int) -> dict[str, Any]:
    access, commitment = _commitment(request, commitment_id)
    found = queries.commitment_ledger(access, commitment, timezone.localdate())
    return {
        "commitment": commitment.pk,
        "today": _estimate_out(found.estimate),
        "series": [_estimate_out(e) for e in found.points],
    }
