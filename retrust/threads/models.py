"""Secure messages: each partner's private thread with the clinician, and the couple's thread.

Who may read a message is decided once, by its thread: a ``Thread`` is a partner-authored record
whose visibility is the thread's audience, so the one rule table (``core.rules.SEES``, through
``visible_to``) decides. A partner's private thread is ``clinician`` visibility owned by that
partner (the author and the case's clinicians); the couple's thread is ``couple`` (both partners
and the clinicians). A message has no audience of its own: whoever writes it, a clinician's
reply in Ari's private thread is Ari's thread's, so Bo never reads it.

Message text is encrypted at rest, like journals: unreadable in a copied database without the
keys.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from encrypted_fields.fields import EncryptedTextField

from retrust.core.models import PartnerAuthored, Practice

MESSAGE_MAX = 5_000


class ThreadKind(models.TextChoices):
    PRIVATE = "private", "A partner and the clinician"
    COUPLE = "couple", "Both partners and the clinician"


class ThreadQuerySet(models.QuerySet["Thread"]):
    def visible_to(self, user: object) -> ThreadQuerySet:
        from retrust.core import policy

        return self.filter(policy.visible_records_q(user))


class Thread(PartnerAuthored):
    """One conversation with the clinician. Its ``visibility`` is its audience.

    ``author`` is the partner whose private thread it is; for the couple's thread, whoever
    opened it (the first to write), so that the pause's "what a held partner wrote since"
    rule (``pause.held_q``) never hides the thread itself from the other partner: a held
    partner cannot open it.
    """

    kind = models.CharField(max_length=8, choices=ThreadKind.choices)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # Since when a partner's words wait for a clinician's answer; cleared when one answers.
    waiting_since = models.DateTimeField(null=True, blank=True)

    objects = ThreadQuerySet.as_manager()

    class Meta(PartnerAuthored.Meta):
        ordering = ["kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "author"],
                condition=Q(kind="private"),
                name="one_private_thread_per_partner",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(kind="couple"), name="one_couple_thread_per_case"
            ),
        ]
        indexes = [models.Index(fields=["case", "waiting_since"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} thread in case {self.case_id}"


class MessageQuerySet(models.QuerySet["Message"]):
    def visible_to(self, user: object) -> MessageQuerySet:
        """Messages in threads this person may read: the thread's audience decides."""
        return self.filter(thread__in=Thread.objects.visible_to(user))


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = EncryptedTextField(max_length=MESSAGE_MAX)
    # Set by the form (or an API client) so that sending twice writes one message. NULL, not
    # "", when absent: messages without a token never clash in the unique constraint.
    client_token = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "client_token"], name="one_message_per_token")
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in thread {self.thread_id}"


class ReadMarker(models.Model):
    """How far one person has read one thread: messages after ``last_read_id`` are new to them."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.PositiveBigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="one_read_marker_each")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} up to {self.last_read_id}"


DEFAULT_NOTICE = (
    "Messages are not for emergencies. If you are in danger or thinking about harming "
    "yourself, please call your local emergency number now."
)
DEFAULT_REPLY_TIME = "Your clinician usually answers within two working days."


class ThreadSettings(models.Model):
    """What a practice says above every message box: not for emergencies, and when to expect
    an answer. Empty means the product's own wording."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="thread_settings"
    )
    notice = models.TextField(max_length=600, blank=True, default="")
    reply_time = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name_plural = "thread settings"

    def __str__(self) -> str:
        return f"Message settings of {self.practice_id}"

    @property
    def notice_text(self) -> str:
        return self.notice.strip() or DEFAULT_NOTICE

    @property
    def reply_time_text(self) -> str:
        return self.reply_time.strip() or DEFAULT_REPLY_TIME

    @classmethod
    def for_practice(cls, practice: Practice) -> ThreadSettings:
        found = cls.objects.filter(practice=practice).first()
        return found if found is not None else cls(practice=practice)
