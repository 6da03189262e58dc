"""The only code that changes the front door's state."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from retrust.core import actions as core_actions
from retrust.core import audit
from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import (
    Case,
    ClinicianMembership,
    Invitation,
    InvitationRole,
    Practice,
    PracticeRole,
    User,
)
from retrust.core.rules import Visibility
from retrust.frontdoor import emails, selfcheck
from retrust.frontdoor.models import (
    Article,
    ClinicianProfile,
    ConsultationRequest,
    ContactMethod,
    EmailConfirmation,
    PracticePage,
    PracticeUpdate,
    RequestNote,
    RequestStatus,
    Subscriber,
    SubscriberStatus,
)
from retrust.notifications.actions import write_to_address, write_to_addresses
from retrust.notifications.tasks import enqueue_sending
from retrust.notifications.timing import quiet_hours_end
from retrust.program.actions import write_trust_goal
from retrust.sessions import actions as sessions_actions
from retrust.sessions.models import SessionSettings, settings_for

# How many requests one network address may send to one practice in a window.
RATE_LIMIT = 3
# How many from one network (a shared office or a flood rotating addresses) in the same window.
NETWORK_RATE_LIMIT = 10
RATE_WINDOW = timedelta(hours=1)
# Where a request may go next. A note alone (same status) is always allowed while it is open.
NEXT: dict[str, tuple[str, ...]] = {
    RequestStatus.NEW: (RequestStatus.SCREENED, RequestStatus.DECLINED, RequestStatus.WITHDRAWN),
    RequestStatus.SCREENED: (
        RequestStatus.OFFERED,
        RequestStatus.DECLINED,
        RequestStatus.WITHDRAWN,
    ),
    RequestStatus.OFFERED: (RequestStatus.BOOKED, RequestStatus.DECLINED, RequestStatus.WITHDRAWN),
    RequestStatus.BOOKED: (),
    RequestStatus.DECLINED: (),
    RequestStatus.WITHDRAWN: (),
}
RATE_LIMIT_MESSAGE = (
    "We've already received several requests from this connection in the last hour, so we "
    "can't take another just now. Please try again later, or use the practice's contact "
    "details on its page."
)


def sender_hash(address: str) -> str:
    """A keyed hash of a network address: enough to count requests, useless to identify."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"frontdoor:{address}".encode(), hashlib.sha256).hexdigest()


def network_of(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) an address belongs to; the address itself if unparsable."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@transaction.atomic
def save_practice_page(actor: User, practice: Practice, **texts: Any) -> PracticePage:
    page, _ = PracticePage.objects.select_for_update().get_or_create(practice=practice)
    for name in ("published", "about", "fees", "contact"):
        setattr(page, name, texts[name])
    page.save()
    audit.record(
        actor,
        "retrust.practice.public_page.saved",
        target=page,
        practice=practice,
        details={"count": int(page.published)},
    )
    return page


@transaction.atomic
def save_clinician_profile(
    actor: User, practice: Practice, *, clinician: User, bio: str, listed: bool
) -> ClinicianProfile:
    is_clinician = ClinicianMembership.objects.filter(
        practice=practice, user=clinician, role=PracticeRole.CLINICIAN
    ).exists()
    if not is_clinician:
        raise ActionError("Choose a clinician of this practice.", "clinician")
    profile, _ = ClinicianProfile.objects.update_or_create(
        practice=practice, user=clinician, defaults={"bio": bio, "listed": listed}
    )
    audit.record(
        actor,
        "retrust.practice.clinician_profile.saved",
        target=profile,
        practice=practice,
        details={"name": clinician.name},
    )
    return profile


def link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# A visitor is offered free times from tomorrow (the practice reads a request before meeting)
# for this many days, and may pick up to MAX_PICKS of them.
SLOT_DAYS = 14
MAX_PICKS = 3
PICKS_FIELD = "preferred_slots"
NOT_OFFERED = (
    "One of the times you chose is no longer free. Please choose again from the times shown."
)


def offered_slots(
    practice: Practice, now: datetime | None = None, rules: SessionSettings | None = None
) -> list[datetime]:
    """The free starts (aware, UTC) a visitor may pick from: empty when no clinician of the
    practice has session hours, and then the form asks for written times instead."""
    now = now or timezone.now()
    rules = rules or settings_for(practice)
    first_day = now.astimezone(rules.zone).date() + timedelta(days=1)
    return sessions_actions.practice_free_slots(
        practice, first_day=first_day, days=SLOT_DAYS, now=now, rules=rules
    )


def clean_preferred_slots(
    practice: Practice, picks: list[str], now: datetime | None = None
) -> list[str]:
    """The visitor's picks as UTC ISO 8601 starts, each one still offered; refused otherwise."""
    now = now or timezone.now()
    picks = list(dict.fromkeys(p for p in picks if p))
    if len(picks) > MAX_PICKS:
        raise ActionError("Please choose up to three times.", PICKS_FIELD)
    starts = []
    for pick in picks:
        try:
            start = datetime.fromisoformat(pick)
        except (TypeError, ValueError):
            raise ActionError(NOT_OFFERED, PICKS_FIELD) from None
        if start.tzinfo is None:
            raise ActionError(NOT_OFFERED, PICKS_FIELD)
        if start <= now:
            raise ActionError(
                "One of the times you chose has already passed. Please choose again from the "
                "times shown.",
                PICKS_FIELD,
            )
        starts.append(start.astimezone(UTC))
    if starts:
        offered = set(offered_slots(practice, now))
        if any(start not in offered for start in starts):
            raise ActionError(NOT_OFFERED, PICKS_FIELD)
    return [start.isoformat() for start in sorted(starts)]


def request_consultation(
    practice: Practice,
    *,
    address: str,
    submission_key: str,
    data: dict[str, Any],
    joins: ConsultationRequest | None = None,
) -> tuple[ConsultationRequest, bool]:
    """Store a visitor's request; ``(request, created)``. A repeat of the same form returns the
    first request; a flood from one address is refused before anything is written.

    ``joins``: the first partner's request, when this is the second partner's own part.
    """
    sender = sender_hash(address)
    network = sender_hash(network_of(address))
    existing = ConsultationRequest.objects.filter(
        practice=practice, submission_key=submission_key
    ).first()
    if existing is not None:
        return existing, False
    since = timezone.now() - RATE_WINDOW
    recent = ConsultationRequest.objects.filter(practice=practice, created_at__gte=since)
    if recent.filter(sender=sender).count() >= RATE_LIMIT:
        raise ActionError(RATE_LIMIT_MESSAGE)
    if recent.filter(network=network).count() >= NETWORK_RATE_LIMIT:
        raise ActionError(RATE_LIMIT_MESSAGE)
    answers = selfcheck.decode(data.get("self_check", "")) if data.get("share_self_check") else {}
    preferred = clean_preferred_slots(practice, list(data.get(PICKS_FIELD) or []))
    try:
        with transaction.atomic():
            created = ConsultationRequest.objects.create(
                practice=practice,
                name=data["name"],
                contact_method=data["contact_method"],
                contact=data["contact"],
                safe_times=data.get("safe_times", ""),
                leave_message=data["leave_message"],
                confirm_email=data.get("confirm_email") or EmailConfirmation.NO,
                email_from=data.get("email_from"),
                email_until=data.get("email_until"),
                trust_means=data.get("trust_means", ""),
                hopes=data.get("hopes", ""),
                self_check=answers,
                preferred_slots=preferred,
                joins=joins,
                submission_key=submission_key,
                sender=sender,
                network=network,
            )
            if joins is not None:
                # The link works once: a second use finds nothing.
                ConsultationRequest.objects.filter(pk=joins.pk).update(partner_link_hash="")
            audit.record(
                None,
                "retrust.consultation.requested",
                target=created,
                practice=practice,
            )
            _confirm_receipt(created)
    except IntegrityError:
        # Two copies of the same form raced; the other one won.
        return ConsultationRequest.objects.get(
            practice=practice, submission_key=submission_key
        ), False
    return created, True


def _confirm_receipt(found: ConsultationRequest) -> None:
    """The "we received your request" email, only to the address the visitor gave and only if
    and when they said it is safe. At most one a day per address and practice, so a form sent
    again (or someone typing another person's address over and over) sends nothing more."""
    if found.contact_method != ContactMethod.EMAIL or found.confirm_email == EmailConfirmation.NO:
        return
    now = timezone.now()
    # The window is in the practice's time, as the form says (its session settings' zone).
    zone = settings_for(found.practice).zone
    when = now
    if found.confirm_email == EmailConfirmation.WINDOW:
        # Outside the visitor's window is "quiet hours": from its end until its start.
        when = quiet_hours_end(now, zone, found.email_until, found.email_from)
    write_to_address(
        practice=found.practice,
        address=found.contact.strip().lower(),
        kind=emails.CONSULTATION_RECEIVED.key,
        subject=f"core.practice:{found.practice_id}",
        occasion=timezone.localdate(now).isoformat(),
        send_at=when,
    )


@transaction.atomic
def move_request(
    actor: User, request_id: int, *, expected: str, to: str, note: str
) -> ConsultationRequest:
    """Move a request along (or add a note); refused when someone moved it first."""
    found = ConsultationRequest.objects.select_for_update().get(pk=request_id)
    if found.status != expected:
        raise ActionConflict(
            f"Someone else has just marked this request “{found.get_status_display()}”. "
            "Have a look, then try again."
        )
    if to != found.status and to not in NEXT[found.status]:
        raise ActionError("A request can't go there from where it is now.", "to")
    if to == found.status and not note.strip():
        raise ActionError("Write a note, or choose where the request goes next.", "text")
    RequestNote.objects.create(
        request=found, author=actor, from_status=found.status, to_status=to, text=note
    )
    before, found.status = found.status, to
    found.save(update_fields=["status"])
    audit.record(
        actor,
        "retrust.consultation.moved",
        target=found,
        practice=found.practice,
        details={"from": before, "to": to},
    )
    return found


@transaction.atomic
def save_article(
    actor: User, practice: Practice, article: Article | None, **fields: Any
) -> Article:
    if article is None:
        article = Article(practice=practice)
    elif article.practice_id != practice.pk:
        raise ActionError("That article belongs to another practice.")
    for name in ("title", "body", "published"):
        setattr(article, name, fields[name])
    article.save()
    audit.record(
        actor,
        "retrust.practice.article.saved",
        target=article,
        practice=practice,
        details={"name": article.title},
    )
    return article


NOT_BY_EMAIL = (
    "{name} asked to be reached by {method}, so retrust won't email them an invitation. "
    "Ask them in your call for an address that is safe for them, then open a case from "
    "New case."
)
PARTNER_NOT_BY_EMAIL = (
    "{name}'s partner asked to be reached by {method}, so retrust won't email them an "
    "invitation. Open the case without inviting them, and invite them from the case page once "
    "they have given you an address that is safe for them."
)
NO_PARTNER_PART = (
    "Only the person who asked can be invited from here: their partner hasn't added their own "
    "part. Invite the partner from the case page once you know it is safe."
)


@transaction.atomic
def open_case_from_request(
    actor: User,
    request_id: int,
    *,
    track: str,
    base_url: str,
    invite_partner: bool = False,
    start: datetime | None = None,
) -> Case:
    """Accept a request: open a case for the person who asked and invite them by email.

    Their partner is invited too only when the partner added their own part (with their own
    safe address) and the clinician chose to invite them; a partner who was only mentioned is
    never contacted from here. Each person's goals from the request go into their own intake
    when they accept (``carry_goals``). Opening twice returns the first case.

    ``start``: also book the first consultation then, in one of the accepting clinician's free
    slots. A time taken meanwhile refuses the whole step: no case, no invitation, no booking.
    """
    found = ConsultationRequest.objects.select_for_update().get(pk=request_id)
    if found.case_id is not None:
        return found.case  # type: ignore[return-value]
    if found.contact_method != ContactMethod.EMAIL:
        raise ActionError(
            NOT_BY_EMAIL.format(name=found.name, method=found.get_contact_method_display().lower())
        )
    if found.status in (RequestStatus.DECLINED, RequestStatus.WITHDRAWN):
        raise ActionError("This request was closed. Move it back before opening a case.")
    part = found.partner_parts.order_by("created_at", "pk").first() if invite_partner else None
    if invite_partner and part is None:
        raise ActionError(NO_PARTNER_PART, "invite_partner")
    if part is not None and part.contact_method != ContactMethod.EMAIL:
        raise ActionError(
            PARTNER_NOT_BY_EMAIL.format(
                name=found.name, method=part.get_contact_method_display().lower()
            ),
            "invite_partner",
        )
    try:
        case = core_actions.create_case(
            actor,
            found.practice,
            label=found.name if part is None else f"{found.name} and {part.name}",
            track=track,
            partner_a_email=found.contact,
            partner_a_name=found.name,
            partner_b_email=part.contact if part is not None else "",
            partner_b_name=part.name if part is not None else "",
            creation_key=f"consultation-{found.pk}",
            base_url=base_url,
        )
    except ActionError as refused:
        # The case form's fields are not on this page: name the partner choice instead.
        field = "invite_partner" if refused.field == "partner_b_email" else refused.field
        raise ActionError(
            refused.message, field if field != "partner_a_email" else None
        ) from refused
    booked = None
    if start is not None:
        # Raises (and so rolls back the case and its invitations) if the time is not free.
        booked = sessions_actions.book_consultation(
            actor, case, start=start, key=f"consultation-{found.pk}"
        )
    invitations = {
        invitation.role: invitation
        for invitation in Invitation.objects.filter(case=case).order_by("created_at")
    }
    found.invitation = invitations.get(InvitationRole.PARTNER_A)
    if part is not None:
        part.invitation = invitations.get(InvitationRole.PARTNER_B)
        part.save(update_fields=["invitation"])
    text = (
        "Case opened; invitations sent to both partners."
        if part is not None
        else "Case opened and invitation sent."
    )
    if booked is not None:
        when = slot_label(booked.start, settings_for(found.practice).zone)
        text += f" First consultation booked for {when}."
    RequestNote.objects.create(
        request=found,
        author=actor,
        from_status=found.status,
        to_status=RequestStatus.BOOKED,
        text=text,
    )
    found.case = case
    found.status = RequestStatus.BOOKED
    found.save(update_fields=["case", "status", "invitation"])
    audit.record(
        actor,
        "retrust.consultation.case_opened",
        target=found,
        case=case,
        details={"count": 2 if part is not None else 1, "booked": booked is not None},
    )
    return case


def slot_label(start: datetime, zone: Any) -> str:
    """A start as the practice's clock shows it: "Tuesday 8 December, 10:00"."""
    local = start.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"


def goals_text(found: ConsultationRequest) -> str:
    """A person's own words from their request, as the start of their picture of trust."""
    parts = []
    if found.trust_means.strip():
        parts.append(f"What trust means to me:\n{found.trust_means.strip()}")
    if found.hopes.strip():
        parts.append(f"What I hope will change:\n{found.hopes.strip()}")
    return "\n\n".join(parts)


def carry_goals(case: Case, user: User, invitation: Invitation) -> None:
    """When someone invited from a request joins, their own goals from it become their trust
    goal, seen by them and their clinician only (never by the other partner, who never saw
    the request either). Called inside the join's transaction (``registry.on_partner_joined``).
    """
    found = ConsultationRequest.objects.filter(invitation=invitation).first()
    if found is None:
        return
    body = goals_text(found)
    if not body:
        return
    try:
        write_trust_goal(user, case, body=body, visibility=Visibility.CLINICIAN.value)
    except ActionError:
        # A closed case or a pause: they can still write it themselves later.
        return
    audit.record(
        user,
        "retrust.consultation.goals_carried",
        target=found,
        case=case,
        private=True,
    )


@transaction.atomic
def issue_partner_link(request_id: int) -> str:
    """A one-time link for the partner of the person who asked; only its hash is kept."""
    token = secrets.token_urlsafe(18)
    ConsultationRequest.objects.filter(pk=request_id, joins=None).update(
        partner_link_hash=link_hash(token)
    )
    return token


def find_by_partner_link(practice: Practice, token: str) -> ConsultationRequest | None:
    if not token:
        return None
    return ConsultationRequest.objects.filter(
        practice=practice, partner_link_hash=link_hash(token), joins=None
    ).first()


# --- the updates list -------------------------------------------------------------------------

# Sign-ups one network address may make to one practice's list in RATE_WINDOW, and one network.
SIGNUP_LIMIT = 5
NETWORK_SIGNUP_LIMIT = 20
SIGNUP_LIMIT_MESSAGE = (
    "We've had several sign-ups from this connection in the last hour, so we can't take another "
    "just now. Please try again later."
)


class ConfirmOutcome:
    CONFIRMED = "confirmed"
    ALREADY = "already"  # the link was used before: nothing changes
    STALE = "stale"  # unsubscribed, or signed up again since (a newer link exists)


def subscribe(practice: Practice, *, email: str, address: str) -> Subscriber:
    """Put an address on the list, waiting for confirmation, and email it the link.

    The page answers the same whatever happened here, so it never tells anyone whether an
    address is on the list. An address already confirmed gets nothing; one still waiting gets
    at most one link a day; one that left the list starts again with a fresh link (the old
    ones stop working). A flood from one connection is refused with ``ActionError``.
    """
    email = email.strip().lower()
    sender, network = sender_hash(address), sender_hash(network_of(address))
    now = timezone.now()
    since = now - RATE_WINDOW
    recent = Subscriber.objects.filter(practice=practice, signed_up_at__gte=since)
    if recent.filter(sender=sender).count() >= SIGNUP_LIMIT:
        raise ActionError(SIGNUP_LIMIT_MESSAGE)
    if recent.filter(network=network).count() >= NETWORK_SIGNUP_LIMIT:
        raise ActionError(SIGNUP_LIMIT_MESSAGE)
    with transaction.atomic():
        found, created = Subscriber.objects.select_for_update().get_or_create(
            practice=practice,
            email=email,
            defaults={"nonce": secrets.token_hex(8), "sender": sender, "network": network},
        )
        if found.status == SubscriberStatus.CONFIRMED:
            return found
        if found.status == SubscriberStatus.UNSUBSCRIBED:
            found.status = SubscriberStatus.PENDING
            found.nonce = secrets.token_hex(8)
            found.confirmed_at = found.unsubscribed_at = None
        if not created:
            found.signed_up_at, found.sender, found.network = now, sender, network
            found.save()
        audit.record(
            None,
            "retrust.practice.updates.signed_up",
            target=found,
            practice=practice,
        )
        write_to_address(
            practice=practice,
            address=email,
            kind=emails.UPDATES_CONFIRM.key,
            subject=f"frontdoor.subscriber:{found.pk}",
            occasion=f"{found.nonce}:{timezone.localdate(now).isoformat()}",
        )
    return found


def _locked_subscriber(practice: Practice, subscriber_id: int) -> Subscriber:
    """The practice's subscriber a signed link names, locked; a link to none is not ours."""
    found = Subscriber.objects.select_for_update().filter(practice=practice, pk=subscriber_id)
    subscriber = found.first()
    if subscriber is None:
        raise signing.BadSignature("No such subscriber.")
    return subscriber


def confirm_subscription(practice: Practice, token: str) -> str:
    """Confirm from the emailed link; replaying it changes nothing and says so.

    Raises ``signing.SignatureExpired`` / ``BadSignature`` for an old or made-up link.
    """
    subscriber_id, nonce = emails.read_confirm_token(token)
    with transaction.atomic():
        found = _locked_subscriber(practice, subscriber_id)
        if found.nonce != nonce or found.status == SubscriberStatus.UNSUBSCRIBED:
            return ConfirmOutcome.STALE
        if found.status == SubscriberStatus.CONFIRMED:
            return ConfirmOutcome.ALREADY
        found.status, found.confirmed_at = SubscriberStatus.CONFIRMED, timezone.now()
        found.save(update_fields=["status", "confirmed_at"])
        audit.record(None, "retrust.practice.updates.confirmed", target=found, practice=practice)
    return ConfirmOutcome.CONFIRMED


def unsubscribe(practice: Practice, token: str) -> bool:
    """Take the address off the list (the one-click unsubscribe). Doing it again is harmless;
    True only the first time. ``BadSignature`` for a link that isn't ours."""
    subscriber_id = emails.read_unsubscribe_token(token)
    with transaction.atomic():
        found = _locked_subscriber(practice, subscriber_id)
        if found.status == SubscriberStatus.UNSUBSCRIBED:
            return False
        found.status, found.unsubscribed_at = SubscriberStatus.UNSUBSCRIBED, timezone.now()
        found.save(update_fields=["status", "unsubscribed_at"])
        audit.record(None, "retrust.practice.updates.unsubscribed", target=found, practice=practice)
    return True


def send_update(
    actor: User, practice: Practice, *, subject: str, body: str, submission_key: str
) -> PracticeUpdate:
    """The admin sends an update to every confirmed subscriber: stored now, written out to the
    outbox in batches by a background task. Sending the same form twice sends it once."""
    subject, body = subject.strip(), body.strip()
    if not subject:
        raise ActionError("Give the update a subject line.", "subject")
    if not body:
        raise ActionError("Write the update itself.", "body")
    if "\n" in subject or "\r" in subject:
        raise ActionError("Keep the subject on one line.", "subject")
    try:
        with transaction.atomic():
            update = PracticeUpdate.objects.create(
                practice=practice,
                subject=subject,
                body=body,
                written_by=actor,
                submission_key=submission_key,
            )
            audit.record(
                actor,
                "retrust.practice.updates.sent",
                target=update,
                practice=practice,
                details={"name": subject},
            )
            from retrust.frontdoor.tasks import write_out_update

            transaction.on_commit(lambda: write_out_update.enqueue(update.pk))
    except IntegrityError:
        return PracticeUpdate.objects.get(practice=practice, submission_key=submission_key)
    return update


# Confirmed subscribers written to the outbox per transaction by the update task.
UPDATE_BATCH = 500


def write_out_update(update_id: int) -> int:
    """Write the update to the outbox for every confirmed subscriber, in batches; each batch's
    rows are queued for sending once it has committed. Running it again writes nothing twice."""
    update = PracticeUpdate.objects.select_related("practice").get(pk=update_id)
    confirmed = Subscriber.objects.filter(
        practice=update.practice, status=SubscriberStatus.CONFIRMED
    ).order_by("pk")
    last, total = 0, 0
    while True:
        batch = list(confirmed.filter(pk__gt=last).values_list("pk", "email")[:UPDATE_BATCH])
        if not batch:
            break
        last = batch[-1][0]
        with transaction.atomic():
            new = write_to_addresses(
                practice=update.practice,
                addresses=[email for _, email in batch],
                kind=emails.PRACTICE_UPDATE.key,
                subject=f"frontdoor.practiceupdate:{update.pk}",
            )
        # Written and committed: now the sending may be queued (a rerun finds none new).
        enqueue_sending(new)
        total += len(batch)
    PracticeUpdate.objects.filter(pk=update.pk).update(recipients=total)
    return total


def record_export(actor: User, practice: Practice) -> None:
    """The admin downloaded the list: who and when, never the addresses."""
    audit.record(actor, "retrust.practice.updates.exported", practice=practice)
