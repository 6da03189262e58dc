"""A person's copies of their data, their requests to leave, and a practice's retention choices.

Nothing here holds clinical content except a prepared copy, which is encrypted at rest (like
journals), kept for a few days at most, and removed as soon as it is downloaded.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from encrypted_fields.fields import EncryptedTextField

from retrust.core.models import Practice

GRACE_DAYS = (7, 90)
RETENTION_YEARS = (1, 30)


class RetentionSettings(models.Model):
    """How long a practice waits before a deletion runs, and how long it keeps clinical records.

    Defaults: 14 days, in which the person can change their mind, and 7 years, a common minimum
    for adult health records. The practice sets both to what its own rules require.
    """

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="retention_settings"
    )
    grace_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(GRACE_DAYS[0]), MaxValueValidator(GRACE_DAYS[1])]
    )
    retention_years = models.PositiveSmallIntegerField(
        default=7,
        validators=[
            MinValueValidator(RETENTION_YEARS[0]),
            MaxValueValidator(RETENTION_YEARS[1]),
        ],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "retention settings"

    def __str__(self) -> str:
        return f"Retention settings of {self.practice_id}"

    @classmethod
    def for_practice(cls, practice: Practice) -> RetentionSettings:
        found = cls.objects.filter(practice=practice).first()
        return found if found is not None else cls(practice=practice)


class ExportStatus(models.TextChoices):
    PREPARING = "preparing", "Being prepared"
    READY = "ready", "Ready to download"
    DOWNLOADED = "downloaded", "Downloaded"
    EXPIRED = "expired", "No longer available"


OPEN_EXPORT = Q(status__in=[ExportStatus.PREPARING, ExportStatus.READY])


class DataExport(models.Model):
    """One copy of a person's data: prepared in the queue, downloaded once through a link."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(
        max_length=12, choices=ExportStatus.choices, default=ExportStatus.PREPARING
    )
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    # After this the prepared file is removed, downloaded or not.
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    # The ZIP file, base64, encrypted at rest; emptied on download or expiry.
    content = EncryptedTextField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    # The download link: only the SHA-256 of its token is stored; it works once, briefly.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Asking twice (a double click, two tabs) finds the copy already on its way.
            models.UniqueConstraint(fields=["user"], condition=OPEN_EXPORT, name="one_open_export")
        ]

    def __str__(self) -> str:
        return f"Data export {self.pk} ({self.status})"


class Departure(models.Model):
    """A person's request to delete their account, and what became of it.

    ``shred_after``: the end of the grace period, until which they can change their mind.
    ``hold_until``: the end of the retention period for their clinical records.
    Counts only, never content, in ``shredded`` and ``held``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="departures"
    )
    # The cases they were a partner in, and those left without a partner (filled at the shred).
    case_ids = models.JSONField(default=list)
    emptied_case_ids = models.JSONField(default=list)
    requested_at = models.DateTimeField(default=timezone.now)
    shred_after = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)
    hold_until = models.DateTimeField(null=True, blank=True)
    held_shredded_at = models.DateTimeField(null=True, blank=True)
    # When the tick last queued the next step (the shred, or the end of the hold).
    queued_at = models.DateTimeField(null=True, blank=True)
    shredded = models.JSONField(default=dict, blank=True)
    held = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(cancelled_at__isnull=True),
                name="one_departure_per_person",
            )
        ]
        indexes = [models.Index(fields=["shredded_at", "shred_after"])]

    def __str__(self) -> str:
        return f"Departure {self.pk}"

    @property
    def waiting(self) -> bool:
        """Requested, not cancelled, not yet carried out: the person can still change their mind."""
        return self.cancelled_at is None and self.shredded_at is None
