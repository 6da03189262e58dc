"""Practices, people, cases, invitations, partner-authored records and the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from encrypted_fields.fields import EncryptedTextField

from retrust.core.rules import Visibility


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: a partner, a clinician or a practice admin. Email is the login."""

    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=120, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped by "sign out everywhere": every session signed with the old value stops working.
    session_generation = models.PositiveIntegerField(default=0)
    # Set when the person's private safety screen says email isn't safe for them where they
    # live; cleared only by their clinician, with them in session. While set, retrust emails
    # them nothing (retrust.core.messaging.may_email).
    messages_unsafe_since = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "retrust.core.models.User.session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Practice(models.Model):
    """A tenant: one therapy practice, its clinicians and its cases."""

    name = models.CharField(max_length=160)
    slug = models.SlugField(unique=True)
    inactivity_alert_days = models.PositiveSmallIntegerField(default=14)
    # What both partners read once their clinician moves a paused case to individual sessions
    # (``core.pause.message_for``); empty means the product's own neutral wording.
    pause_wording = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class PracticeRole(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    ADMIN = "admin", "Practice admin"


class ClinicianMembership(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=PracticeRole.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="one_membership_per_practice")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.practice}"


class CaseStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    INTAKE = "intake", "Intake"
    ACTIVE = "active", "Active"
    MAINTENANCE = "maintenance", "Maintenance"
    CLOSED = "closed", "Closed"


class Track(models.TextChoices):
    CONJOINT = "conjoint", "Conjoint (both partners)"
    INDIVIDUAL = "individual", "Individual (one partner for now)"
    DISCERNMENT = "discernment", "Discernment (clarity about the future)"


class PartnerRole(models.TextChoices):
    PARTNER_A = "partner_a", "Partner A"
    PARTNER_B = "partner_b", "Partner B"


class Case(models.Model):
    """One couple's, or one person's, episode of care."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="cases")
    label = models.CharField(
        max_length=120, help_text="A short name the clinician recognises, e.g. 'Sam and Alex'."
    )
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default="invited")
    track = models.CharField(max_length=16, choices=Track.choices, default="conjoint")
    stage = models.PositiveSmallIntegerField(default=0)
    clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="assigned_cases", blank=True
    )
    # Set from the "open a case" form so that submitting it twice opens one case, not two.
    creation_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The pause of couple-shared work (the gate lives in ``retrust.core.pause``; the safety app
    # starts and lifts it). Until the clinician has acted (``pause_shown_at``) only the partner
    # whose answer paused the case (``pause_held_for``) is held, so the timing of a disclosure
    # shows nothing to the other partner.
    paused_since = models.DateTimeField(null=True, blank=True)
    pause_held_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pause_shown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.label


class CaseMember(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_memberships"
    )
    role = models.CharField(max_length=16, choices=PartnerRole.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    last_active_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "role"], name="one_partner_per_role"),
            models.UniqueConstraint(fields=["case", "user"], name="one_role_per_person"),
        ]
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class InvitationRole(models.TextChoices):
    PARTNER_A = "partner_a", "Partner A"
    PARTNER_B = "partner_b", "Partner B"
    CLINICIAN = "clinician", "Clinician"
    ADMIN = "admin", "Practice admin"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A single-use link that lets one person join a case (as a partner) or a practice.

    Only the SHA-256 of the token is stored; the token itself exists in the link alone.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="invitations")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    role = models.CharField(max_length=16, choices=InvitationRole.choices)
    email = models.EmailField()
    display_name = models.CharField(max_length=120, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} as {self.get_role_display()}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_partner_invitation(self) -> bool:
        return self.role in (InvitationRole.PARTNER_A, InvitationRole.PARTNER_B)

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class PartnerAuthoredQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> PartnerAuthoredQuerySet:
        from retrust.core import policy

        return self.filter(policy.visible_records_q(user))


class PartnerAuthored(models.Model):
    """Base for everything a partner writes: who wrote it, in which case, and who may see it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    visibility = models.CharField(
        max_length=16, choices=[(v.value, v.label) for v in Visibility], default="private"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerAuthoredQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class JournalEntry(PartnerAuthored):
    """A partner's own note: private by default, shareable with the clinician or the couple."""

    # Encrypted at rest: unreadable in a copied database without the keys.
    body = EncryptedTextField(max_length=10_000)

    class Meta(PartnerAuthored.Meta):
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"Journal entry by {self.author} on {self.created_at:%Y-%m-%d}"


class JournalReadMark(models.Model):
    """The other partner's "I read this" on an entry shared with both: a nod, not a reply."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="read_marks")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "reader"], name="one_read_mark_each")
        ]

    def __str__(self) -> str:
        return f"{self.reader} read journal entry {self.entry_id}"


class HeldRecord(models.Model):
    """A "both of us" record its author wrote before the other partner joined the case.

    Joining never widens what someone wrote (DESIGN.md "Who sees what"): when a partner joins
    later, every earlier couple record of the other partner is narrowed to its author and the
    clinician and listed here, until its author chooses again (``decided_at``). Any
    ``PartnerAuthored`` model can be listed, so the row names the model by its label.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    newcomer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    record_type = models.CharField(max_length=100)  # the model's label, e.g. "core.journalentry"
    record_id = models.PositiveBigIntegerField()
    held_at = models.DateTimeField(default=timezone.now)
    # When the author chose again who sees it (showing it to the newcomer, or anything else).
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["held_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id"], name="held_once")
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id} held from {self.newcomer_id}"


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One thing that happened. Rows are only ever added, never changed or removed."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    practice = models.ForeignKey(
        Practice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    request_id = models.CharField(max_length=40, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # A partner's private activity (a private entry written, a draft saved): kept, but shown
    # to neither the case's clinician nor the practice admin (retrust.core.audit).
    private = models.BooleanField(default=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["practice", "-created_at"]),
            # The case timeline: one case's newest rows first, read a page at a time.
            models.Index(fields=["case", "-created_at", "-id"], name="core_audit_case_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")


def token_expiry() -> Any:
    """When a token made now stops working: ``RETRUST_API_TOKEN_DAYS`` from now."""
    return timezone.now() + timedelta(days=settings.RETRUST_API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored.

    A token stops working when it expires, and every token of a person is revoked when they
    sign out everywhere or their password changes or is reset.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=token_expiry)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API token {self.name!r} of {self.user}"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Heartbeat(models.Model):
    """When a background process last proved it runs (``/healthz`` reads these).

    ``tick``: the last tick that ran. ``worker``: the last heartbeat task a worker ran, with how
    long that task waited in the queue (``lag_seconds``), which is the queue's lag then.
    """

    name = models.CharField(max_length=40, primary_key=True)
    beat_at = models.DateTimeField()
    lag_seconds = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"
