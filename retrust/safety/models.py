"""Alerts: what a clinician should look at, raised by rules elsewhere in the product.

An alert is clinician-only, always: partners never see one, nor what raised it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_fields.fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField

from retrust.core.models import Case


class AlertPriority(models.TextChoices):
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"


class AlertSource(models.TextChoices):
    SAFETY_SCREEN = "safety_screen", "Safety screen"
    PHQ9_ITEM9 = "phq9_item9", "PHQ-9 item 9"
    RELIABLE_DETERIORATION = "reliable_deterioration", "Reliable deterioration"
    INACTIVITY = "inactivity", "Inactivity"
    REPEATED_BREACHES = "repeated_breaches", "Repeated agreement breaches"


class AlertQuerySet(models.QuerySet["Alert"]):
    def open(self) -> AlertQuerySet:
        return self.filter(acknowledged_at__isnull=True)


class Alert(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    # The partner the alert is about, if it is about one of them.
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    priority = models.CharField(max_length=8, choices=AlertPriority.choices)
    source = models.CharField(max_length=32, choices=AlertSource.choices)
    # One line for the clinician, e.g. "PHQ-9 item 9 answered 2". Never shown to partners, and
    # encrypted at rest: the line itself is a clinical signal.
    summary = EncryptedCharField(max_length=240)
    # What raised it (ids, not content), so the same event never raises two alerts.
    dedupe_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The clinician's note, encrypted at rest like session notes. Null stands for "none yet"
    # (the field stores no empty ciphertext).
    acknowledgement_note = EncryptedTextField(blank=True, null=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["acknowledged_at", "priority", "-created_at"]
        indexes = [models.Index(fields=["case", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} alert: {self.summary}"


class SafetyScreen(models.Model):
    """One partner's private answers to the safety questions. Clinician-only, always.

    Not a validated instrument: a prompt for the clinician's own conversation with each partner.
    The respondent sees a thank-you and resources afterwards, never their answers again here.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safety_screens")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    answers = EncryptedJSONField(default=dict)  # encrypted at rest
    positive = models.BooleanField(default=False)
    safe_to_message = models.BooleanField(default=True)
    # The form's one-time key: a double submit stores one screen.
    submission_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Safety screen {self.pk} in case {self.case_id}"


class CasePause(models.Model):
    """Couple-shared work on a case is paused until a clinician lifts it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    alert = models.ForeignKey(Alert, on_delete=models.SET_NULL, null=True, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The clinician's reason, encrypted at rest (null until the pause is lifted).
    lift_reason = EncryptedTextField(blank=True, null=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_open_pause_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Pause on case {self.case_id} since {self.started_at:%Y-%m-%d}"


class IndividualSession(models.Model):
    """The clinician saw one partner on their own (needed before a pause can be lifted)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="individual_sessions")
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seen_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-seen_on"]

    def __str__(self) -> str:
        return f"Individual session in case {self.case_id} on {self.seen_on}"


class CrisisResource(models.Model):
    """A place to get help now, listed in every page's footer link and on the help page."""

    practice = models.ForeignKey(
        "core.Practice", on_delete=models.CASCADE, related_name="crisis_resources"
    )
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True)
    text_line = models.CharField(max_length=80, blank=True)
    url = models.URLField(blank=True)
    hours = models.CharField(max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
