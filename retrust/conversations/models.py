"""Structured conversations, breaks, hurtful-moment reviews and the trigger log.

Everything a partner writes here inherits ``PartnerAuthored`` and is read through
``visible_to(user)``. Conversations and their turns are always ``couple``; a review answer is
``private`` while a draft, ``clinician`` once its author is done, and becomes ``couple`` for
both answers at the moment the second partner is done (reveal together); a trigger entry is
``private`` unless its author shares it with the clinician.

What a partner writes that the other partner may not read (review answers, whose drafts are
private and whose finished answers wait for the reveal, and the whole trigger log) is encrypted
at rest, like journals: unreadable in a copied database without the keys. An empty optional
part is stored as NULL (the field type stores no ciphertext for an empty value).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_fields.fields import EncryptedTextField

from retrust.core.models import PartnerAuthored


class Phase(models.TextChoices):
    SPEAK = "speak", "The speaker shares their view"
    SUMMARISE = "summarise", "The listener sums up what they heard"
    CONFIRM = "confirm", "The speaker confirms or clarifies"


class Conversation(PartnerAuthored):
    """A speaker–listener conversation on one topic, opened by one partner."""

    topic = models.CharField(max_length=200)
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    listener = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.SPEAK)
    turn_count = models.PositiveIntegerField(default=0)
    # Denormalised from the latest Break so that a page knows "locked until" without a query.
    locked_until = models.DateTimeField(null=True, blank=True)
    # Set from the "open a conversation" form so that submitting it twice opens one, not two.
    creation_key = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta(PartnerAuthored.Meta):
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.topic

    def is_locked(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.locked_until is not None and self.locked_until > moment  # type: ignore[operator]


class TurnKind(models.TextChoices):
    STATEMENT = "statement", "Shared their view"
    SUMMARY = "summary", "Summed up what they heard"
    CLARIFICATION = "clarification", "Clarified"
    CONFIRMATION = "confirmation", "Confirmed: “yes, that's it”"


class Turn(PartnerAuthored):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=TurnKind.choices)
    body = models.TextField(max_length=5_000, blank=True)

    class Meta(PartnerAuthored.Meta):
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="one_turn_per_seq")
        ]

    def __str__(self) -> str:
        return f"Turn {self.seq} of {self.conversation_id}"


class Break(PartnerAuthored):
    """A pause either partner calls; the conversation is locked until ``returns_at``."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="breaks")
    returns_at = models.DateTimeField()

    class Meta(PartnerAuthored.Meta):
        pass

    def __str__(self) -> str:
        return f"Break until {self.returns_at:%Y-%m-%d %H:%M}"


class HurtfulMomentReview(PartnerAuthored):
    """A painful moment the couple revisits; each partner answers alone, revealed together."""

    title = models.CharField(max_length=200)
    revealed_at = models.DateTimeField(null=True, blank=True)
    creation_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    # A partner asked, once both had finished, to take this moment to the next session: the
    # clinician's case page lists it beside the next booked session.
    for_session_at = models.DateTimeField(null=True, blank=True)
    for_session_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The clinician marked it talked through in a session: it leaves the case page's list.
    talked_through_at = models.DateTimeField(null=True, blank=True)

    class Meta(PartnerAuthored.Meta):
        pass

    def __str__(self) -> str:
        return self.title


class ReviewAnswer(PartnerAuthored):
    """One partner's answer to a review: one part per question of ``ReviewAnswerForm``."""

    review = models.ForeignKey(
        HurtfulMomentReview, on_delete=models.CASCADE, related_name="answers"
    )
    felt = EncryptedTextField("What I felt", max_length=3_000, blank=True, null=True)
    my_view = EncryptedTextField(
        "My view of what happened", max_length=3_000, blank=True, null=True
    )
    your_view = EncryptedTextField(
        "A fair summary of your view", max_length=3_000, blank=True, null=True
    )
    past = EncryptedTextField(
        "What it touched from my past", max_length=3_000, blank=True, null=True
    )
    my_part = EncryptedTextField("My part, and my apology", max_length=3_000, blank=True, null=True)
    differently = EncryptedTextField(
        "One thing I will do differently", max_length=3_000, blank=True, null=True
    )
    done_at = models.DateTimeField(null=True, blank=True)

    PARTS = ("felt", "my_view", "your_view", "past", "my_part", "differently")

    class Meta(PartnerAuthored.Meta):
        constraints = [
            models.UniqueConstraint(fields=["review", "author"], name="one_answer_per_partner")
        ]

    def __str__(self) -> str:
        return f"Answer by {self.author_id} to review {self.review_id}"


class ReviewComment(models.Model):
    """A clinician's comment on a review; read by everyone who may read the review."""

    review = models.ForeignKey(
        HurtfulMomentReview, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=3_000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Comment on review {self.review_id}"


class TriggerEntry(PartnerAuthored):
    """A moment that set off the old hurt: what happened, how strong (0–10), what helped."""

    what_happened = EncryptedTextField(max_length=3_000)
    intensity = models.PositiveSmallIntegerField()
    what_helped = EncryptedTextField(max_length=3_000, blank=True, null=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    creation_key = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta(PartnerAuthored.Meta):
        verbose_name_plural = "trigger entries"
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"Trigger entry {self.pk}"
