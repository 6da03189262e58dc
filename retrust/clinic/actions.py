"""State changes of the clinician workspace: session notes, track switches, the case's status
and the practice's pause wording."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from retrust.clinic import case_status
from retrust.clinic.models import CaseStatusChange, NoteAddendum, SessionNote, TrackChange
from retrust.core import actions as core_actions
from retrust.core import audit, pause
from retrust.core.actions import ActionConflict, ActionError, require_case_clinician
from retrust.core.models import Case, Invitation, Practice, PracticeRole, Track
from retrust.safety.actions import require_open_case_clinician

# The longest wording a practice may set for a paused case (two or three short sentences).
PAUSE_WORDING_MAX = 600


@transaction.atomic
def save_note(
    actor: Any,
    case: Case,
    *,
    note: SessionNote | None,
    session_date: date | None,
    data: str,
    assessment: str,
    plan: str,
    sign: bool = False,
    appointment: int | None = None,
) -> SessionNote:
    """Create or update a draft note; ``sign`` locks it for good. ``appointment``: the id of
    the case's booked session the note records."""
    require_open_case_clinician(actor, case)
    if appointment is not None and not case.appointments.filter(pk=appointment).exists():
        raise ActionError("Choose one of this case's sessions.", "appointment")
    if session_date is None:
        raise ActionError("Enter the date of the session.", "session_date")
    if session_date > timezone.localdate():
        raise ActionError("The session date can't be in the future.", "session_date")
    if note is not None:
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.case_id != case.pk:
            raise ActionError("That note belongs to another case.")
        if note.is_signed:
            raise ActionError("This note is signed and can't change. Add an addendum instead.")
    if sign and not (data.strip() or assessment.strip() or plan.strip()):
        raise ActionError("Write something before signing the note.", "data")
    created = note is None
    if note is None:
        note = SessionNote(case=case, author=actor)
    note.session_date = session_date
    note.appointment_id = appointment
    note.data = data.strip()
    note.assessment = assessment.strip()
    note.plan = plan.strip()
    if sign:
        note.signed_at = timezone.now()
    note.save()
    action = "created" if created else "updated"
    audit.record(actor, f"retrust.session_note.{action}", target=note, case=case)
    if sign:
        audit.record(actor, "retrust.session_note.signed", target=note, case=case)
    return note


@transaction.atomic
def add_addendum(actor: Any, note: SessionNote, body: str) -> NoteAddendum:
    require_open_case_clinician(actor, note.case)
    if not note.is_signed:
        raise ActionError("This note is still a draft: edit it directly.")
    body = (body or "").strip()
    if not body:
        raise ActionError("Write the correction or addition first.", "body")
    addendum = NoteAddendum.objects.create(note=note, author=actor, body=body[:20_000])
    audit.record(actor, "retrust.session_note.addendum_added", target=addendum, case=note.case)
    return addendum


@transaction.atomic
def switch_track(actor: Any, case: Case, track: str, reason: str) -> Case:
    require_open_case_clinician(actor, case)
    if track not in Track.values:
        raise ActionError("Choose conjoint, individual or discernment.", "track")
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("Say briefly why the track changes.", "reason")
    old = case.track
    if old == track:
        return case
    case.track = track
    case.save(update_fields=["track", "updated_at"])
    change = TrackChange.objects.create(
        case=case, changed_by=actor, old_track=old, new_track=track, reason=reason[:4000]
    )
    audit.record(
        actor,
        "retrust.case.track.changed",
        target=change,
        case=case,
        details={"old": old, "new": track},
    )
    return case


@transaction.atomic
def change_status(actor: Any, case: Case, move: str, reason: str) -> Case:
    """Move the case along ``case_status.TABLE`` (its clinician only), with a reason.

    Closing withdraws pending invitations, so nobody joins a closed case; a closed case is
    read-only until reopened.
    """
    require_case_clinician(actor, case)
    case = Case.objects.select_for_update().select_related("practice").get(pk=case.pk)
    step = case_status.transition(case.status, move, case_status.Actor.CLINICIAN)
    if step is None:
        raise ActionConflict(
            f"This case is {case.get_status_display().lower()} now, so that step doesn't apply. "
            "The choices below are the ones open from here.",
            "move",
        )
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("Say briefly why the case moves on.", "reason")
    old = case.status
    case.status = step.to.value
    case.save(update_fields=["status", "updated_at"])
    change = CaseStatusChange.objects.create(
        case=case, changed_by=actor, old_status=old, new_status=case.status, reason=reason[:4000]
    )
    audit.record(
        actor,
        "retrust.case.status.changed",
        target=change,
        case=case,
        details={"old": old, "new": case.status},
    )
    if step.to is case_status.Status.CLOSED:
        for invitation in Invitation.objects.pending().filter(case=case):
            core_actions.withdraw_invitation(actor, invitation)
    return case


@transaction.atomic
def set_pause_wording(actor: Any, practice: Practice, wording: str) -> Practice:
    """The practice's neutral words for a paused case; empty brings back the product's own."""
    if not practice.memberships.filter(user=actor, role=PracticeRole.ADMIN).exists():
        raise ActionError("Only a practice admin can change this wording.")
    wording = " ".join((wording or "").split())
    if wording == pause.DEFAULT_SHOWN_MESSAGE:
        wording = ""  # the product's own words, kept up to date with the product
    if len(wording) > PAUSE_WORDING_MAX:
        raise ActionError(
            f"Keep it to {PAUSE_WORDING_MAX} characters or fewer: two or three short sentences.",
            "wording",
        )
    if wording == practice.pause_wording:
        return practice
    practice.pause_wording = wording
    practice.save(update_fields=["pause_wording"])
    audit.record(actor, "retrust.practice.pause_wording.changed", practice=practice)
    return practice
