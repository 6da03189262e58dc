"""Every state change in the core lives here: validate, write, audit, then queue side effects.

Views and API routes parse input and call one of these inside nothing else; each action is one
transaction, so a failure leaves nothing half-saved. A refusal raises ``ActionError`` naming
the field at fault and saying, in plain words, what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from retrust.core import audit, messaging, pause, policy, registry
from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import (
    ApiToken,
    Case,
    CaseMember,
    CaseStatus,
    ClinicianMembership,
    HeldRecord,
    Invitation,
    InvitationRole,
    JournalEntry,
    JournalReadMark,
    PartnerAuthored,
    PartnerRole,
    Practice,
    PracticeRole,
    Track,
    User,
    hash_token,
)
from retrust.core.rules import Visibility

__all__ = ["ActionConflict", "ActionError"]


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    # The raw token exists only here, on its way into the email; None when re-used.
    token: str | None
    # False when the invitee told retrust that email isn't safe for them: nothing was sent.
    emailed: bool = True

    def link(self, base_url: str = "") -> str:
        if self.token is None:
            return ""
        return base_url + reverse("accept_invitation", args=[self.token])


def require_case_clinician(
    actor: Any, case: Case, message: str = "Only the case's clinicians can do this."
) -> None:
    """The guard every clinician-only action starts with (same rule as the pages' 404)."""
    if not policy.is_case_clinician(actor, case):
        raise ActionError(message)


def require_partner(
    user: Any, case: Case, message: str = "Only the partners in this case can do this."
) -> CaseMember:
    """The guard every partner-only action starts with; returns their membership."""
    member = policy.membership(user, case)
    if member is None:
        raise ActionError(message)
    return member


def mark_active(user: Any, case: Case) -> None:
    """A partner did something in the case: feeds "last active" and inactivity alerts."""
    CaseMember.objects.filter(case=case, user=user).update(last_active_at=timezone.now())


def _clean_email(email: str, field: str = "email") -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ActionError("Enter a valid email address, like name@example.org.", field) from exc
    return email


def _is_clinician_of(user: User, practice: Practice) -> bool:
    return ClinicianMembership.objects.filter(
        user=user, practice=practice, role=PracticeRole.CLINICIAN
    ).exists()


def _is_admin_of(user: User, practice: Practice) -> bool:
    return ClinicianMembership.objects.filter(
        user=user, practice=practice, role=PracticeRole.ADMIN
    ).exists()


def _send_invitation_email(issued: IssuedInvitation, base_url: str) -> bool:
    """Queue the invitation email; False (and nothing queued) when email isn't safe for them."""
    invitation = issued.invitation
    if not messaging.may_email_address(invitation.email):
        return False
    context = {
        "invitation": invitation,
        "link": issued.link(base_url),
        "practice": invitation.practice,
        "days": settings.RETRUST_INVITATION_DAYS,
    }
    subject = f"An invitation from {invitation.practice.name}"
    body = render_to_string("emails/invitation.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, None, [invitation.email], fail_silently=False)
    )
    return True


def _issue_invitation(
    actor: User | None,
    *,
    practice: Practice,
    role: str,
    email: str,
    display_name: str = "",
    case: Case | None = None,
    base_url: str = "",
) -> IssuedInvitation:
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        practice=practice,
        case=case,
        role=role,
        email=email,
        display_name=display_name.strip()[:120],
        token_hash=hash_token(token),
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.RETRUST_INVITATION_DAYS),
    )
    audit.record(
        actor,
        "retrust.invitation.created",
        target=invitation,
        case=case,
        practice=practice,
        details={"role": role, "email": email},
    )
    issued = IssuedInvitation(invitation, token)
    if not _send_invitation_email(issued, base_url):
        issued = IssuedInvitation(invitation, token, emailed=False)
    return issued


# --- practices and clinicians -------------------------------------------------------------


@transaction.atomic
def create_practice(
    name: str, *, slug: str = "", admin_email: str = "", admin_name: str = "", base_url: str = ""
) -> tuple[Practice, IssuedInvitation | None]:
    name = (name or "").strip()
    if not name:
        raise ActionError("Give the practice a name.", "name")
    slug = slugify(slug or name)[:50]
    if Practice.objects.filter(slug=slug).exists():
        raise ActionError(f"A practice with the short name {slug!r} already exists.", "slug")
    practice = Practice.objects.create(name=name, slug=slug)
    audit.record(None, "retrust.practice.created", target=practice, practice=practice)
    issued = None
    if admin_email:
        issued = _issue_invitation(
            None,
            practice=practice,
            role=InvitationRole.ADMIN,
            email=_clean_email(admin_email, "admin_email"),
            display_name=admin_name,
            base_url=base_url,
        )
    return practice, issued


@transaction.atomic
def invite_staff(
    actor: User,
    practice: Practice,
    *,
    email: str,
    display_name: str = "",
    role: str = PracticeRole.CLINICIAN,
    base_url: str = "",
) -> IssuedInvitation:
    """A practice admin invites a clinician (or another admin) to the practice."""
    if not _is_admin_of(actor, practice):
        raise ActionError("Only a practice admin can add people to the practice.")
    if role not in PracticeRole.values:
        raise ActionError("Choose clinician or practice admin.", "role")
    email = _clean_email(email)
    if ClinicianMembership.objects.filter(practice=practice, user__email__iexact=email).exists():
        raise ActionError("This person is already part of the practice.", "email")
    pending = Invitation.objects.pending().filter(practice=practice, case=None, email=email).first()
    if pending is not None:
        return IssuedInvitation(pending, None)
    return _issue_invitation(
        actor,
        practice=practice,
        role=role,
        email=email,
        display_name=display_name,
        base_url=base_url,
    )


# --- cases --------------------------------------------------------------------------------


@transaction.atomic
def create_case(
    actor: User,
    practice: Practice,
    *,
    label: str,
    track: str,
    partner_a_email: str,
    partner_a_name: str = "",
    partner_b_email: str = "",
    partner_b_name: str = "",
    creation_key: str = "",
    base_url: str = "",
) -> Case:
    """A clinician opens a case and invites one or both partners.

    ``creation_key`` comes from the form: submitting the same form twice returns the case
    the first submit created instead of opening a second one.
    """
    if creation_key:
        existing = Case.objects.filter(creation_key=creation_key, practice=practice).first()
        if existing is not None and policy.is_case_clinician(actor, existing):
            return existing
    if not _is_clinician_of(actor, practice):
        raise ActionError("Only a clinician of this practice can open a case.")
    label = (label or "").strip()
    if not label:
        raise ActionError("Give the case a short name you will recognise.", "label")
    if track not in Track.values:
        raise ActionError("Choose a track: conjoint, individual or discernment.", "track")
    email_a = _clean_email(partner_a_email, "partner_a_email")
    email_b = _clean_email(partner_b_email, "partner_b_email") if partner_b_email.strip() else ""
    if email_b and email_b == email_a:
        raise ActionError("Each partner needs their own email address.", "partner_b_email")
    if email_b and track == Track.INDIVIDUAL:
        raise ActionError(
            "An individual-track case starts with one partner. Invite the second partner "
            "later, or choose the conjoint track.",
            "partner_b_email",
        )
    if actor.email.lower() in (email_a, email_b):
        raise ActionError("Use the partner's own email address, not yours.", "partner_a_email")
    try:
        with transaction.atomic():
            case = Case.objects.create(
                practice=practice,
                label=label[:120],
                track=track,
                status=CaseStatus.INVITED,
                creation_key=creation_key or None,
            )
    except IntegrityError as exc:
        # The same form, submitted twice at once: the other submit won and opened the case.
        existing = Case.objects.filter(creation_key=creation_key, practice=practice).first()
        if existing is not None and policy.is_case_clinician(actor, existing):
            return existing
        raise ActionError("This form was already used. Reload the page and try again.") from exc
    case.clinicians.add(actor)
    audit.record(
        actor,
        "retrust.case.created",
        target=case,
        case=case,
        details={"track": track, "label": case.label},
    )
    _issue_invitation(
        actor,
        practice=practice,
        case=case,
        role=InvitationRole.PARTNER_A,
        email=email_a,
        display_name=partner_a_name,
        base_url=base_url,
    )
    if email_b:
        _issue_invitation(
            actor,
            practice=practice,
            case=case,
            role=InvitationRole.PARTNER_B,
            email=email_b,
            display_name=partner_b_name,
            base_url=base_url,
        )
    return case


@transaction.atomic
def invite_partner(
    actor: User,
    case: Case,
    *,
    email: str,
    display_name: str = "",
    base_url: str = "",
) -> IssuedInvitation:
    """Invite the partner who has not joined yet (e.g. the second partner of an individual case).

    Sending the same invitation twice re-uses the pending one instead of creating another.
    """
    require_case_clinician(actor, case, "Only the case's clinician can invite partners.")
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed; reopen it before inviting anyone.")
    email = _clean_email(email)
    if case.clinicians.filter(email__iexact=email).exists():
        # Someone who treats the couple cannot also be one of its partners.
        raise ActionError("Use the partner's own email address, not a clinician's.", "email")
    taken_roles = set(case.members.values_list("role", flat=True))
    if case.members.filter(user__email__iexact=email).exists():
        raise ActionError("This person has already joined the case.", "email")
    pending = list(Invitation.objects.pending().filter(case=case))
    for invitation in pending:
        if invitation.email == email:
            return IssuedInvitation(invitation, None)
    pending_roles = {invitation.role for invitation in pending}
    free = [
        role
        for role in (PartnerRole.PARTNER_A, PartnerRole.PARTNER_B)
        if role not in taken_roles and role not in pending_roles
    ]
    if not free:
        raise ActionError(
            "Both partners have joined or been invited. Withdraw a pending invitation first.",
            "email",
        )
    return _issue_invitation(
        actor,
        practice=case.practice,
        case=case,
        role=free[0],
        email=email,
        display_name=display_name,
        base_url=base_url,
    )


@transaction.atomic
def withdraw_invitation(actor: User, invitation: Invitation) -> None:
    if invitation.state != "pending":
        return
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        actor,
        "retrust.invitation.withdrawn",
        target=invitation,
        case=invitation.case,
        practice=invitation.practice,
    )


# --- accepting an invitation --------------------------------------------------------------


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("practice", "case")
        .filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def accept_invitation(
    token: str,
    *,
    user: User | None = None,
    password: str = "",
    display_name: str = "",
) -> User:
    """Join the case or practice the invitation names.

    Either ``user`` (already signed in with the invited email) or a new ``password`` for a new
    account. Accepting again as the person who already accepted is a no-op.
    """
    invitation = find_invitation(token)
    if invitation is None:
        raise ActionError("This invitation link is not valid. Check that you copied all of it.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        if user is not None and invitation.accepted_by_id == user.pk:
            return user
        raise ActionError("This invitation has already been used. Sign in instead.")
    if invitation.revoked_at is not None:
        raise ActionError("This invitation was withdrawn. Ask your clinician for a new one.")
    if invitation.expires_at <= timezone.now():
        raise ActionError("This invitation has expired. Ask for a new one — it takes a minute.")

    if user is not None:
        if user.email.lower() != invitation.email.lower():
            raise ActionError(
                f"This invitation is for {invitation.email}, but you are signed in as "
                f"{user.email}. Sign out first, then open the link again."
            )
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ActionError(
                "An account with this email already exists. Sign in, then open the link again."
            )
        display_name = (display_name or invitation.display_name).strip()[:120]
        candidate = User(email=invitation.email, display_name=display_name)
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise ActionError(" ".join(exc.messages), "password") from exc
        candidate.set_password(password)
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError as exc:
            raise ActionError(
                "An account with this email already exists. Sign in, then open the link again."
            ) from exc
        user = candidate
        audit.record(user, "retrust.user.created", target=user, practice=invitation.practice)

    if invitation.is_partner_invitation:
        case = invitation.case
        assert case is not None
        if CaseMember.objects.filter(case=case, role=invitation.role).exists():
            raise ActionError("Someone has already joined this case in that role.")
        if policy.is_partner(user, case):
            raise ActionError("You have already joined this case.")
        member = CaseMember.objects.create(case=case, user=user, role=invitation.role)
        if case.status == CaseStatus.INVITED:
            case.status = CaseStatus.INTAKE
            case.save(update_fields=["status", "updated_at"])
        audit.record(
            user,
            "retrust.case.member.joined",
            target=member,
            case=case,
            details={"role": invitation.role},
        )
        partner_joined(case, user)
        registry.partner_joined(case, user, invitation)
    else:
        if ClinicianMembership.objects.filter(practice=invitation.practice, user=user).exists():
            raise ActionError("You are already part of this practice.")
        membership = ClinicianMembership.objects.create(
            practice=invitation.practice, user=user, role=invitation.role
        )
        audit.record(
            user,
            "retrust.practice.member.joined",
            target=membership,
            practice=invitation.practice,
            details={"role": invitation.role},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


# --- a partner who joins later ----------------------------------------------------------


def partner_kinds() -> list[type[PartnerAuthored]]:
    """Every kind of partner-authored record, whichever app defines it."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, PartnerAuthored) and not model._meta.proxy
    ]


@transaction.atomic
def partner_joined(case: Case, newcomer: User, *, since: datetime | None = None) -> int:
    """The newcomer can now read shared work: hold what the other partner wrote for both before.

    Joining never widens a record (DESIGN.md "Who sees what"). Every "both of us" record of
    the case written by someone else before ``since`` (by default, the moment the newcomer
    joined) is narrowed to its author and the clinician and listed as a ``HeldRecord`` until
    its author chooses again. Accepting an invitation calls this; so may the clinic's switch
    from the individual to the conjoint track. A record is held at most once, so calling it
    again is harmless. Returns how many records were held.
    """
    if since is None:
        joined = (
            CaseMember.objects.filter(case=case, user=newcomer)
            .values_list("joined_at", flat=True)
            .first()
        )
        since = joined or timezone.now()
    held = 0
    for model in partner_kinds():
        label = model._meta.label_lower
        already = HeldRecord.objects.filter(case=case, record_type=label).values("record_id")
        earlier = (
            model._base_manager.filter(
                case=case, visibility=Visibility.COUPLE.value, created_at__lt=since
            )
            .exclude(author=newcomer)
            .exclude(pk__in=already)
        )
        rows = list(earlier.values_list("pk", "author_id"))
        if not rows:
            continue
        HeldRecord.objects.bulk_create(
            HeldRecord(
                case=case,
                author_id=author_id,
                newcomer=newcomer,
                record_type=label,
                record_id=pk,
            )
            for pk, author_id in rows
        )
        model._base_manager.filter(pk__in=[pk for pk, _ in rows]).update(
            visibility=Visibility.CLINICIAN.value
        )
        held += len(rows)
    if held:
        # No actor: the newcomer's own audit trail must not hint at what the other wrote.
        audit.record(None, "retrust.case.records.held", case=case, details={"count": held})
    return held


def held_record_model(held: HeldRecord) -> type[PartnerAuthored] | None:
    try:
        model = apps.get_model(held.record_type)
    except (LookupError, ValueError):
        return None
    return model if issubclass(model, PartnerAuthored) else None


@transaction.atomic
def show_held_record(author: User, held: HeldRecord) -> HeldRecord:
    """The author shows one record held at the join to both partners again ("both of us")."""
    held = HeldRecord.objects.select_for_update().select_related("case").get(pk=held.pk)
    if held.author_id != author.pk:
        raise ActionError("Only the person who wrote this can choose who sees it.")
    if held.decided_at is not None:
        return held
    case = held.case
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed, so what it holds stays as it is.")
    pause.require_couple_work_allowed(case, author)
    model = held_record_model(held)
    shown = 0
    if model is not None:
        shown = model._base_manager.filter(
            pk=held.record_id, case=case, author_id=author.pk
        ).update(visibility=Visibility.COUPLE.value)
    if not shown:
        raise ActionConflict("This was deleted in the meantime, so there is nothing to show.")
    held.decided_at = timezone.now()
    held.save(update_fields=["decided_at"])
    audit.record(
        author,
        "retrust.case.record.shown",
        case=case,
        details={"record_type": held.record_type, "record_id": held.record_id},
    )
    return held


def _decided(record: PartnerAuthored) -> None:
    """The author chose again who sees a record, so it no longer waits on the home page."""
    HeldRecord.objects.filter(
        record_type=record._meta.label_lower, record_id=record.pk, decided_at__isnull=True
    ).update(decided_at=timezone.now())


# --- accounts -----------------------------------------------------------------------------


@transaction.atomic
def sign_out_everywhere(user: User) -> None:
    """End every session of this person, on every device (including this one), and every
    API token: a lost phone's scripts stop too."""
    User.objects.filter(pk=user.pk).update(session_generation=user.session_generation + 1)
    user.session_generation += 1
    audit.record(user, "retrust.user.signed_out_everywhere", target=user)
    revoke_all_api_tokens(user, reason="signed_out_everywhere")


@transaction.atomic
def record_password_changed(user: User, *, how: str) -> None:
    """After a password change (``how="changed"``) or reset (``"reset"``): no token survives.

    Django already ends the other sessions (they are signed with the old password's hash).
    """
    if how not in {"changed", "reset"}:
        raise ValueError(f"how must be 'changed' or 'reset', not {how!r}")
    audit.record(user, f"retrust.user.password_{how}", target=user)
    revoke_all_api_tokens(user, reason=f"password_{how}")


def revoke_all_api_tokens(user: User, *, reason: str) -> int:
    """Every API token of this person stops working now. Returns how many there were."""
    count, _ = ApiToken.objects.filter(user=user).delete()
    if count:
        audit.record(
            user,
            "retrust.api_token.all_revoked",
            target=user,
            details={"count": count, "reason": reason},
        )
    return count


@transaction.atomic
def mark_messages_unsafe(user: User, case: Case) -> None:
    """The person's private screen says email isn't safe for them: retrust stops emailing them.

    Only a clinician clears it (``clear_messages_unsafe``), so a later screen answered under
    pressure cannot quietly switch messages back on.
    """
    changed = User.objects.filter(pk=user.pk, messages_unsafe_since__isnull=True).update(
        messages_unsafe_since=timezone.now()
    )
    if changed:
        user.refresh_from_db(fields=["messages_unsafe_since"])
        audit.record(user, "retrust.contact.messages_unsafe.marked", target=user, case=case)


@transaction.atomic
def clear_messages_unsafe(actor: User, case: Case, partner: User) -> None:
    """The clinician, with the partner in session, hears that email is safe for them again."""
    require_case_clinician(actor, case, "Only the case's clinician can change this.")
    if not policy.is_partner(partner, case):
        raise ActionError("This person is not a partner in this case.")
    changed = User.objects.filter(pk=partner.pk, messages_unsafe_since__isnull=False).update(
        messages_unsafe_since=None
    )
    if changed:
        partner.messages_unsafe_since = None
        audit.record(actor, "retrust.contact.messages_unsafe.cleared", target=partner, case=case)


@transaction.atomic
def issue_reset_link_in_session(actor: User, case: Case, partner: User) -> str:
    """A password-reset link for a partner whom retrust may not email, for their clinician to
    hand over in session (shown on screen, never sent). Returns the link's path.

    Offered only while email isn't safe for the partner. The link works once and for
    PASSWORD_RESET_TIMEOUT at most, like an emailed one; the case timeline shows who made it.
    """
    require_case_clinician(actor, case, "Only the case's clinician can do this.")
    if not policy.is_partner(partner, case):
        raise ActionError("This person is not a partner in this case.")
    if messaging.may_email(partner):
        raise ActionError("retrust can email them a reset link; they can ask for one themselves.")
    # Clinical, not an account event: that a link was handed over in session says that email
    # isn't safe for this person, which the practice admin has no need to learn.
    audit.record(actor, "retrust.contact.reset_link.handed_over", target=partner, case=case)
    uid = urlsafe_base64_encode(force_bytes(partner.pk))
    token = default_token_generator.make_token(partner)
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def record_two_factor_enrolled(user: User) -> None:
    audit.record(user, "retrust.user.two_factor.enrolled", target=user)


@transaction.atomic
def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name:
        raise ActionError("Give the token a name, such as the script that will use it.", "name")
    raw = "rt_" + Invitation.new_token()
    token = ApiToken.objects.create(
        user=user,
        name=name[:80],
        token_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=settings.RETRUST_API_TOKEN_DAYS),
    )
    audit.record(
        user,
        "retrust.api_token.created",
        target=token,
        details={"name": token.name, "expires_on": token.expires_at.date().isoformat()},
    )
    return token, raw


@transaction.atomic
def revoke_api_token(user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise ActionError("That token is not yours.")
    audit.record(user, "retrust.api_token.revoked", target=token, details={"name": token.name})
    ApiToken.objects.filter(pk=token.pk).delete()


# --- partner-authored records -------------------------------------------------------------


def _clean_visibility(value: str) -> Visibility:
    try:
        return Visibility(value)
    except ValueError as exc:
        raise ActionError("Choose who can see this.", "visibility") from exc


def _require_sharing_allowed(actor: User, case: Case, visibility: Visibility) -> None:
    """Sharing with the other partner is couple work: it waits while the case is paused."""
    if visibility is Visibility.COUPLE:
        if not offers_couple_choice(case):
            raise ActionError(
                "You are working on your own with your clinician for now, so there is no one "
                "else to share this with. Choose “Only me” or “Me and my clinician”.",
                "visibility",
            )
        pause.require_couple_work_allowed(case, actor)


def offers_couple_choice(case: Case, partners: int | None = None) -> bool:
    """Whether "both of us" means anyone: not in an individual-track case with one partner.

    ``partners``: how many partners have joined, when the caller already knows.
    """
    if case.track != Track.INDIVIDUAL:
        return True
    if partners is None:
        partners = CaseMember.objects.filter(case=case).count()
    return partners > 1


@transaction.atomic
def write_journal_entry(author: User, case: Case, *, body: str, visibility: str) -> JournalEntry:
    if not policy.is_partner(author, case):
        raise ActionError("Only partners in this case can write here.")
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed, so its journal is read-only now.")
    body = (body or "").strip()
    if not body:
        raise ActionError("Write something first — even a line is enough.", "body")
    if len(body) > 10_000:
        raise ActionError("Please keep an entry under 10,000 characters.", "body")
    chosen = _clean_visibility(visibility)
    _require_sharing_allowed(author, case, chosen)
    entry = JournalEntry.objects.create(case=case, author=author, body=body, visibility=chosen)
    mark_active(author, case)
    audit.record(
        author,
        "retrust.journal.written",
        target=entry,
        case=case,
        details={"visibility": chosen.value},
        private=audit.private_to_author(chosen),
    )
    return entry


@transaction.atomic
def change_journal_visibility(author: User, entry: JournalEntry, visibility: str) -> JournalEntry:
    if entry.author_id != author.pk:
        raise ActionError("Only the person who wrote this can change who sees it.")
    chosen = _clean_visibility(visibility)
    old = entry.visibility
    if old == chosen:
        return entry
    _require_sharing_allowed(author, entry.case, chosen)
    entry.visibility = chosen
    entry.save(update_fields=["visibility", "updated_at"])
    _decided(entry)
    audit.record(
        author,
        "retrust.journal.visibility_changed",
        target=entry,
        case=entry.case,
        details={"old": old, "new": chosen.value},
        private=audit.private_to_author(chosen),
    )
    return entry


@transaction.atomic
def edit_journal_entry(author: User, entry: JournalEntry, *, body: str) -> JournalEntry:
    """The author rewords an entry, until the other partner has said they read it: after that
    it stays as it was read (a new entry can add to it)."""
    if entry.author_id != author.pk:
        raise ActionError("Only the person who wrote this can change it.")
    if entry.case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed. You can still read what you wrote.")
    body = (body or "").strip()
    if not body:
        raise ActionError("Write something first, or delete the entry instead.", "body")
    if len(body) > 10_000:
        raise ActionError("Please keep this under 10,000 characters.", "body")
    if body == entry.body:
        return entry
    # Changing what the other partner can read is sharing: it waits during a pause.
    _require_sharing_allowed(author, entry.case, Visibility(entry.visibility))
    if JournalReadMark.objects.filter(entry=entry).exists():
        raise ActionError(
            "Your partner has already read this, so it stays as they read it. You can write a "
            "new entry to add to it.",
            "body",
        )
    entry.body = body
    entry.save(update_fields=["body", "updated_at"])
    audit.record(
        author,
        "retrust.journal.edited",
        target=entry,
        case=entry.case,
        private=audit.private_to_author(entry.visibility),
    )
    return entry


@transaction.atomic
def mark_journal_read(reader: User, entry: JournalEntry) -> JournalReadMark:
    """The other partner says "I read this" on an entry shared with both of them."""
    if entry.author_id == reader.pk or not policy.is_partner(reader, entry.case):
        raise ActionError("Only your partner can say they read this.")
    if entry.visibility != Visibility.COUPLE.value:
        raise ActionError("Only entries shared with both of you can be marked as read.")
    pause.require_couple_work_allowed(entry.case, reader)
    mark, created = JournalReadMark.objects.get_or_create(entry=entry, reader=reader)
    if created:
        audit.record(reader, "retrust.journal.read_marked", target=entry, case=entry.case)
    return mark


@transaction.atomic
def delete_journal_entry(author: User, entry: JournalEntry, *, confirmed: bool) -> None:
    """Deleting is for good, so it takes a second, deliberate step (``confirmed``)."""
    if entry.author_id != author.pk:
        raise ActionError("Only the person who wrote this can delete it.")
    if not confirmed:
        raise ActionError("Nothing was deleted. Deleting can't be undone, so please confirm first.")
    audit.record(
        author,
        "retrust.journal.deleted",
        target=entry,
        case=entry.case,
        private=audit.private_to_author(entry.visibility),
    )
    HeldRecord.objects.filter(
        record_type=JournalEntry._meta.label_lower, record_id=entry.pk
    ).delete()
    entry.delete()
