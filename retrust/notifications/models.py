"""The outbox, each person's notification choices, and a practice's message settings.

A ``Notification`` row exists once per (recipient, kind, subject, occasion): the tick may run
any number of times and never writes a second one. A worker claims a row by a conditional
update (pending → sending) so that two workers never send the same one.

Nothing here holds content: a row says *that* something of a kind waits for someone, and the
email it becomes says only that there is an update to sign in for.

A few kinds go to people who have no account (a visitor who asked for a consultation, someone on
a practice's updates list). Their rows name an address instead of a recipient, are unique per
(address, kind, subject, occasion) the same way, and travel through the same claim, retry and
give-up machinery; the app that owns the kind builds the email (``mail.register_address_mail``).
"""

from __future__ import annotations

import zoneinfo
from datetime import time
from functools import cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from retrust.core.models import Practice


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    SUPPRESSED = "suppressed", "Not emailed (in the app only)"


class Notification(models.Model):
    # A person with an account, or (for the kinds addressed to visitors) only an address.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    to_address = models.EmailField(blank=True, default="")
    # Whose neutral subject and sender name the email carries.
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    # What it is about: a content type and id, or a generic key; ``subject`` is the unique
    # spelling of either ("agreements.agreement:12" or "digest").
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=120)
    # Which time it is about: a version number, a round, a date, a phase ("round-3:overdue").
    occasion = models.CharField(max_length=60, blank=True, default="")

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # Why a row is suppressed: the kind is off, in-app only, or email is not safe for them.
    suppressed_reason = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject", "occasion"], name="one_notification_each"
            ),
            models.UniqueConstraint(
                fields=["to_address", "kind", "subject", "occasion"],
                condition=models.Q(recipient__isnull=True),
                name="one_address_notification_each",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(recipient__isnull=False, to_address="")
                    | (models.Q(recipient__isnull=True) & ~models.Q(to_address=""))
                ),
                name="a_recipient_or_an_address",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["recipient", "status"]),
            models.Index(fields=["practice", "status"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        whom = self.recipient_id if self.recipient_id is not None else "an address"
        return f"{self.kind} for {whom} ({self.status})"

    @property
    def address(self) -> str:
        """Where the email goes: the person's account address, or the one the row names."""
        if self.recipient_id is None:
            return self.to_address
        return self.recipient.email if self.recipient is not None else ""


class Channel(models.TextChoices):
    EMAIL = "email", "Email me, and show it in the app"
    IN_APP = "in_app", "Only in the app, never by email"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "As things happen"
    DIGEST = "digest", "Once a day, at the time below"


@cache
def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError("Choose a time zone from the list, for example Europe/London.")


def default_time_zone() -> str:
    return str(settings.TIME_ZONE)


def zone_named(name: str) -> zoneinfo.ZoneInfo:
    """The named time zone, or the server's when the name is unknown (a row from before a
    zone was renamed must not break a page)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(str(settings.TIME_ZONE))


class Preference(models.Model):
    """One person's choices about messages. A person without a row has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    digest_at = models.TimeField(default=time(8, 0))
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(
        max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification choices of {self.user_id}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zone_named(self.time_zone)

    @property
    def has_quiet_hours(self) -> bool:
        return (
            self.quiet_start is not None
            and self.quiet_end is not None
            and self.quiet_start != self.quiet_end
        )


class SwitchedOff(models.Model):
    """A kind this person asked not to be emailed about (settings page or unsubscribe link)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="switched_off_kinds"
    )
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_switch_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} off for {self.user_id}"


DEFAULT_NEUTRAL_SUBJECT = "You have a new update"
DEFAULT_SENDER_NAME = "Notifications"


class MessageSettings(models.Model):
    """How a practice's emails look from the outside: a neutral subject and sender name.

    Both are seen by anyone who glances at the recipient's inbox, so neither should say what
    the practice is or does unless the practice is sure that is safe for everyone.
    """

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="message_settings"
    )
    neutral_subject = models.CharField(max_length=120, default=DEFAULT_NEUTRAL_SUBJECT)
    sender_name = models.CharField(max_length=80, default=DEFAULT_SENDER_NAME)

    class Meta:
        verbose_name_plural = "message settings"

    def __str__(self) -> str:
        return f"Message settings of {self.practice_id}"
