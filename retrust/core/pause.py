"""The gate in front of couple-shared work: one rule, read by actions, pages and the API alike.

A private answer (the safety screen, PHQ-9 item 9) can pause couple-shared work. The pause must
not be readable from timing: until the case's clinician has acted, only the partner whose answer
paused the case is held (their forms show as paused, nothing new of theirs reaches the other
partner) while the other partner sees no change at all. Once the clinician has chosen how to
frame it (``pause_shown_at``), both partners see the practice's neutral wording.

The safety app starts and lifts pauses; everything else only asks this module.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from retrust.core.exceptions import ActionConflict
from retrust.core.models import Case

# What the partner whose answer paused the case reads: kind, no alarm, and what still works.
HELD_MESSAGE = (
    "Thank you for answering honestly. Your clinician will be in touch with you soon. Until "
    "then, things you would share with your partner wait here; your own check-ins, your "
    "private journal and the crisis resources all still work."
)
# The neutral wording both partners read once the clinician has acted (a practice may change it).
DEFAULT_SHOWN_MESSAGE = (
    "Individual sessions are the next step. Shared activities are resting for now, and your "
    "clinician will talk with each of you about what comes next."
)


class SharedWorkPaused(ActionConflict):
    """Couple-shared work waits until the clinician lifts the pause. Never says why."""


def is_paused(case: Case) -> bool:
    """True while any pause is open (the clinician's view; partners ask ``held_for``)."""
    return case.paused_since is not None


def is_held(case: Case, user: Any) -> bool:
    """Whether this person's couple-shared work waits. Clinicians are never held."""
    if case.paused_since is None:
        return False
    if case.pause_shown_at is not None:
        return True
    return bool(user is not None and user.pk == case.pause_held_for_id)


def message_for(case: Case, user: Any) -> str:
    """What a held partner reads: the disclosing partner's kind note, or the neutral wording."""
    if case.pause_shown_at is None:
        return HELD_MESSAGE
    return getattr(case.practice, "pause_wording", "") or DEFAULT_SHOWN_MESSAGE


def require_couple_work_allowed(case: Case, actor: Any) -> None:
    """Call at the top of every action that shares something between the partners.

    Reads the pause afresh: an action must not trust a case object loaded before the pause.
    """
    case.refresh_from_db(fields=["paused_since", "pause_held_for", "pause_shown_at"])
    if is_held(case, actor) or (case.paused_since is not None and _is_staff_actor(case, actor)):
        raise SharedWorkPaused(message_for(case, actor))


def _is_staff_actor(case: Case, actor: Any) -> bool:
    # A clinician's couple-facing step (sharing totals, assigning shared homework) waits for the
    # whole pause: the clinician knows why.
    from retrust.core import policy

    return actor is not None and not policy.is_partner(actor, case)


def held_q() -> Q:
    """Partner-authored rows written by the held partner since the pause began.

    ``policy`` leaves these out of what the *other* partner sees, so nothing the disclosing
    partner shares while held reaches the other partner until the pause is lifted.
    """
    return Q(
        case__paused_since__isnull=False,
        author_id=F("case__pause_held_for_id"),
        created_at__gte=F("case__paused_since"),
    )


def start(case: Case, held_for: Any) -> bool:
    """Open the pause on ``case`` (idempotent); returns whether this call opened it."""
    now = timezone.now()
    opened = Case.objects.filter(pk=case.pk, paused_since__isnull=True).update(
        paused_since=now, pause_held_for=held_for, pause_shown_at=None
    )
    case.refresh_from_db(fields=["paused_since", "pause_held_for", "pause_shown_at"])
    return bool(opened)


def show(case: Case) -> None:
    """The clinician has acted: both partners now see the neutral wording."""
    Case.objects.filter(pk=case.pk, paused_since__isnull=False, pause_shown_at__isnull=True).update(
        pause_shown_at=timezone.now()
    )
    case.refresh_from_db(fields=["pause_shown_at"])


def end(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(
        paused_since=None, pause_held_for=None, pause_shown_at=None
    )
    case.refresh_from_db(fields=["paused_since", "pause_held_for", "pause_shown_at"])
