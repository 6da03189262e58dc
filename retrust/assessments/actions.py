"""Every state change for measures: validate, write, audit, in one transaction each.

Refusals raise ``ActionError`` (400) naming the field at fault; for answers the field is the
item's ``linkId``. A request that met a changed state raises ``ActionConflict`` (409).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from retrust.assessments import registry, sharing
from retrust.assessments.definitions import Instrument
from retrust.assessments.due import Round, round_for
from retrust.assessments.models import (
    MeasureResponse,
    MeasureSchedule,
    ResponseStatus,
    ScheduleKind,
    TotalsConsent,
    TotalsSuggestion,
)
from retrust.assessments.reliable_change import classify
from retrust.assessments.scoring import AnswerError, check_answers, missing_required, score
from retrust.core import audit, pause
from retrust.core import registry as core_registry
from retrust.core.actions import mark_active, require_case_clinician, require_partner
from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import Case, CaseMember, CaseStatus, User
from retrust.core.rules import Visibility
from retrust.safety.actions import raise_alert


def instrument_or_error(instrument_id: str, field: str = "instrument_id") -> Instrument:
    instrument = registry.get(instrument_id)
    if instrument is None:
        raise ActionError("Choose one of the questionnaires in the list.", field)
    return instrument


def current_round(schedule: MeasureSchedule, today: date | None = None) -> Round | None:
    return round_for(
        schedule.kind,  # type: ignore[arg-type]
        today or timezone.localdate(),
        starts_on=schedule.starts_on,
        every_weeks=schedule.every_weeks,
        next_session_on=schedule.next_session_on,
    )


@transaction.atomic
def schedule_measure(
    actor: User,
    case: Case,
    *,
    instrument_id: str,
    kind: str,
    starts_on: date,
    every_weeks: int | None = None,
    next_session_on: date | None = None,
) -> tuple[MeasureSchedule, bool]:
    """Ask both partners for a measure. Returns (schedule, created); asking twice keeps one."""
    require_case_clinician(actor, case, "Only the case's clinicians can schedule measures.")
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed; reopen it before scheduling measures.")
    instrument_or_error(instrument_id)
    if kind not in ScheduleKind.values:
        raise ActionError("Choose when to ask.", "kind")
    if kind == ScheduleKind.EVERY_N_WEEKS and not (every_weeks and 1 <= every_weeks <= 52):
        raise ActionError("Say how many weeks apart, from 1 to 52.", "every_weeks")
    if kind == ScheduleKind.BEFORE_SESSION and next_session_on is None:
        # The sessions app, when installed, knows the next booked appointment.
        next_session_on = core_registry.next_session_on(case)
    if kind == ScheduleKind.BEFORE_SESSION and next_session_on is None:
        raise ActionError(
            "No session is booked yet: give the date of the next session, or book one first.",
            "next_session_on",
        )
    existing = MeasureSchedule.objects.filter(
        case=case, instrument_id=instrument_id, ended_at__isnull=True
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            schedule = MeasureSchedule.objects.create(
                case=case,
                instrument_id=instrument_id,
                kind=kind,
                every_weeks=every_weeks if kind == ScheduleKind.EVERY_N_WEEKS else None,
                starts_on=starts_on,
                next_session_on=next_session_on if kind == ScheduleKind.BEFORE_SESSION else None,
                created_by=actor,
            )
    except IntegrityError:
        return MeasureSchedule.objects.get(
            case=case, instrument_id=instrument_id, ended_at__isnull=True
        ), False
    audit.record(
        actor,
        "retrust.measure.schedule.created",
        target=schedule,
        case=case,
        details={"instrument": instrument_id, "kind": kind, "every_weeks": every_weeks},
    )
    return schedule, True


@transaction.atomic
def follow_next_session(case: Case, on: date | None) -> int:
    """ "Before the next session" measures of the case follow its next booked appointment.

    Called by the sessions app whenever a booking changes; ``None`` (nothing booked) keeps the
    last date. Returns how many schedules moved. Not audited on its own: the booking is.
    """
    if on is None:
        return 0
    return (
        MeasureSchedule.objects.filter(
            case=case, kind=ScheduleKind.BEFORE_SESSION, ended_at__isnull=True
        )
        .exclude(next_session_on=on)
        .update(next_session_on=on)
    )


@transaction.atomic
def end_schedule(actor: User, schedule: MeasureSchedule) -> MeasureSchedule:
    require_case_clinician(actor, schedule.case, "Only the case's clinicians can stop a measure.")
    if schedule.case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed; its measures stay as they are.")
    if schedule.ended_at is None:
        schedule.ended_at = timezone.now()
        schedule.save(update_fields=["ended_at"])
        audit.record(
            actor,
            "retrust.measure.schedule.ended",
            target=schedule,
            case=schedule.case,
            details={"instrument": schedule.instrument_id},
        )
    return schedule


@transaction.atomic
def suggest_sharing(actor: User, case: Case, suggested: bool) -> TotalsSuggestion:
    """The clinician suggests (or stops suggesting) that partners share relationship totals.

    A suggestion shares nothing: each partner decides with ``set_totals_consent``.
    """
    require_case_clinician(actor, case, "Only the case's clinicians can suggest this.")
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed; reopen it before suggesting anything new.")
    if suggested:
        # A couple-facing step: it waits for the whole pause (the clinician knows why).
        pause.require_couple_work_allowed(case, actor)
    suggestion, _ = TotalsSuggestion.objects.select_for_update().get_or_create(case=case)
    if suggestion.suggested != suggested:
        suggestion.suggested = suggested
        suggestion.changed_by = actor
        suggestion.changed_at = timezone.now()
        suggestion.save()
        audit.record(
            actor,
            "retrust.measure.sharing.suggested",
            target=suggestion,
            case=case,
            details={"suggested": suggested},
        )
    return suggestion


def other_partner(partner: User, case: Case) -> User | None:
    member = (
        CaseMember.objects.filter(case=case).exclude(user=partner).select_related("user").first()
    )
    return member.user if member is not None else None


def clinician_names(case: Case) -> str:
    return sharing.names([u.name for u in case.clinicians.order_by("display_name", "id")])


def consent_wording_for(partner: User, case: Case, instrument: Instrument) -> str:
    """The words ``partner`` would agree to for ``instrument``; "" when there is nobody to
    share with (a case with one partner) or the measure is individual."""
    other = other_partner(partner, case)
    if other is None or not instrument.is_relationship:
        return ""
    return sharing.consent_wording(instrument.short_title, other.name, clinician_names(case))


@transaction.atomic
def set_totals_consent(
    partner: User, case: Case, instrument_id: str, *, share: bool, wording: str = ""
) -> TotalsConsent | None:
    """A partner shares, or stops sharing, their totals on one relationship measure.

    Sharing needs the exact ``wording`` the page showed (stored with the consent); if the words
    have changed since (a name changed), the partner reads them again. Stopping always works,
    even during a pause. Returns the active consent, or ``None`` after stopping.
    """
    require_partner(partner, case, "Only a partner can choose what they share.")
    instrument = instrument_or_error(instrument_id)
    active = (
        TotalsConsent.objects.select_for_update()
        .active()
        .filter(case=case, partner=partner, instrument_id=instrument.id)
        .first()
    )
    if not share:
        if active is not None:
            active.withdrawn_at = timezone.now()
            active.save(update_fields=["withdrawn_at"])
            audit.record(
                partner,
                "retrust.measure.totals.withdrawn",
                target=active,
                case=case,
                details={"instrument": instrument.id},
            )
        return None
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed; nothing new can be shared.")
    if not instrument.is_relationship:
        raise ActionError(
            f"{instrument.short_title} is about you alone: only you and your clinician ever "
            "see it.",
            "instrument_id",
        )
    expected = consent_wording_for(partner, case, instrument)
    if not expected:
        raise ActionError("There is no other partner in this case to share with yet.")
    pause.require_couple_work_allowed(case, partner)
    if active is not None:
        return active
    if wording.strip() != expected:
        raise ActionConflict(
            "The words below have changed since the page opened. Please read them again and "
            "choose again.",
            "wording",
        )
    consent = TotalsConsent.objects.create(
        case=case, partner=partner, instrument_id=instrument.id, wording=expected
    )
    audit.record(
        partner,
        "retrust.measure.totals.shared",
        target=consent,
        case=case,
        details={"instrument": instrument.id},
    )
    return consent


def _partner_round(partner: User, schedule: MeasureSchedule) -> tuple[Instrument, Round]:
    if not CaseMember.objects.filter(case_id=schedule.case_id, user=partner).exists():
        raise ActionError("Only the partners in this case answer its check-ins.")
    if schedule.ended_at is not None:
        raise ActionError("Your clinician has stopped this check-in; there is nothing to answer.")
    instrument = instrument_or_error(schedule.instrument_id)
    round_ = current_round(schedule)
    if round_ is None:
        raise ActionError("This check-in is not open yet.")
    return instrument, round_


def _checked(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in answers.items() if v not in (None, "", [])}
    try:
        check_answers(instrument, cleaned)
    except AnswerError as exc:
        label = _item_label(instrument, exc.link_id)
        raise ActionError(f"{label}: {exc.message}", exc.link_id) from None
    return cleaned


def _item_label(instrument: Instrument, link_id: str) -> str:
    try:
        return f"Question {[i.linkId for i in instrument.items].index(link_id) + 1}"
    except ValueError:
        return link_id


def _unanswered(instrument: Instrument, missing: list[str]) -> str:
    """Every question still open, named at once, e.g. "Questions 2 and 5 have no answer yet"."""
    labels = [_item_label(instrument, link_id) for link_id in missing]
    if len(labels) == 1:
        return f"{labels[0]} has no answer yet. Choose one to finish (your other answers are kept)."
    numbers = [label.removeprefix("Question ") for label in labels]
    listed = ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
    return (
        f"Questions {listed} have no answer yet. Choose one for each to finish (your other "
        "answers are kept)."
    )


@transaction.atomic
def save_draft(
    partner: User, schedule: MeasureSchedule, answers: dict[str, Any]
) -> MeasureResponse:
    """Keep what a partner has answered so far; called on every change (autosave)."""
    instrument, round_ = _partner_round(partner, schedule)
    cleaned = _checked(instrument, answers)
    sent = MeasureResponse.objects.filter(
        schedule=schedule, author=partner, round_key=round_.key, status=ResponseStatus.SUBMITTED
    ).first()
    if sent is not None and sent.answers == cleaned:
        # A late autosave arriving after the same answers were sent: nothing to keep.
        return sent
    draft, created = MeasureResponse.objects.get_or_create(
        schedule=schedule,
        author=partner,
        round_key=round_.key,
        status=ResponseStatus.DRAFT,
        defaults={
            "case_id": schedule.case_id,
            "visibility": Visibility.CLINICIAN.value,
            "instrument_id": instrument.id,
            "instrument_version": instrument.version,
            "due_on": round_.due_on,
            "answers": cleaned,
        },
    )
    if not created and draft.answers != cleaned:
        draft.answers = cleaned
        draft.save(update_fields=["answers", "updated_at"])
    if created:
        audit.record(
            partner,
            "retrust.measure.draft.started",
            target=draft,
            case=schedule.case,
            details={"instrument": instrument.id, "round": round_.key},
            private=True,  # a draft: nobody but its author sees it
        )
    return draft


@dataclass(frozen=True)
class Submitted:
    response: MeasureResponse
    created: bool
    # Alert rules that fired (for showing crisis resources to the respondent right away).
    safety_flagged: bool


@transaction.atomic
def submit_response(
    partner: User,
    schedule: MeasureSchedule,
    answers: dict[str, Any],
    *,
    submission_key: str | None = None,
) -> Submitted:
    """Store one submitted response; the same ``submission_key`` twice stores one.

    Submitting again for a round already answered is a correction: the earlier response is
    marked superseded (its answers stay as they were) and the new one points at it.
    """
    if submission_key:
        earlier = MeasureResponse.objects.filter(submission_key=submission_key).first()
        if earlier is not None:
            if earlier.author_id != partner.pk or earlier.schedule_id != schedule.pk:
                raise ActionError("This form was already used. Reload the page and try again.")
            instrument = registry.get(earlier.instrument_id)
            return Submitted(earlier, False, fires_alert(instrument, earlier.answers))
    instrument, round_ = _partner_round(partner, schedule)
    cleaned = _checked(instrument, answers)
    missing = missing_required(instrument, cleaned)
    if missing:
        raise ActionError(_unanswered(instrument, missing), missing[0])
    scores = score(instrument, cleaned)
    first = next(iter(scores.values()), None)
    previous = (
        MeasureResponse.objects.select_for_update()
        .filter(
            schedule=schedule,
            author=partner,
            round_key=round_.key,
            status=ResponseStatus.SUBMITTED,
        )
        .first()
    )
    if previous is not None and previous.answers == cleaned:
        # The same answers again (a double submit without a form key): nothing new to store.
        return Submitted(previous, False, fires_alert(instrument, previous.answers))
    if previous is not None:
        previous.status = ResponseStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    MeasureResponse.objects.filter(
        schedule=schedule, author=partner, round_key=round_.key, status=ResponseStatus.DRAFT
    ).delete()
    try:
        with transaction.atomic():
            response = MeasureResponse.objects.create(
                case_id=schedule.case_id,
                author=partner,
                visibility=Visibility.CLINICIAN.value,
                schedule=schedule,
                instrument_id=instrument.id,
                instrument_version=instrument.version,
                round_key=round_.key,
                due_on=round_.due_on,
                status=ResponseStatus.SUBMITTED,
                answers=cleaned,
                scores={key: value.as_dict() for key, value in scores.items()},
                total=first.score if first else None,
                band=(first.band or "") if first else "",
                submitted_at=timezone.now(),
                submission_key=submission_key or None,
                supersedes=previous,
            )
    except IntegrityError:
        raise ActionError("This check-in was just submitted. Reload the page.") from None
    case = schedule.case
    mark_active(partner, case)
    audit.record(
        partner,
        "retrust.measure.response.submitted",
        target=response,
        case=case,
        details={"instrument": instrument.id, "round": round_.key, "complete": bool(first)},
    )
    if previous is not None:
        audit.record(
            partner,
            "retrust.measure.response.superseded",
            target=previous,
            case=case,
            details={"instrument": instrument.id, "by": response.pk},
        )
    flagged = _run_alert_rules(instrument, response, partner)
    _check_reliable_deterioration(instrument, response, partner)
    return Submitted(response, True, flagged)


def submit_keeping_draft(
    partner: User,
    schedule: MeasureSchedule,
    answers: dict[str, Any],
    *,
    submission_key: str | None = None,
) -> Submitted:
    """``submit_response``; when it is refused, what was typed is still kept as a draft."""
    try:
        return submit_response(partner, schedule, answers, submission_key=submission_key)
    except ActionError:
        with contextlib.suppress(ActionError):
            save_draft(partner, schedule, answers)
        raise


def fires_alert(instrument: Instrument | None, answers: dict[str, Any]) -> bool:
    """Whether these answers meet one of the instrument's alert rules (PHQ-9 item 9 above 0)."""
    if instrument is None:
        return False
    return any(
        isinstance(answers.get(rule.item), int) and answers[rule.item] > rule.above
        for rule in instrument.alerts
    )


def _run_alert_rules(instrument: Instrument, response: MeasureResponse, partner: User) -> bool:
    fired = False
    for rule in instrument.alerts:
        value = response.answers.get(rule.item)
        if isinstance(value, int) and value > rule.above:
            fired = True
            raise_alert(
                response.case,
                source=rule.source,
                priority=rule.priority,
                summary=rule.summary.format(value=value),
                dedupe_key=f"measure-response:{response.pk}:{rule.item}",
                partner=partner,
            )
    return fired


def _check_reliable_deterioration(
    instrument: Instrument, response: MeasureResponse, partner: User
) -> None:
    if response.total is None or not instrument.scales:
        return
    scale = instrument.scales[0]
    if scale.reliable_change is None:
        return
    baseline = (
        MeasureResponse.objects.filter(
            case_id=response.case_id,
            author=partner,
            instrument_id=instrument.id,
            status=ResponseStatus.SUBMITTED,
            total__isnull=False,
        )
        .exclude(pk=response.pk)
        .order_by("submitted_at", "id")
        .first()
    )
    if baseline is None or baseline.total is None:
        return
    change = classify(scale, baseline.total, response.total)
    if change is not None and change.category == "deteriorated":
        raise_alert(
            response.case,
            source="reliable_deterioration",
            priority="normal",
            summary=(
                f"{instrument.short_title}: reliable deterioration from {baseline.total:g} "
                f"to {response.total:g}"
            ),
            dedupe_key=f"measure-response:{response.pk}:reliable-deterioration",
            partner=partner,
        )
