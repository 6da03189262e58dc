"""Scheduled measures and each partner's responses.

A ``MeasureSchedule`` asks both partners of a case for one instrument at intake, every N
weeks, or before the next session. A ``MeasureResponse`` is one partner's answers to one round
of it: a draft while they answer (autosaved), then submitted. A submitted response is never
edited; a correction is a new response that supersedes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from retrust.assessments.fields import SealedJSONField
from retrust.core.models import Case, PartnerAuthored


class ScheduleKind(models.TextChoices):
    INTAKE = "intake", "Once, at intake"
    EVERY_N_WEEKS = "every_n_weeks", "Every few weeks"
    BEFORE_SESSION = "before_session", "Before the next session"


class MeasureSchedule(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measure_schedules")
    instrument_id = models.CharField(max_length=60)
    kind = models.CharField(max_length=16, choices=ScheduleKind.choices)
    every_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_on = models.DateField()
    next_session_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["instrument_id", "id"]
        constraints = [
            # Scheduling the same measure twice (a double submit) keeps one schedule.
            models.UniqueConstraint(
                fields=["case", "instrument_id"],
                condition=Q(ended_at__isnull=True),
                name="one_active_schedule_per_measure",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} for case {self.case_id} ({self.get_kind_display()})"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    SUPERSEDED = "superseded", "Corrected"


class MeasureResponse(PartnerAuthored):
    """One partner's answers to one round. Visibility is always ``clinician``: the respondent
    and the case's clinicians see item answers; the other partner never does."""

    schedule = models.ForeignKey(
        MeasureSchedule, on_delete=models.CASCADE, related_name="responses"
    )
    instrument_id = models.CharField(max_length=60)
    instrument_version = models.CharField(max_length=20)
    round_key = models.IntegerField()
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=ResponseStatus.choices, default="draft")
    # linkId -> printed value (or text / list of choices for unscored items). Encrypted at
    # rest like safety answers: item answers and intake stories are the most sensitive data.
    answers = SealedJSONField(default=dict)
    # scale id -> {"score", "complete", "band", "beyond_cutoff", ...} from scoring.score.
    scores = models.JSONField(default=dict)
    total = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=80, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The form's one-time key: submitting the same form twice stores one response.
    submission_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    class Meta(PartnerAuthored.Meta):
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "author", "round_key"],
                condition=Q(status="draft"),
                name="one_draft_per_round",
            ),
            models.UniqueConstraint(
                fields=["schedule", "author", "round_key"],
                condition=Q(status="submitted"),
                name="one_current_response_per_round",
            ),
        ]
        indexes = [models.Index(fields=["case", "status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.instrument_id} by {self.author_id} ({self.status})"


class TotalsSuggestion(models.Model):
    """The clinician suggests that the partners share their relationship totals with each other.

    Only a suggestion: each partner sees it and decides for themselves, one questionnaire at a
    time (``TotalsConsent``). Until a partner consents, nothing of theirs is shown to the other.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="totals_suggestion")
    suggested = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return (
            f"Sharing {'suggested' if self.suggested else 'not suggested'} in case {self.case_id}"
        )


class TotalsConsentQuerySet(models.QuerySet["TotalsConsent"]):
    def active(self) -> TotalsConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class TotalsConsent(models.Model):
    """One partner's choice to show the other partner their totals on one relationship measure.

    Stored with the exact words they agreed to and when; withdrawing keeps the row (with
    ``withdrawn_at``) and choosing again makes a new one, so the history of the choice stays.
    Individual measures never get one (``actions.set_totals_consent`` refuses).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="totals_consents")
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totals_consents"
    )
    instrument_id = models.CharField(max_length=60)
    wording = models.TextField()
    agreed_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = TotalsConsentQuerySet.as_manager()

    class Meta:
        ordering = ["agreed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "partner", "instrument_id"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_totals_consent",
            )
        ]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "active"
        return f"{self.instrument_id} totals shared by {self.partner_id} ({state})"
