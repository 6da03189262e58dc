"""Raising and acknowledging alerts. Other apps call ``raise_alert`` from their own actions."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from retrust.core import audit, pause, policy
from retrust.core.actions import (
    ActionConflict,
    ActionError,
    mark_messages_unsafe,
    require_case_clinician,
)
from retrust.core.models import Case, CaseStatus, Practice
from retrust.safety import screen
from retrust.safety.models import (
    Alert,
    AlertPriority,
    AlertSource,
    CasePause,
    CrisisResource,
    IndividualSession,
    SafetyScreen,
)

# Alerts from these sources pause couple-shared work until the clinician lifts the pause.
PAUSING_SOURCES = frozenset({AlertSource.SAFETY_SCREEN, AlertSource.PHQ9_ITEM9})

CLOSED_FOR_CLINICIAN = "This case is closed, so it is read-only. Reopen it to make changes."


def require_open_case(case: Case, message: str = CLOSED_FOR_CLINICIAN) -> None:
    """A closed case is read-only (``CaseAccess.is_closed`` hides the forms on the same rule).

    Reads the status afresh: the case may have been closed since the caller loaded it.
    """
    if Case.objects.filter(pk=case.pk, status=CaseStatus.CLOSED).exists():
        raise ActionConflict(message)


def require_open_case_clinician(actor: Any, case: Case, message: str | None = None) -> None:
    """The guard of every clinician action that changes a case: its clinician, case open."""
    if message is None:
        require_case_clinician(actor, case)
    else:
        require_case_clinician(actor, case, message)
    require_open_case(case)


@transaction.atomic
def raise_alert(
    case: Case,
    *,
    source: str,
    priority: str,
    summary: str,
    dedupe_key: str,
    partner: Any = None,
) -> Alert:
    """Create an alert once per ``dedupe_key``; raising the same event again returns the first."""
    if source not in AlertSource.values:
        raise ValueError(f"Unknown alert source {source!r}")
    if priority not in AlertPriority.values:
        raise ValueError(f"Unknown alert priority {priority!r}")
    existing = Alert.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                case=case,
                partner=partner,
                source=source,
                priority=priority,
                summary=summary[:240],
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return Alert.objects.get(dedupe_key=dedupe_key)
    # No source or priority in the details: practice admins read the audit log, and "a safety
    # screen raised a high alert" is clinical content they must not learn. The alert row
    # (clinicians only) holds both.
    audit.record(None, "retrust.alert.raised", target=alert, case=case)
    if priority == AlertPriority.HIGH and source in PAUSING_SOURCES:
        _pause(case, alert)
    return alert


def _pause(case: Case, alert: Alert) -> None:
    if not pause.start(case, held_for=alert.partner):
        # Already paused (perhaps by another alert at the same moment): one pause is enough,
        # and the screen that raised this alert must still be stored.
        return
    record = CasePause.objects.create(case=case, alert=alert)
    audit.record(None, "retrust.case.pause.started", target=record, case=case)


# --- private screening --------------------------------------------------------------------


@transaction.atomic
def submit_screen(respondent: Any, case: Case, answers: dict[str, str], key: str) -> SafetyScreen:
    """Store one partner's answers (once per form key) and raise what they call for."""
    if not policy.is_partner(respondent, case):
        raise ActionError("Only a partner in this case can answer these questions.")
    require_open_case(
        case,
        "This case is closed, so there is nothing to answer here now. The crisis resources "
        "on the help page are always there for you.",
    )
    if not key or len(key) > 40:
        raise ActionError("This form has expired. Reload the page and answer again.")
    existing = SafetyScreen.objects.filter(submission_key=key).first()
    if existing is not None:
        if existing.respondent_id != respondent.pk:
            raise ActionError("This form has expired. Reload the page and answer again.")
        return existing
    try:
        reading = screen.read(answers)
    except ValueError as exc:
        raise ActionError("Please answer every question — any answer is fine.") from exc
    clean = {qid: answers[qid] for qid in screen.QUESTION_IDS}
    try:
        with transaction.atomic():
            record = SafetyScreen.objects.create(
                case=case,
                respondent=respondent,
                answers=clean,
                positive=reading.positive,
                safe_to_message=reading.safe_to_message,
                submission_key=key,
            )
    except IntegrityError:
        return SafetyScreen.objects.get(submission_key=key, respondent=respondent)
    # The audit row says that a screen happened, never what it said.
    audit.record(respondent, "retrust.safety.screen.submitted", target=record, case=case)
    if not reading.safe_to_message:
        mark_messages_unsafe(respondent, case)
    if reading.needs_conversation:
        raise_alert(
            case,
            source=AlertSource.SAFETY_SCREEN,
            priority=AlertPriority.HIGH if reading.positive else AlertPriority.NORMAL,
            summary=(
                "Safety screen: a concern was answered yes — see each partner alone."
                if reading.positive
                else "Safety screen: a partner was unsure about a concern — worth a private talk."
            ),
            dedupe_key=f"safety_screen:{record.pk}",
            partner=respondent,
        )
    return record


# --- lifting the pause --------------------------------------------------------------------


@transaction.atomic
def record_individual_session(
    actor: Any, case: Case, partner: Any, seen_on: Any
) -> IndividualSession:
    require_open_case_clinician(actor, case)
    if not policy.is_partner(partner, case):
        raise ActionError("Choose one of this case's partners.", "partner")
    if seen_on is None or seen_on > timezone.localdate():
        raise ActionError("Enter the date you saw them — today or earlier.", "seen_on")
    session, created = IndividualSession.objects.get_or_create(
        case=case, partner=partner, seen_on=seen_on, defaults={"recorded_by": actor}
    )
    if created:
        audit.record(
            actor,
            "retrust.case.individual_session.recorded",
            target=session,
            case=case,
            details={"partner_id": partner.pk, "seen_on": seen_on.isoformat()},
        )
    return session


def partners_not_yet_seen(case: Case, pause: CasePause) -> list[Any]:
    """Partners with no individual session recorded on or after the day the pause began."""
    seen = set(
        IndividualSession.objects.filter(
            case=case, seen_on__gte=timezone.localdate(pause.started_at)
        ).values_list("partner_id", flat=True)
    )
    return [m.user for m in case.members.select_related("user") if m.user_id not in seen]


def awaiting_framing(case: Case) -> bool:
    """Paused, and the clinician has not yet told both partners (only the held partner knows).

    The case page offers "move to individual sessions" on the same rule the action enforces.
    """
    return case.paused_since is not None and case.pause_shown_at is None


@transaction.atomic
def move_to_individual_sessions(actor: Any, case: Case) -> Case:
    """The clinician has acted: both partners now read the practice's neutral wording.

    Until this moment the other partner saw no change at all, so that the timing of a
    disclosure tells them nothing (``core.pause``). The audit row names the step only: no
    alert, no screen, no wording.
    """
    require_open_case_clinician(actor, case)
    case = Case.objects.select_for_update().select_related("practice").get(pk=case.pk)
    if case.paused_since is None:
        raise ActionConflict("Shared work on this case is not paused any more.")
    if case.pause_shown_at is not None:
        return case  # already told (another tab, a double submit): nothing more to do
    pause.show(case)
    audit.record(actor, "retrust.case.pause.shown", case=case)
    return case


@transaction.atomic
def lift_pause(actor: Any, case: Case, reason: str) -> CasePause:
    require_open_case_clinician(actor, case)
    record = CasePause.objects.select_for_update().filter(case=case, lifted_at__isnull=True).first()
    if record is None:
        raise ActionConflict("Shared work on this case is not paused.")
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("Say briefly why it is safe to resume shared work.", "reason")
    unseen = partners_not_yet_seen(case, record)
    if unseen:
        names = ", ".join(user.name for user in unseen)
        raise ActionError(
            f"Record an individual session with each partner first (still to see: {names})."
        )
    record.lifted_at = timezone.now()
    record.lifted_by = actor
    record.lift_reason = reason[:4000]
    record.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    pause.end(case)
    audit.record(actor, "retrust.case.pause.lifted", target=record, case=case)
    return record


# --- crisis resources ---------------------------------------------------------------------


@transaction.atomic
def add_crisis_resource(actor: Any, practice: Practice, **fields: Any) -> CrisisResource:
    if not practice.memberships.filter(user=actor, role="admin").exists():
        raise ActionError("Only a practice admin can change the crisis resources.")
    name = (fields.get("name") or "").strip()
    if not name:
        raise ActionError("Give the resource a name.", "name")
    if not any((fields.get(k) or "").strip() for k in ("phone", "text_line", "url")):
        raise ActionError("Add at least a phone number, a text line or a web address.", "phone")
    resource = CrisisResource.objects.create(
        practice=practice,
        name=name,
        phone=(fields.get("phone") or "").strip(),
        text_line=(fields.get("text_line") or "").strip(),
        url=(fields.get("url") or "").strip(),
        hours=(fields.get("hours") or "").strip(),
        position=practice.crisis_resources.count(),
    )
    audit.record(actor, "retrust.crisis_resource.added", target=resource, practice=practice)
    return resource


@transaction.atomic
def remove_crisis_resource(actor: Any, resource: CrisisResource) -> None:
    if not resource.practice.memberships.filter(user=actor, role="admin").exists():
        raise ActionError("Only a practice admin can change the crisis resources.")
    audit.record(
        actor,
        "retrust.crisis_resource.removed",
        practice=resource.practice,
        details={"name": resource.name},
    )
    resource.delete()


@transaction.atomic
def acknowledge_alert(actor: Any, alert: Alert, note: str) -> Alert:
    """A case clinician marks an alert as seen, with a note saying what they did."""
    require_open_case_clinician(
        actor, alert.case, "Only the case's clinicians can acknowledge its alerts."
    )
    note = (note or "").strip()
    if not note:
        raise ActionError("Add a short note on what you did or decided.", "note")
    if alert.acknowledged_at is not None:
        return alert
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.acknowledgement_note = note[:4000]
    alert.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note"])
    audit.record(actor, "retrust.alert.acknowledged", target=alert, case=alert.case)
    return alert
