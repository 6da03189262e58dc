"""What a practice shows the public, and the consultation requests visitors send it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PracticePage(models.Model):
    """The texts a practice admin writes for its public page (Markdown, sanitised on display)."""

    practice = models.OneToOneField(
        "core.Practice", on_delete=models.CASCADE, related_name="public_page"
    )
    published = models.BooleanField(default=False)
    about = models.TextField(blank=True, max_length=4000)
    fees = models.TextField(blank=True, max_length=2000)
    contact = models.TextField(blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Public page of {self.practice}"


class ClinicianProfile(models.Model):
    """A clinician as the public page introduces them; listed only when the admin says so."""

    practice = models.ForeignKey(
        "core.Practice", on_delete=models.CASCADE, related_name="clinician_profiles"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    bio = models.TextField(blank=True, max_length=800)
    listed = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "user"], name="one_profile_per_practice")
        ]

    def __str__(self) -> str:
        return f"Profile {self.pk}"


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"


class LeaveMessage(models.TextChoices):
    YES = "yes", "Yes, a message is fine"
    NAME_ONLY = "name_only", "Only the practice's name and a request to call back"
    NO = "no", "No — please don't leave a message"


class EmailConfirmation(models.TextChoices):
    NOW = "now", "Yes, any time"
    WINDOW = "window", "Yes, but only between the times below"
    NO = "no", "No, please don't email me"


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    SCREENED = "screened", "Screened"
    OFFERED = "offered", "Consultation offered"
    BOOKED = "booked", "Booked"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsultationRequest(models.Model):
    """A visitor asks for an initial consultation. Seen only by the practice's staff."""

    practice = models.ForeignKey(
        "core.Practice", on_delete=models.CASCADE, related_name="consultation_requests"
    )
    name = models.CharField(max_length=80)
    contact_method = models.CharField(max_length=8, choices=ContactMethod.choices)
    contact = models.CharField(max_length=160)
    safe_times = models.CharField(max_length=200, blank=True)
    leave_message = models.CharField(max_length=12, choices=LeaveMessage.choices)
    # Whether, and when, the visitor said a short "we received your request" email is safe.
    # Only asked of someone who gave an email address; the window is the practice's local time.
    confirm_email = models.CharField(
        max_length=8, choices=EmailConfirmation.choices, default=EmailConfirmation.NO
    )
    email_from = models.TimeField(null=True, blank=True)
    email_until = models.TimeField(null=True, blank=True)
    trust_means = models.TextField(blank=True, max_length=1500)
    hopes = models.TextField(blank=True, max_length=1500)
    # Up to three times the visitor picked from the practice's free slots, as UTC ISO 8601
    # starts; empty when the practice has no session hours (then ``safe_times`` is all there is).
    preferred_slots = models.JSONField(default=list, blank=True)
    # Only when the visitor ticked "include my self-check answers"; otherwise empty.
    self_check = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default="new")
    # A partner's own part joins the first partner's request through a link only they were given;
    # the hash of that link's token lives on the first request until the partner uses it.
    joins = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="partner_parts"
    )
    partner_link_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # The invitation a clinician sent this person from the request: their goals go into their
    # intake when they accept it, and only then.
    invitation = models.OneToOneField(
        "core.Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_request",
    )
    # The case a clinician opened from this request, once they did.
    case = models.OneToOneField(
        "core.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_request",
    )
    # The form's one-time key: a double submit finds the first request instead of a second.
    submission_key = models.CharField(max_length=40)
    # A keyed hash of the sender's network address, for rate limiting; never the address itself.
    sender = models.CharField(max_length=64, db_index=True)
    # The same for the sender's network (/24 for IPv4, /48 for IPv6).
    network = models.CharField(max_length=64, db_index=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "submission_key"], name="one_request_per_submission"
            )
        ]

    def __str__(self) -> str:
        return f"Consultation request {self.pk}"


class RequestNote(models.Model):
    """A step in a request's life: who moved it, from where to where, and why."""

    request = models.ForeignKey(ConsultationRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=RequestStatus.choices)
    to_status = models.CharField(max_length=12, choices=RequestStatus.choices)
    text = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class Article(models.Model):
    """Something the practice publishes for visitors (Markdown, sanitised on display)."""

    practice = models.ForeignKey("core.Practice", on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=160)
    body = models.TextField(max_length=20000)
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


# --- the updates list: kept apart from clinical data, with no link to cases or accounts ------


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class Subscriber(models.Model):
    """An address on a practice's updates list (double opt-in). Not a person in retrust's sense:
    nothing links it to an account or a case."""

    practice = models.ForeignKey("core.Practice", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(max_length=254)
    status = models.CharField(
        max_length=12, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING
    )
    # Part of the signed confirmation link; a new sign-up after unsubscribing gets a new one,
    # so an old link can never put the address back on the list.
    nonce = models.CharField(max_length=32)
    signed_up_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Keyed hashes of the last sign-up's network address and network, for rate limiting.
    sender = models.CharField(max_length=64, db_index=True)
    network = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "email"], name="one_subscriber_per_address")
        ]
        indexes = [models.Index(fields=["practice", "status"])]

    def __str__(self) -> str:
        return f"Subscriber {self.pk}"


class PracticeUpdate(models.Model):
    """An update the practice admin wrote for the list (Markdown, sanitised in the email)."""

    practice = models.ForeignKey("core.Practice", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=20000)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The form's one-time key: a double submit finds the first update instead of sending twice.
    submission_key = models.CharField(max_length=40)
    # How many confirmed subscribers it was written out to (set by the task).
    recipients = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "submission_key"], name="one_update_per_submission"
            )
        ]

    def __str__(self) -> str:
        return self.subject
