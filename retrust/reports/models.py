"""A progress report asked for by one person: prepared in the queue, downloaded by them alone.

The PDF is kept encrypted at rest (it is clinical content) in the database, so any web process
can hand it out whichever worker rendered it, and only until it expires.
"""

from __future__ import annotations

import base64
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from encrypted_fields.fields import EncryptedTextField

from retrust.core.models import Case


class Version(models.TextChoices):
    CLINICIAN = "clinician", "For the clinician"
    COUPLE = "couple", "For the couple"


class State(models.TextChoices):
    PENDING = "pending", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be prepared"


class Report(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    version = models.CharField(max_length=16, choices=Version.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    # Set when a worker claims the job (a conditional update: one worker renders it).
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    # A short reason kind ("timeout", "error", "no access"), never content.
    failure = models.CharField(max_length=32, blank=True)
    # The PDF, base64 inside an encrypted text field; emptied when the report expires.
    content = EncryptedTextField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # A double click, or two tabs, make one job: one report being prepared per
            # person, case and version at a time.
            models.UniqueConstraint(
                fields=["case", "requested_by", "version"],
                condition=Q(state="pending"),
                name="one_pending_report_per_person",
            )
        ]
        indexes = [models.Index(fields=["requested_by", "case", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.get_version_display()} report of case {self.case_id} ({self.state})"

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def downloadable(self) -> bool:
        """Ready and not expired (the content is emptied only once a report has expired)."""
        return self.state == State.READY and not self.expired()

    @property
    def pdf(self) -> bytes:
        return base64.b64decode(self.content or "")

    def filename(self) -> str:
        day = (self.finished_at or self.requested_at).date().isoformat()
        return f"retrust-progress-{self.version}-case-{self.case_id}-{day}.pdf"
