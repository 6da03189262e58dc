"""The only code that changes the front door's state."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from retrust.core import actions as core_actions
from retrust.core import audit
from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import Case, ClinicianMembership, Practice, PracticeRole, User
from retrust.frontdoor import selfcheck
from retrust.frontdoor.models import (
    Article,
    ClinicianProfile,
    ConsultationRequest,
    PracticePage,
    RequestNote,
    RequestStatus,
)

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
    try:
        with transaction.atomic():
            created = ConsultationRequest.objects.create(
                practice=practice,
                name=data["name"],
                contact_method=data["contact_method"],
                contact=data["contact"],
                safe_times=data.get("safe_times", ""),
                leave_message=data["leave_message"],
                trust_means=data.get("trust_means", ""),
                hopes=data.get("hopes", ""),
                self_check=answers,
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
    except IntegrityError:
        # Two copies of the same form raced; the other one won.
        return ConsultationRequest.objects.get(
            practice=practice, submission_key=submission_key
        ), False
    return created, True


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


@transaction.atomic
def open_case_from_request(actor: User, request_id: int, *, track: str, base_url: str) -> Case:
    """Accept a request: open a case for the person who asked and invite them by email.

    Only the person who asked is invited; a partner they mentioned is never contacted from
    here. Opening twice returns the first case.
    """
    found = ConsultationRequest.objects.select_for_update().get(pk=request_id)
    if found.case_id is not None:
        return found.case  # type: ignore[return-value]
    if found.contact_method != "email":
        raise ActionError(
            NOT_BY_EMAIL.format(name=found.name, method=found.get_contact_method_display().lower())
        )
    if found.status in (RequestStatus.DECLINED, RequestStatus.WITHDRAWN):
        raise ActionError("This request was closed. Move it back before opening a case.")
    case = core_actions.create_case(
        actor,
        found.practice,
        label=found.name,
        track=track,
        partner_a_email=found.contact,
        partner_a_name=found.name,
        creation_key=f"consultation-{found.pk}",
        base_url=base_url,
    )
    RequestNote.objects.create(
        request=found,
        author=actor,
        from_status=found.status,
        to_status=RequestStatus.BOOKED,
        text="Case opened and invitation sent.",
    )
    found.case = case
    found.status = RequestStatus.BOOKED
    found.save(update_fields=["case", "status"])
    audit.record(actor, "retrust.consultation.case_opened", target=found, case=case)
    return case


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
