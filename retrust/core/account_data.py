"""Core's part of a person's export and of deleting their account (``core.datarights``).

The account itself, the cases they are a partner in, their journal and their own audit events.
At the end of the grace period the account becomes a tombstone: the row stays (joint records
point at it) with no email, no name ("A former partner"), no password and no sessions, and the
person's case memberships end. Their private journal entries go; entries they shared with the
clinician are held with the clinical record; entries they shared with both partners stay.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db.models import Q

from retrust.core import audit
from retrust.core.datarights import (
    FORMER_PARTNER,
    Counts,
    Exporter,
    Leaving,
    Sections,
    Shredder,
    split_by_visibility,
    when,
)
from retrust.core.models import (
    ApiToken,
    AuditEvent,
    Case,
    CaseMember,
    HeldRecord,
    Invitation,
    JournalEntry,
    User,
)

# Audit actions left out of a person's own copy: a copy can be demanded by someone who should
# not learn that a safety screen, an alert or a pause ever happened.
NOT_IN_A_COPY = (
    "retrust.safety",
    "retrust.alert.",
    "retrust.case.pause.",
    "retrust.case.individual_session.",
    "retrust.contact.",
)
TOMBSTONE_DOMAIN = "former-partner.invalid"


def export(user: User) -> Sections:
    memberships = CaseMember.objects.filter(user=user).select_related("case").order_by("case_id")
    events = AuditEvent.objects.filter(actor=user).order_by("created_at", "id")
    for prefix in NOT_IN_A_COPY:
        events = events.exclude(action__startswith=prefix)
    return {
        "account": {
            "email": user.email,
            "name": user.display_name,
            "joined": when(user.date_joined),
        },
        "cases": [
            {
                "case": m.case_id,
                "label": m.case.label,
                "role": m.get_role_display(),
                "joined": when(m.joined_at),
                "status": m.case.get_status_display(),
            }
            for m in memberships
        ],
        "journal": [
            {
                "case": entry.case_id,
                "written": when(entry.created_at),
                "shared_with": entry.get_visibility_display(),
                "text": entry.body,
            }
            for entry in JournalEntry.objects.filter(author=user).order_by("created_at", "id")
        ],
        "api_tokens": [
            {"name": t.name, "created": when(t.created_at), "expires": when(t.expires_at)}
            for t in ApiToken.objects.filter(user=user).order_by("created_at")
        ],
        "your_activity": [
            {"when": when(e.created_at), "what": e.action, "case": e.case_id} for e in events
        ],
    }


def _journal(leaving: Leaving) -> dict[str, Any]:
    return split_by_visibility(JournalEntry.objects.all(), leaving)


def plan(leaving: Leaving) -> Counts:
    user = leaving.user
    return {
        "private journal entries": _journal(leaving)["goes"].count(),
        "API tokens": ApiToken.objects.filter(user=user).count(),
        "records waiting for the person's choice": HeldRecord.objects.filter(author=user).count(),
        "case memberships": CaseMember.objects.filter(user=user).count(),
        "invitations naming the person": _invitations(user).count(),
        "account": 1,
    }


def _invitations(user: User) -> Any:
    return Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email))


def shred(leaving: Leaving) -> Counts:
    user = leaving.user
    journal = _journal(leaving)["goes"]
    done = {"private journal entries": journal.count()}
    journal.delete()
    # The person can no longer choose again about records held when their partner joined:
    # those stay as they are (shared with the clinician alone), and the list of them goes.
    done["records waiting for the person's choice"] = HeldRecord.objects.filter(
        author=user
    ).delete()[0]
    done["API tokens"] = ApiToken.objects.filter(user=user).delete()[0]
    done["case memberships"] = CaseMember.objects.filter(user=user).delete()[0]
    tombstone = f"{secrets.token_hex(12)}@{TOMBSTONE_DOMAIN}"
    done["invitations naming the person"] = _invitations(user).update(
        email=tombstone, display_name=""
    )
    _forget_sign_in_attempts(user.email)
    done["account"] = 1
    user.email = tombstone
    user.display_name = FORMER_PARTNER
    user.set_unusable_password()
    user.is_active = False
    user.session_generation += 1
    user.messages_unsafe_since = None
    user.save()
    return done


def _forget_sign_in_attempts(email: str) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()


def held(leaving: Leaving) -> Counts:
    return {
        "journal entries shared with the clinician": _journal(leaving)["held"].count(),
        "case labels": len(leaving.emptied_case_ids),
    }


def shred_held(leaving: Leaving) -> Counts:
    entries = _journal(leaving)["held"]
    done = {"journal entries shared with the clinician": entries.count()}
    entries.delete()
    done["audit rows with the person's address"] = audit.forget_address(leaving.user)
    # A case left with no partner loses the label that named them (usually their names).
    emptied = Case.objects.filter(pk__in=leaving.emptied_case_ids).exclude(members__isnull=False)
    done["case labels"] = 0
    for case in emptied:
        case.label = f"Case {case.pk}"
        case.save(update_fields=["label"])
        done["case labels"] += 1
    return done


EXPORTER = Exporter("core", export)
# Last: the account becomes a tombstone only after every app has found the person's records.
SHREDDER = Shredder("core", plan=plan, shred=shred, held=held, shred_held=shred_held, order=90)
