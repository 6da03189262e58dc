"""State changes of the clinician workspace: session notes and track switches."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from retrust.clinic.models import NoteAddendum, SessionNote, TrackChange
from retrust.core import audit
from retrust.core.actions import ActionError, require_case_clinician
from retrust.core.models import Case, Track


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
) -> SessionNote:
    """Create or update a draft note; ``sign`` locks it for good."""
    require_case_clinician(actor, case)
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
    require_case_clinician(actor, note.case)
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
    require_case_clinician(actor, case)
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
