"""Agreements with two-party consent, commitments, occurrences, confirmations and breaches.

Everything here is seen by both partners and the case's clinicians (``visibility="couple"``):
an agreement, a commitment or a breach report is, by its nature, something the couple shares.
Records are read through ``visible_to(user)`` like every other partner-authored record.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from retrust.core.models import PartnerAuthored, Practice

SHARED = "couple"


class Category(models.TextChoices):
    COMMUNICATION = "communication", "Communication"
    TRANSPARENCY = "transparency", "Transparency (phones, social media, messages)"
    EMOTIONAL_AVAILABILITY = "emotional_availability", "Emotional availability"
    THIRD_PARTY = "third_party", "Contact with a third party"
    TIME_WITH_OTHERS = "time_with_others", "Time with others"
    PERSONAL_SPACE = "personal_space", "Personal space and privacy"
    MONEY = "money", "Money"
    OTHER = "other", "Other"


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for an answer"
    ACTIVE = "active", "Active"
    DECLINED = "declined", "Declined"


class AgreementSettings(models.Model):
    """A practice's own numbers for agreements.

    Defaults: three breach reports within 30 days raise a "consider a clarity conversation"
    alert. They are a starting point for a practice to set, not a clinical cut-off; nothing in
    the literature this project starts from gives a number.
    """

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="agreement_settings"
    )
    breach_threshold = models.PositiveSmallIntegerField(
        default=3, help_text="How many breach reports within the period raise an alert."
    )
    breach_period_days = models.PositiveSmallIntegerField(
        default=30, help_text="The period, in days, over which breach reports are counted."
    )

    class Meta:
        verbose_name_plural = "agreement settings"

    def __str__(self) -> str:
        return f"Agreement settings of {self.practice}"

    @classmethod
    def for_practice(cls, practice: Practice) -> AgreementSettings:
        found = cls.objects.filter(practice=practice).first()
        return found if found is not None else cls(practice=practice)


class Agreement(PartnerAuthored):
    """A boundary or expectation the couple agree on. ``author`` is the first proposer.

    The wording lives in immutable ``AgreementVersion`` rows; this row only tracks where the
    conversation stands. ``latest_number`` is the optimistic-concurrency version: an amendment
    names the number it was based on, and loses if another got there first.
    """

    category = models.CharField(max_length=32, choices=Category.choices)
    status = models.CharField(
        max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.PROPOSED
    )
    latest_number = models.PositiveIntegerField(default=1)
    active_version = models.ForeignKey(
        "AgreementVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_on = models.DateField(null=True, blank=True)
    renegotiation_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    renegotiation_requested_at = models.DateTimeField(null=True, blank=True)
    creation_key = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta(PartnerAuthored.Meta):
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Agreement {self.pk} ({self.get_category_display()})"


class ImmutableQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Agreement versions are never changed; propose a new version instead.")


class AgreementVersion(models.Model):
    """One wording of an agreement. Never changed once written: a change is a new version."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=160)
    text = models.TextField(max_length=4000)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            # Two amendments based on the same version both try to write number n + 1: the
            # database lets exactly one of them in.
            models.UniqueConstraint(fields=["agreement", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Agreement versions are never changed; propose a new version instead.")
        super().save(*args, **kwargs)


class Decision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Consent(models.Model):
    """One partner's answer to one version: who, what, when. Proposing a version consents to it."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="consents")
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    reason = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "partner"], name="one_answer_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.decision} version {self.version_id}"


class AgreementNote(models.Model):
    """A clinician's note on an agreement, shown to both partners. A note is not consent."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on agreement {self.agreement_id}"


class ScheduleKind(models.TextChoices):
    ONCE = "once", "Once"
    DAILY = "daily", "Every day"
    WEEKDAYS = "weekdays", "On certain weekdays"
    EACH_TIME = "each_time", "Each time it applies"


class Commitment(PartnerAuthored):
    """A concrete, observable action one partner commits to. ``author`` is the committer."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="commitments"
    )
    action = models.CharField(max_length=240)
    schedule = models.CharField(max_length=16, choices=ScheduleKind.choices)
    weekdays = models.CharField(max_length=20, blank=True)
    starts_on = models.DateField()
    ended_at = models.DateTimeField(null=True, blank=True)
    creation_key = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta(PartnerAuthored.Meta):
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.action


class Outcome(models.TextChoices):
    KEPT = "kept", "Kept"
    MISSED = "missed", "Missed"


class Occurrence(PartnerAuthored):
    """One time a commitment was due, recorded by the committer (``author``) as kept or missed."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="occurrences")
    due_on = models.DateField()
    # Scheduled occurrences are one per day; "each time it applies" can come up many times.
    scheduled = models.BooleanField(default=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    note = models.TextField(max_length=2000, blank=True)
    submission_key = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta(PartnerAuthored.Meta):
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "due_on"],
                condition=models.Q(scheduled=True),
                name="one_scheduled_occurrence_per_day",
            )
        ]
        indexes = [models.Index(fields=["commitment", "due_on"])]

    def __str__(self) -> str:
        return f"{self.commitment} on {self.due_on}: {self.outcome}"


class Verdict(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    DISPUTED = "disputed", "Seen differently"


class Confirmation(models.Model):
    """The other partner's view of one occurrence: confirmed, or disputed with a note.

    A dispute is never resolved by the software; it is shown to the clinician.
    """

    occurrence = models.OneToOneField(
        Occurrence, on_delete=models.CASCADE, related_name="confirmation"
    )
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.verdict} occurrence {self.occurrence_id}"


class BreachResponse(models.TextChoices):
    RESPONSIBILITY = "responsibility", "Acknowledged and took responsibility"
    VIEW = "view", "Gave their view"


class BreachReport(PartnerAuthored):
    """A partner's report that an agreement was broken. ``author`` is the one who reports."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="breaches")
    what_happened = models.TextField(max_length=4000)
    happened_on = models.DateField()
    response = models.CharField(max_length=16, choices=BreachResponse.choices, blank=True)
    response_text = models.TextField(max_length=4000, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    submission_key = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta(PartnerAuthored.Meta):
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"Breach report on agreement {self.agreement_id}"


class DisputeReply(PartnerAuthored):
    """A short reply in the thread under a day seen differently: both partners write, the
    case's clinician reads. Always shared with the couple, like the day it answers."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(max_length=1000)
    submission_key = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta(PartnerAuthored.Meta):
        ordering = ["created_at", "id"]
        verbose_name_plural = "dispute replies"

    def __str__(self) -> str:
        return f"Reply by {self.author} on occurrence {self.occurrence_id}"
