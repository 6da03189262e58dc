"""Every state change of agreements, commitments and breaches: validate, write, audit.

Each function is one transaction and raises ``ActionError`` (field, plain message) when it
will not act. Who may act is decided here as well as in the views, so the API and the pages
cannot drift apart: only partners consent, only the committer records an occurrence, only the
other partner confirms it, only a case clinician annotates.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from retrust.agreements import schedule as schedules
from retrust.agreements.models import (
    SHARED,
    Agreement,
    AgreementNote,
    AgreementSettings,
    AgreementStatus,
    AgreementVersion,
    BreachReport,
    BreachResponse,
    Category,
    Commitment,
    Confirmation,
    Consent,
    Decision,
    DisputeReply,
    Occurrence,
    Outcome,
    ScheduleKind,
    Verdict,
)
from retrust.core import audit, pause
from retrust.core.actions import (
    ActionConflict,
    ActionError,
    mark_active,
    require_case_clinician,
    require_partner,
)
from retrust.core.models import Case, CaseStatus, Practice, Track
from retrust.core.pause import SharedWorkPaused

TITLE_MAX = 160
TEXT_MAX = 4000
NOTE_MAX = 2000


class AgreementConflict(ActionConflict):
    """Someone else changed the agreement first; ``newer`` is the version now on the table."""

    def __init__(self, newer: AgreementVersion) -> None:
        super().__init__(
            f"{newer.proposed_by.name} proposed a newer version (version {newer.number}) while "
            "you were writing. Nothing of yours was saved: read theirs below, then accept it "
            "or propose your changes to it.",
            "text",
        )
        self.newer = newer


class AlreadyRecorded(ActionConflict):
    """The day already holds a different record; changing it must be asked for (``change``)."""

    def __init__(self, existing: Occurrence, outcome: str) -> None:
        day = f"{existing.due_on:%a} {existing.due_on.day} {existing.due_on:%b}"
        old = existing.get_outcome_display().lower()
        if existing.outcome != outcome:
            what = f"to record it as {Outcome(outcome).label.lower()} instead"
        elif existing.note:
            what = "to replace its note"
        else:
            what = "to add this note"
        super().__init__(
            f"You already recorded {day} as {old}. Confirm the change {what}.", "change"
        )
        self.existing = existing


# --- helpers ------------------------------------------------------------------------------


def _open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed, so its agreements are read-only now.")


def _shared(actor: Any, case: Case) -> None:
    """Everything partners share here is couple work: it waits while the case is paused."""
    pause.require_couple_work_allowed(case, actor)


def _text(value: str, field: str, limit: int, empty: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionError(empty, field)
    if len(value) > limit:
        raise ActionError(f"Please keep this under {limit:,} characters.", field)
    return value


def _touch(case: Case, user: Any) -> None:
    mark_active(user, case)


def latest_version(agreement: Agreement) -> AgreementVersion:
    return AgreementVersion.objects.select_related("proposed_by").get(
        agreement=agreement, number=agreement.latest_number
    )


# --- agreements ---------------------------------------------------------------------------


@transaction.atomic
def propose_agreement(
    actor: Any,
    case: Case,
    *,
    category: str,
    title: str,
    text: str,
    review_on: date | None = None,
    creation_key: str = "",
) -> Agreement:
    """A partner proposes an agreement; proposing it is their consent to this first version."""
    require_partner(actor, case)
    _open(case)
    _shared(actor, case)
    if case.track == Track.INDIVIDUAL:
        raise ActionError(
            "Agreements are made by both partners. While you work on your own, add a personal "
            "commitment instead."
        )
    if category not in Category.values:
        raise ActionError("Choose what the agreement is about.", "category")
    title = _text(title, "title", TITLE_MAX, "Give the agreement a short title.")
    text = _text(text, "text", TEXT_MAX, "Write what you would both agree to.")
    if review_on is not None and review_on <= timezone.localdate():
        raise ActionError("Choose a review date in the future, or leave it empty.", "review_on")
    if creation_key:
        existing = Agreement.objects.filter(creation_key=creation_key, author=actor).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            agreement = Agreement.objects.create(
                case=case,
                author=actor,
                visibility=SHARED,
                category=category,
                review_on=review_on,
                creation_key=creation_key or None,
            )
    except IntegrityError as exc:
        existing = Agreement.objects.filter(creation_key=creation_key, author=actor).first()
        if existing is not None:
            return existing
        raise ActionError("This form was already used. Reload the page and try again.") from exc
    version = AgreementVersion.objects.create(
        agreement=agreement, number=1, title=title, text=text, proposed_by=actor
    )
    Consent.objects.create(version=version, partner=actor, decision=Decision.ACCEPTED)
    _touch(case, actor)
    audit.record(
        actor,
        "retrust.agreement.proposed",
        target=agreement,
        case=case,
        details={"category": category, "version": 1},
    )
    return agreement


def _check_current(agreement: Agreement, version_number: int) -> AgreementVersion:
    if version_number != agreement.latest_number:
        raise AgreementConflict(latest_version(agreement))
    return latest_version(agreement)


@transaction.atomic
def accept_version(actor: Any, agreement: Agreement, *, version_number: int) -> Agreement:
    """The other partner accepts the version on the table; with both consents it is active."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require_partner(actor, agreement.case)
    _open(agreement.case)
    _shared(actor, agreement.case)
    version = _check_current(agreement, version_number)
    mine = Consent.objects.filter(version=version, partner=actor).first()
    if mine is not None:
        if mine.decision == Decision.ACCEPTED:
            return agreement  # a double submit, or accepting one's own proposal
        raise ActionError("You already declined this version. Propose a new version instead.")
    Consent.objects.create(version=version, partner=actor, decision=Decision.ACCEPTED)
    accepted = Consent.objects.filter(version=version, decision=Decision.ACCEPTED).count()
    if accepted >= 2:
        agreement.status = AgreementStatus.ACTIVE
        agreement.active_version = version
        agreement.renegotiation_requested_by = None
        agreement.renegotiation_requested_at = None
    agreement.save()
    _touch(agreement.case, actor)
    audit.record(
        actor,
        "retrust.agreement.accepted",
        target=agreement,
        case=agreement.case,
        details={"version": version.number, "active": agreement.status == "active"},
    )
    return agreement


@transaction.atomic
def decline_version(
    actor: Any, agreement: Agreement, *, version_number: int, reason: str
) -> Agreement:
    """The other partner declines the version on the table, saying why."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    require_partner(actor, agreement.case)
    _open(agreement.case)
    _shared(actor, agreement.case)
    version = _check_current(agreement, version_number)
    reason = _text(
        reason, "reason", NOTE_MAX, "Say briefly why — it helps you both find a version that fits."
    )
    if version.proposed_by_id == actor.pk:
        raise ActionError("This is your own proposal. Propose a new version to change it.")
    mine = Consent.objects.filter(version=version, partner=actor).first()
    if mine is not None:
        if mine.decision == Decision.DECLINED:
            return agreement
        raise ActionError("You already accepted this version. Ask to renegotiate instead.")
    Consent.objects.create(
        version=version, partner=actor, decision=Decision.DECLINED, reason=reason
    )
    agreement.status = AgreementStatus.DECLINED
    agreement.save()
    audit.record(
        actor,
        "retrust.agreement.declined",
        target=agreement,
        case=agreement.case,
        details={"version": version.number},
    )
    return agreement


@transaction.atomic
def amend_agreement(
    actor: Any, agreement: Agreement, *, based_on: int, title: str, text: str
) -> Agreement:
    """Propose a new version, based on version ``based_on``.

    Optimistic concurrency: the agreement row moves from ``based_on`` to ``based_on + 1`` in one
    conditional update, and the version number is unique per agreement, so of two amendments
    based on the same version exactly one is written; the other gets ``AgreementConflict``
    with the winner's text and nothing of it is saved.
    """
    require_partner(actor, agreement.case)
    _open(agreement.case)
    _shared(actor, agreement.case)
    title = _text(title, "title", TITLE_MAX, "Give the agreement a short title.")
    text = _text(text, "text", TEXT_MAX, "Write what you would both agree to.")
    fresh = Agreement.objects.get(pk=agreement.pk)
    if based_on != fresh.latest_number:
        newer = latest_version(fresh)
        if newer.proposed_by_id == actor.pk and newer.text == text and newer.title == title:
            return fresh  # the same amendment, submitted twice
        raise AgreementConflict(newer)
    moved = Agreement.objects.filter(pk=agreement.pk, latest_number=based_on).update(
        latest_number=based_on + 1, status=AgreementStatus.PROPOSED, updated_at=timezone.now()
    )
    if moved != 1:
        raise AgreementConflict(latest_version(Agreement.objects.get(pk=agreement.pk)))
    try:
        with transaction.atomic():
            version = AgreementVersion.objects.create(
                agreement=agreement,
                number=based_on + 1,
                title=title,
                text=text,
                proposed_by=actor,
            )
    except IntegrityError as exc:  # pragma: no cover - the conditional update already decided
        raise AgreementConflict(latest_version(Agreement.objects.get(pk=agreement.pk))) from exc
    Consent.objects.create(version=version, partner=actor, decision=Decision.ACCEPTED)
    _touch(agreement.case, actor)
    audit.record(
        actor,
        "retrust.agreement.amended",
        target=agreement,
        case=agreement.case,
        details={"version": version.number, "based_on": based_on},
    )
    return Agreement.objects.get(pk=agreement.pk)


@transaction.atomic
def request_renegotiation(actor: Any, agreement: Agreement) -> Agreement:
    """Either partner asks to talk an active agreement over again; it stays in force till then."""
    require_partner(actor, agreement.case)
    _open(agreement.case)
    _shared(actor, agreement.case)
    if agreement.active_version_id is None:
        raise ActionError("Only an agreement you have both accepted can be renegotiated.")
    if agreement.renegotiation_requested_at is not None:
        return agreement
    agreement.renegotiation_requested_by = actor
    agreement.renegotiation_requested_at = timezone.now()
    agreement.save()
    audit.record(
        actor, "retrust.agreement.renegotiation_requested", target=agreement, case=agreement.case
    )
    return agreement


@transaction.atomic
def annotate_agreement(actor: Any, agreement: Agreement, *, text: str) -> AgreementNote:
    """A case clinician adds a note. A note never counts as anyone's consent."""
    require_case_clinician(
        actor, agreement.case, "Only the case's clinicians can add notes to an agreement."
    )
    _open(agreement.case)
    text = _text(text, "text", NOTE_MAX, "Write the note first.")
    last = AgreementNote.objects.filter(agreement=agreement, author=actor).last()
    if last is not None and last.text == text:
        return last
    note = AgreementNote.objects.create(agreement=agreement, author=actor, text=text)
    audit.record(actor, "retrust.agreement.annotated", target=agreement, case=agreement.case)
    return note


# --- commitments --------------------------------------------------------------------------


@transaction.atomic
def make_commitment(
    actor: Any,
    case: Case,
    *,
    action: str,
    schedule: str,
    weekdays: str = "",
    starts_on: date | None = None,
    agreement: Agreement | None = None,
    creation_key: str = "",
) -> Commitment:
    """A partner commits to a concrete action, optionally under one of the case's agreements."""
    require_partner(actor, case)
    _open(case)
    _shared(actor, case)
    action = _text(
        action,
        "action",
        240,
        "Describe the action, e.g. “text if I'll be more than 15 minutes late”.",
    )
    if schedule not in ScheduleKind.values:
        raise ActionError("Choose how often this applies.", "schedule")
    try:
        days = schedules.parse_weekdays(weekdays)
    except ValueError as exc:
        raise ActionError("Choose the weekdays from the list.", "weekdays") from exc
    if schedule == ScheduleKind.WEEKDAYS and not days:
        raise ActionError("Choose at least one weekday.", "weekdays")
    if schedule != ScheduleKind.WEEKDAYS:
        days = frozenset()
    starts_on = starts_on or timezone.localdate()
    if agreement is not None and agreement.case_id != case.pk:
        raise ActionError("Choose one of this case's agreements.", "agreement")
    if creation_key:
        existing = Commitment.objects.filter(creation_key=creation_key, author=actor).first()
        if existing is not None:
            return existing
    commitment = Commitment.objects.create(
        case=case,
        author=actor,
        visibility=SHARED,
        agreement=agreement,
        action=action,
        schedule=schedule,
        weekdays=schedules.format_weekdays(days),
        starts_on=starts_on,
        creation_key=creation_key or None,
    )
    _touch(case, actor)
    audit.record(
        actor,
        "retrust.commitment.made",
        target=commitment,
        case=case,
        details={"schedule": schedule, "agreement": agreement.pk if agreement else None},
    )
    return commitment


@transaction.atomic
def end_commitment(actor: Any, commitment: Commitment, *, confirm: bool) -> Commitment:
    """The committer stops a commitment. Its record stays, and still counts in the ledger.

    Stopping cannot be undone, so it takes an explicit ``confirm``: one stray tap stops nothing.
    """
    if commitment.author_id != actor.pk:
        raise ActionError("Only the person who made this commitment can stop it.")
    _open(commitment.case)
    if commitment.ended_at is not None:
        return commitment
    if not confirm:
        raise ActionError(
            "Tick “Yes, stop this commitment” to stop it. Stopping can't be undone; what you "
            "recorded stays.",
            "confirm",
        )
    commitment.ended_at = timezone.now()
    commitment.save()
    audit.record(actor, "retrust.commitment.ended", target=commitment, case=commitment.case)
    return commitment


@transaction.atomic
def record_occurrence(
    actor: Any,
    commitment: Commitment,
    *,
    due_on: date,
    outcome: str,
    note: str = "",
    submission_key: str = "",
    change: bool = False,
) -> Occurrence:
    """The committer records one occurrence as kept or missed.

    A scheduled day is recorded once. Recording it again the same way changes nothing (a double
    submit); recording it differently is a change, made only with ``change`` and only until the
    other partner has confirmed or disputed it — otherwise ``AlreadyRecorded`` says what the
    day holds now. "Each time it applies" can be recorded several times a day;
    ``submission_key`` makes a double submit record it once.
    """
    if commitment.author_id != actor.pk:
        raise ActionError("Only the person who made this commitment records how it went.")
    _open(commitment.case)
    _shared(actor, commitment.case)
    if commitment.ended_at is not None:
        raise ActionError("This commitment was stopped, so there is nothing more to record.")
    if outcome not in Outcome.values:
        raise ActionError("Choose kept or missed.", "outcome")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ActionError(f"Please keep the note under {NOTE_MAX:,} characters.", "note")
    if due_on > timezone.localdate():
        raise ActionError("You can record a day once it has come.", "due_on")
    kind = schedules.Kind(commitment.schedule)
    days = schedules.parse_weekdays(commitment.weekdays)
    if not schedules.is_due(kind, commitment.starts_on, days, due_on):
        raise ActionError("This commitment wasn't due that day.", "due_on")
    scheduled = kind is not schedules.Kind.EACH_TIME
    if submission_key:
        done = Occurrence.objects.filter(submission_key=submission_key, author=actor).first()
        if done is not None:
            return done
    if scheduled:
        existing = (
            Occurrence.objects.select_for_update()
            .filter(commitment=commitment, due_on=due_on, scheduled=True)
            .first()
        )
        if existing is not None:
            # The same answer again is a repeat, not a change (an empty note keeps the old one).
            if existing.outcome == outcome and note in ("", existing.note):
                return existing
            if Confirmation.objects.filter(occurrence=existing).exists():
                raise ActionError(
                    "Your partner has already answered this day, so it stays as recorded. "
                    "Bring it up together or with your clinician.",
                    "outcome",
                )
            if not change:
                raise AlreadyRecorded(existing, outcome)
            old = existing.outcome
            existing.outcome = outcome
            existing.note = note
            existing.save()
            audit.record(
                actor,
                "retrust.occurrence.corrected",
                target=existing,
                case=commitment.case,
                details={"old": old, "new": outcome},
            )
            return existing
    try:
        with transaction.atomic():
            occurrence = Occurrence.objects.create(
                case=commitment.case,
                author=actor,
                visibility=SHARED,
                commitment=commitment,
                due_on=due_on,
                scheduled=scheduled,
                outcome=outcome,
                note=note,
                submission_key=submission_key or None,
            )
    except IntegrityError:
        # The same day, submitted twice at once: the other request recorded it.
        found = Occurrence.objects.filter(
            commitment=commitment, due_on=due_on, scheduled=scheduled
        ).first()
        if found is None:
            found = Occurrence.objects.get(submission_key=submission_key)
        return found
    _touch(commitment.case, actor)
    audit.record(
        actor,
        "retrust.occurrence.recorded",
        target=occurrence,
        case=commitment.case,
        details={"outcome": outcome, "due_on": due_on.isoformat()},
    )
    return occurrence


@transaction.atomic
def answer_occurrence(
    actor: Any, occurrence: Occurrence, *, verdict: str, note: str = ""
) -> Confirmation:
    """The other partner confirms an occurrence or says they saw it differently.

    A dispute stays a dispute: it is left out of the ledger and shown to the clinician.
    """
    require_partner(actor, occurrence.case)
    if occurrence.author_id == actor.pk:
        raise ActionError("Your partner confirms what you recorded; you can't confirm your own.")
    _open(occurrence.case)
    _shared(actor, occurrence.case)
    if verdict not in Verdict.values:
        raise ActionError("Choose confirm or “I saw it differently”.", "verdict")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ActionError(f"Please keep the note under {NOTE_MAX:,} characters.", "note")
    if verdict == Verdict.DISPUTED and not note:
        raise ActionError(
            "Say briefly how you saw it. Your partner and your clinician will read it.", "note"
        )
    existing = Confirmation.objects.filter(occurrence=occurrence).first()
    if existing is not None:
        if existing.verdict == verdict:
            return existing
        raise ActionError("You already answered this one. Talk it through together instead.")
    try:
        with transaction.atomic():
            confirmation = Confirmation.objects.create(
                occurrence=occurrence, partner=actor, verdict=verdict, note=note
            )
    except IntegrityError:
        return Confirmation.objects.get(occurrence=occurrence)
    _touch(occurrence.case, actor)
    audit.record(
        actor,
        f"retrust.occurrence.{verdict}",
        target=occurrence,
        case=occurrence.case,
    )
    return confirmation


MOST_DAYS_AT_ONCE = 31
REPLY_MAX = 1000


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


@transaction.atomic
def record_days(
    actor: Any, commitment: Commitment, *, outcomes: dict[date, str]
) -> list[Occurrence]:
    """The committer records several days at once, each kept or missed: all of them or none.

    Each day goes through ``record_occurrence``, so the rules are the same as for one day; a
    double submit finds every day already recorded the same way and changes nothing. A day that
    already holds a different record is not changed from here: nothing is saved, and the
    message names the day.
    """
    if not outcomes:
        raise ActionError("Choose kept or missed for at least one day.", "days")
    if len(outcomes) > MOST_DAYS_AT_ONCE:
        raise ActionError(f"Record at most {MOST_DAYS_AT_ONCE} days at once.", "days")
    recorded = []
    for day in sorted(outcomes):
        try:
            recorded.append(record_occurrence(actor, commitment, due_on=day, outcome=outcomes[day]))
        except AlreadyRecorded as exc:
            raise ActionError(
                f"{_day(day)} is already recorded as {exc.existing.get_outcome_display().lower()}"
                ". Nothing was saved: change that day on its own, then record the others.",
                "days",
            ) from exc
        except SharedWorkPaused:
            raise
        except ActionError as exc:
            raise ActionError(f"{_day(day)}: {exc.message} Nothing was saved.", "days") from exc
    return recorded


@transaction.atomic
def confirm_days(
    actor: Any, commitment: Commitment, *, occurrence_ids: list[int]
) -> list[Confirmation]:
    """The other partner confirms several recorded days of one commitment at once.

    All or none: each day goes through ``answer_occurrence``; confirming a day already
    confirmed changes nothing, so a double submit is harmless.
    """
    require_partner(actor, commitment.case)
    if not occurrence_ids:
        raise ActionError("Tick at least one day to confirm.", "occurrences")
    found = {
        occurrence.pk: occurrence
        for occurrence in Occurrence.objects.visible_to(actor)
        .filter(commitment=commitment, pk__in=occurrence_ids)
        .exclude(author_id=actor.pk)
        .select_related("case")
    }
    if len(found) != len(set(occurrence_ids)):
        raise ActionError(
            "One of the ticked days is no longer there to confirm. Nothing was saved.",
            "occurrences",
        )
    confirmations = []
    for pk in sorted(found, key=lambda pk: found[pk].due_on):
        occurrence = found[pk]
        try:
            confirmations.append(answer_occurrence(actor, occurrence, verdict=Verdict.CONFIRMED))
        except SharedWorkPaused:
            raise
        except ActionError as exc:
            raise ActionError(
                f"{_day(occurrence.due_on)}: {exc.message} Nothing was saved.", "occurrences"
            ) from exc
    return confirmations


@transaction.atomic
def reply_to_dispute(
    actor: Any, occurrence: Occurrence, *, body: str, submission_key: str = ""
) -> DisputeReply:
    """A partner adds a short reply under a day seen differently; both partners and the
    case's clinician read the thread. The software never settles it."""
    require_partner(actor, occurrence.case)
    _open(occurrence.case)
    _shared(actor, occurrence.case)
    disputed = Confirmation.objects.filter(occurrence=occurrence, verdict=Verdict.DISPUTED).exists()
    if not disputed:
        raise ActionError("Replies are for a day one of you saw differently.", "body")
    body = _text(body, "body", REPLY_MAX, "Write a few words first.")
    if submission_key:
        done = DisputeReply.objects.filter(submission_key=submission_key, author=actor).first()
        if done is not None:
            return done
    try:
        with transaction.atomic():
            reply = DisputeReply.objects.create(
                case=occurrence.case,
                author=actor,
                visibility=SHARED,
                occurrence=occurrence,
                body=body,
                submission_key=submission_key or None,
            )
    except IntegrityError:
        return DisputeReply.objects.get(submission_key=submission_key)
    _touch(occurrence.case, actor)
    audit.record(
        actor, "retrust.occurrence.dispute.replied", target=occurrence, case=occurrence.case
    )
    return reply


# --- breaches -----------------------------------------------------------------------------

ALERT_SUMMARY = "Several agreement breaches reported recently — consider a clarity conversation"


@transaction.atomic
def report_breach(
    actor: Any,
    agreement: Agreement,
    *,
    what_happened: str,
    happened_on: date,
    submission_key: str = "",
) -> BreachReport:
    """Either partner reports that an agreement was broken.

    When the case reaches the practice's number of reports within its period, the clinicians
    get one alert for that run of reports (``AgreementSettings``).
    """
    case = agreement.case
    require_partner(actor, case)
    _open(case)
    _shared(actor, case)
    if agreement.active_version_id is None:
        raise ActionError("Only an agreement you have both accepted can be reported as broken.")
    what_happened = _text(what_happened, "what_happened", TEXT_MAX, "Say what happened.")
    today = timezone.localdate()
    if happened_on > today:
        raise ActionError("Choose the day it happened — today or earlier.", "happened_on")
    if submission_key:
        done = BreachReport.objects.filter(submission_key=submission_key, author=actor).first()
        if done is not None:
            return done
    report = BreachReport.objects.create(
        case=case,
        author=actor,
        visibility=SHARED,
        agreement=agreement,
        what_happened=what_happened,
        happened_on=happened_on,
        submission_key=submission_key or None,
    )
    audit.record(
        actor,
        "retrust.breach.reported",
        target=report,
        case=case,
        details={"agreement": agreement.pk, "happened_on": happened_on.isoformat()},
    )
    _alert_on_repeated_breaches(case, today)
    return report


def _alert_on_repeated_breaches(case: Case, today: date) -> None:
    rules = AgreementSettings.for_practice(case.practice)
    since = today - timedelta(days=rules.breach_period_days)
    recent = list(
        BreachReport.objects.filter(case=case, happened_on__gt=since)
        .order_by("happened_on", "id")
        .values_list("id", flat=True)
    )
    if len(recent) < rules.breach_threshold:
        return
    from retrust.safety.actions import raise_alert

    # One alert per run: the key names the oldest report still inside the period.
    raise_alert(
        case,
        source="repeated_breaches",
        priority="normal",
        summary=ALERT_SUMMARY,
        dedupe_key=f"agreements.breaches:{case.pk}:{recent[0]}",
    )


@transaction.atomic
def respond_to_breach(
    actor: Any, report: BreachReport, *, response: str, text: str = ""
) -> BreachReport:
    """The other partner acknowledges and takes responsibility, or gives their view."""
    require_partner(actor, report.case)
    _open(report.case)
    _shared(actor, report.case)
    if report.author_id == actor.pk:
        raise ActionError("Your partner answers this report; you can add to it in a session.")
    if response not in BreachResponse.values:
        raise ActionError("Choose how you want to answer.", "response")
    text = (text or "").strip()
    if response == BreachResponse.VIEW and not text:
        raise ActionError("Write your view — a few sentences are enough.", "text")
    if len(text) > TEXT_MAX:
        raise ActionError(f"Please keep this under {TEXT_MAX:,} characters.", "text")
    report = BreachReport.objects.select_for_update().get(pk=report.pk)
    if report.responded_at is not None:
        if report.response == response and report.response_text == text:
            return report
        raise ActionError("You already answered this report.")
    report.response = response
    report.response_text = text
    report.responded_by = actor
    report.responded_at = timezone.now()
    report.save()
    audit.record(
        actor,
        "retrust.breach.answered",
        target=report,
        case=report.case,
        details={"response": response},
    )
    return report


@transaction.atomic
def update_agreement_settings(
    actor: Any, practice: Practice, *, breach_threshold: int, breach_period_days: int
) -> AgreementSettings:
    """A practice admin sets how many breach reports in how many days raise an alert."""
    from retrust.core.models import ClinicianMembership, PracticeRole

    if not ClinicianMembership.objects.filter(
        practice=practice, user=actor, role=PracticeRole.ADMIN
    ).exists():
        raise ActionError("Only a practice admin can change these settings.")
    if not 1 <= breach_threshold <= 50:
        raise ActionError("Choose a number of reports from 1 to 50.", "breach_threshold")
    if not 1 <= breach_period_days <= 365:
        raise ActionError("Choose a period from 1 to 365 days.", "breach_period_days")
    rules, _ = AgreementSettings.objects.get_or_create(practice=practice)
    old = {
        "breach_threshold": rules.breach_threshold,
        "breach_period_days": rules.breach_period_days,
    }
    rules.breach_threshold = breach_threshold
    rules.breach_period_days = breach_period_days
    rules.save()
    audit.record(
        actor,
        "retrust.agreement_settings.changed",
        target=rules,
        practice=practice,
        details={
            "old": old,
            "new": {"breach_threshold": breach_threshold, "breach_period_days": breach_period_days},
        },
    )
    return rules
