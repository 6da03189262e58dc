"""Session notes: the clinician's own record. Never shown to partners."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_fields.fields import EncryptedTextField

from retrust.core.models import Case


class SessionNote(models.Model):
    """A structured note (data, assessment, plan). A draft can change; a signed note cannot."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="session_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    session_date = models.DateField()
    # The booked session it records (attendees and length come from there); optional, since a
    # note may be about a session booked elsewhere.
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
    )
    # Encrypted at rest. Null stands for "left empty" (the field stores no empty ciphertext).
    data = EncryptedTextField("What happened", blank=True, null=True)
    assessment = EncryptedTextField("Your assessment", blank=True, null=True)
    plan = EncryptedTextField("Plan", blank=True, null=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-session_date", "-id"]

    def __str__(self) -> str:
        return f"Session note of {self.session_date} (case {self.case_id})"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class NoteAddendum(models.Model):
    """A correction or addition to a signed note; the note itself stays as signed."""

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Addendum to note {self.note_id}"


class TrackChange(models.Model):
    """A switch between conjoint, individual and discernment work, with the clinician's reason.

    The reason lives here (clinicians only), not in the audit log that practice admins read.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="track_changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    old_track = models.CharField(max_length=16)
    new_track = models.CharField(max_length=16)
    reason = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.old_track} → {self.new_track} (case {self.case_id})"


class CaseStatusChange(models.Model):
    """A move of the case's status (intake → active → maintenance → closed, or a reopening),
    with the clinician's reason.

    Like a track change's reason, this one lives here (clinicians only, encrypted at rest), not
    in the audit log that practice admins read.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    old_status = models.CharField(max_length=16)
    new_status = models.CharField(max_length=16)
    reason = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.old_status} → {self.new_status} (case {self.case_id})"
