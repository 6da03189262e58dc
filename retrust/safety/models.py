"""Alerts: what a clinician should look at, raised by rules elsewhere in the product.

An alert is clinician-only, always: partners never see one, nor what raised it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

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
    # One line for the clinician, e.g. "PHQ-9 item 9 answered 2". Never shown to partners.
    summary = models.CharField(max_length=240)
    # What raised it (ids, not content), so the same event never raises two alerts.
    dedupe_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["acknowledged_at", "priority", "-created_at"]
        indexes = [models.Index(fields=["case", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} alert: {self.summary}"
