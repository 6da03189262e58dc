"""The program a couple works through: homework, answers, goals, stages, decisions, notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_fields.fields import EncryptedJSONField, EncryptedTextField

from retrust.core.models import Case, PartnerAuthored


class Assignment(models.Model):
    """An exercise the clinician gave as homework, with a due date.

    The exercise's sharing limits are copied here when it is assigned, so that a later edit of
    a content file never widens who sees answers already written. The default choice is one
    rule for every exercise (``content.DEFAULT_VISIBILITY``), not stored per assignment.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="program_assignments")
    exercise_id = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    # Empty: every partner in the case; otherwise the one partner it is for.
    for_role = models.CharField(max_length=16, blank=True, default="")
    reveal_together = models.BooleanField(default=False)
    maximum_visibility = models.CharField(max_length=16)
    due_on = models.DateField()
    note = models.TextField(blank=True, max_length=2000)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set once every partner it is for has submitted; reveal-together answers show from then.
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "exercise_id", "due_on", "for_role"], name="one_assignment_per_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (due {self.due_on})"


class ExerciseResponse(PartnerAuthored):
    """One partner's answers to one assignment: a draft until sent; once sent, its author may
    still change the words until the other partner could read them (``open_to_partner_at``)
    or the clinician has commented on them."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="responses")
    answers = EncryptedJSONField(default=dict)  # encrypted at rest, like journals
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The first moment the other partner could read the sent answers: shared "with both of us"
    # and, for reveal-together homework, revealed. From then on the author can no longer change
    # the words (narrowing who reads them later does not undo what was already open).
    open_to_partner_at = models.DateTimeField(null=True, blank=True)

    class Meta(PartnerAuthored.Meta):
        constraints = [
            models.UniqueConstraint(fields=["assignment", "author"], name="one_response_each")
        ]

    def __str__(self) -> str:
        return f"Answers by {self.author} to {self.assignment}"

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class ResponseComment(models.Model):
    """A clinician's comment on answers they may read."""

    response = models.ForeignKey(
        ExerciseResponse, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.created_at:%Y-%m-%d}"


class TrustGoal(PartnerAuthored):
    """One partner's own words for what trust would look like. One per partner per case."""

    body = EncryptedTextField(max_length=4000)

    class Meta(PartnerAuthored.Meta):
        constraints = [
            models.UniqueConstraint(fields=["case", "author"], name="one_trust_goal_each")
        ]


class GoalStatus(models.TextChoices):
    OPEN = "open", "Just started"
    PROGRESSING = "progressing", "Moving forward"
    REACHED = "reached", "Reached"
    SET_ASIDE = "set_aside", "Set aside for now"


class CaseGoal(models.Model):
    """A goal the clinician wrote with the couple, and how they will notice progress."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="program_goals")
    title = models.CharField(max_length=200)
    how_noticed = models.TextField(max_length=2000)
    status = models.CharField(max_length=16, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    review_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "title"], name="one_goal_per_title")]

    def __str__(self) -> str:
        return self.title


class ProposalState(models.TextChoices):
    OPEN = "open", "Waiting for confirmation"
    CARRIED = "carried", "Carried"
    WITHDRAWN = "withdrawn", "Withdrawn"


class StageProposal(models.Model):
    """The clinician's proposal to move on to the next stage, with a look back at the goals."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_proposals")
    track = models.CharField(max_length=16)
    from_stage = models.PositiveSmallIntegerField()
    to_stage = models.PositiveSmallIntegerField()
    goals_review = models.TextField(max_length=4000)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=ProposalState.choices, default="open")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state="open"),
                name="one_open_proposal_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Stage {self.from_stage} → {self.to_stage} ({self.get_state_display()})"


class StageConfirmation(models.Model):
    proposal = models.ForeignKey(
        StageProposal, on_delete=models.CASCADE, related_name="confirmations"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_confirmation_each")
        ]

    def __str__(self) -> str:
        return f"{self.user} confirmed proposal {self.proposal_id}"


class DiscernmentPath(models.TextChoices):
    STAY_AS_IS = "stay_as_is", "Stay as things are"
    SEPARATE = "separate", "Separate"
    COMMITTED_WORK = "committed_work", "A committed period of couples work"


class DiscernmentDecision(models.Model):
    """Where discernment work ended, and, if the couple part, the closing plan."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="discernment")
    path = models.CharField(max_length=16, choices=DiscernmentPath.choices)
    note = models.TextField(blank=True, max_length=4000)
    closing_plan = models.TextField(blank=True, max_length=8000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.get_path_display()


class AppreciationNote(PartnerAuthored):
    """A few warm words from one partner to the other, sent from a milestone card."""

    milestone_key = models.CharField(max_length=60)
    body = EncryptedTextField(max_length=2000)

    def __str__(self) -> str:
        return f"Appreciation note by {self.author}"


class DailyQuestionSettings(models.Model):
    """The clinician's choice for one case: the daily question on or off, and which decks.

    No row means the default: on, every deck (individual work has no daily question).
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="daily_question_settings"
    )
    enabled = models.BooleanField(default=True)
    decks = models.JSONField(default=list)  # deck keys; empty with enabled means every deck
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "daily question settings"

    def __str__(self) -> str:
        return f"Daily question for {self.case}: {'on' if self.enabled else 'off'}"


class DailyAnswer(PartnerAuthored):
    """One partner's answer to the day's question. Shared with the couple and revealed
    together: the other partner reads it once they have answered the same day too."""

    day = models.DateField()
    prompt_id = models.CharField(max_length=20)
    # The words the person answered, kept with the answer should the deck be reworded later.
    prompt_text = models.CharField(max_length=200)
    body = EncryptedTextField(max_length=500)

    class Meta(PartnerAuthored.Meta):
        ordering = ["-day", "author_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "author", "day"], name="one_daily_answer_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"Daily answer by {self.author} on {self.day}"
