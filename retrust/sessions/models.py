"""Appointments, clinicians' hours, a practice's session settings and private calendar feeds.

Times are stored as aware instants (UTC in the database). Weekly hours are wall-clock times in
the practice's time zone; each person reads times in their own zone (their notification
settings), falling back to the practice's.
"""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from retrust.core.models import Case, Practice
from retrust.notifications.models import zone_named


class Kind(models.TextChoices):
    CONJOINT = "conjoint", "Together (both partners)"
    INDIVIDUAL = "individual", "One partner on their own"
    CONSULTATION = "consultation", "First consultation"


class Location(models.TextChoices):
    VIDEO = "video", "Video"
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    ATTENDED = "attended", "Attended"
    MISSED = "missed", "Missed"


# Statuses that hold the clinician's time.
HOLDING = (Status.PROPOSED, Status.BOOKED)


def new_room_name() -> str:
    """An opaque room name: no names, no case numbers, nothing guessable."""
    return f"rt-{secrets.token_urlsafe(18)}"


def new_uid() -> str:
    return f"{secrets.token_hex(16)}@retrust"


class SessionSettings(models.Model):
    """A practice's rules for sessions. A practice without a row has the defaults."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="session_settings"
    )
    time_zone = models.CharField(max_length=64, default="Europe/London")
    # Partners may cancel themselves up to this many hours before the start; after that they
    # can still ask their clinician for a change.
    notice_hours = models.PositiveSmallIntegerField(default=24)
    default_minutes = models.PositiveSmallIntegerField(default=50)

    def __str__(self) -> str:
        return f"Session settings of {self.practice_id}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zone_named(self.time_zone)

    @property
    def notice(self) -> timedelta:
        return timedelta(hours=self.notice_hours)


def settings_for(practice: Practice | int) -> SessionSettings:
    practice_id = practice if isinstance(practice, int) else practice.pk
    found = SessionSettings.objects.filter(practice_id=practice_id).first()
    return found if found is not None else SessionSettings(practice_id=practice_id)


class WeeklyHours(models.Model):
    """A clinician is open for sessions on this weekday between these wall-clock times."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_hours"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="hours_end_after"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.clinician_id}: day {self.weekday} {self.start}–{self.end}"


class DayOff(models.Model):
    """A day that differs from the weekly hours: closed, or open only between two times."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="days_off"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # Both empty: closed all day. Both set: open only then.
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "start"]

    def __str__(self) -> str:
        return f"{self.clinician_id}: {self.day}"


class Appointment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="appointments")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments_led"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The partners taking part (both for a conjoint session, one for an individual one).
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="appointments", blank=True
    )
    start = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=50)
    location = models.CharField(max_length=12, choices=Location.choices, default=Location.VIDEO)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    room = models.CharField(max_length=40, unique=True, default=new_room_name)
    uid = models.CharField(max_length=60, unique=True, default=new_uid)
    # The iCalendar SEQUENCE: bumped on every change participants' calendars must take in.
    sequence = models.PositiveIntegerField(default=0)
    # A partner asked for another time (the clinician sees it on their week view).
    change_requested_at = models.DateTimeField(null=True, blank=True)
    change_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set from the booking form so that submitting it twice books once.
    booking_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["clinician", "start"]),
            models.Index(fields=["case", "start"]),
        ]
        constraints = [
            # Two requests booking the same start at once: the database lets one win.
            models.UniqueConstraint(
                fields=["clinician", "start"],
                condition=Q(status__in=["proposed", "booked"]),
                name="one_booking_per_clinician_start",
            )
        ]

    def __str__(self) -> str:
        return f"Appointment {self.pk} ({self.kind}, {self.status})"

    @property
    def end(self) -> Any:
        return self.start + timedelta(minutes=self.minutes)

    @property
    def is_upcoming(self) -> bool:
        return self.status in HOLDING and self.end > timezone.now()


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A private subscription feed at a secret address. Only the token's SHA-256 is kept.

    Revoking deletes the row; making a new one replaces the old address.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"


class VideoLink(models.Model):
    """A practice without Jitsi: one fixed video link of a clinician's own, shown at join time."""

    clinician = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="video_link"
    )
    url = models.URLField(max_length=300)

    def __str__(self) -> str:
        return f"Video link of {self.clinician_id}"
