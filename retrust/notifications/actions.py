"""Changing a person's notification choices, and an admin retrying a failed send."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone

from retrust.core import audit
from retrust.core.models import Practice
from retrust.notifications import kinds
from retrust.notifications.models import (
    MessageSettings,
    Notification,
    Preference,
    Status,
    SwitchedOff,
)


@transaction.atomic
def save_preferences(
    user: Any,
    *,
    channel: str,
    delivery: str,
    digest_at: time,
    quiet_start: time | None,
    quiet_end: time | None,
    time_zone: str,
    switched_off: Iterable[str],
    offered: Iterable[str],
) -> Preference:
    """Store a person's own choices. ``offered`` are the kinds their page showed them; kinds
    they were not offered keep whatever they were."""
    preference, _ = Preference.objects.select_for_update().get_or_create(user=user)
    before = {
        "channel": preference.channel,
        "delivery": preference.delivery,
        "quiet_hours": preference.has_quiet_hours,
    }
    preference.channel = channel
    preference.delivery = delivery
    preference.digest_at = digest_at
    preference.quiet_start = quiet_start
    preference.quiet_end = quiet_end
    preference.time_zone = time_zone
    preference.full_clean()
    preference.save()
    offered = {key for key in offered if (kind := kinds.get(key)) and not kind.essential}
    wanted_off = set(switched_off) & offered
    SwitchedOff.objects.filter(user=user, kind__in=offered - wanted_off).delete()
    for key in sorted(wanted_off):
        SwitchedOff.objects.get_or_create(user=user, kind=key)
    audit.record(
        user,
        "retrust.notifications.preferences.changed",
        target=preference,
        details={
            "before": before,
            "after": {
                "channel": channel,
                "delivery": delivery,
                "quiet_hours": preference.has_quiet_hours,
            },
            "switched_off": sorted(wanted_off),
        },
    )
    return preference


@transaction.atomic
def switch_off(user: Any, keys: Iterable[str], *, via: str) -> list[str]:
    """Stop emails of these kinds for this person (the one-click unsubscribe). Idempotent."""
    done = []
    for key in sorted(set(keys)):
        kind = kinds.get(key)
        if kind is None or kind.essential:
            continue
        _, created = SwitchedOff.objects.get_or_create(user=user, kind=key)
        if created:
            done.append(key)
    if done:
        audit.record(
            user,
            "retrust.notifications.switched_off",
            details={"kinds": done, "via": via},
        )
    return done


@transaction.atomic
def retry_failed(actor: Any, practice: Practice, notification_id: int) -> bool:
    """A practice admin asks for a failed send to be tried again from scratch."""
    retried = Notification.objects.filter(
        pk=notification_id, practice=practice, status=Status.FAILED
    ).update(
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        enqueued_at=None,
        claimed_by="",
        claimed_at=None,
    )
    if retried:
        audit.record(
            actor,
            "retrust.notifications.retried",
            practice=practice,
            details={"notification": notification_id},
        )
    return retried == 1


@transaction.atomic
def update_message_settings(
    actor: Any, practice: Practice, *, sender_name: str, neutral_subject: str
) -> MessageSettings:
    """A practice admin sets the neutral sender name and subject of every email."""
    found, _ = MessageSettings.objects.select_for_update().get_or_create(practice=practice)
    before = {"sender_name": found.sender_name, "neutral_subject": found.neutral_subject}
    found.sender_name = sender_name.strip()
    found.neutral_subject = neutral_subject.strip()
    found.full_clean()
    found.save()
    audit.record(
        actor,
        "retrust.notifications.message_settings.changed",
        target=found,
        practice=practice,
        details={
            "before": before,
            "after": {"sender_name": found.sender_name, "neutral_subject": found.neutral_subject},
        },
    )
    return found


# --- emails to an address, for people without an account ------------------------------------


def write_to_address(
    *,
    practice: Practice,
    address: str,
    kind: str,
    subject: str,
    occasion: str = "",
    send_at: datetime | None = None,
) -> tuple[Notification, bool]:
    """One outbox row for someone who has no account: ``(row, created)``.

    Unique per (address, kind, subject, occasion): writing it again finds the first row and
    sends nothing more. Run it inside the caller's transaction; when that commits, a row that is
    due now is queued at once, a later one by the tick when its time comes.
    """
    if kinds.get(kind) is None:
        raise ValueError(f"No notification kind is called {kind!r}")
    now = timezone.now()
    row, created = Notification.objects.get_or_create(
        recipient=None,
        to_address=address,
        kind=kind,
        subject=subject[:120],
        occasion=occasion[:60],
        defaults={"practice": practice, "next_attempt_at": send_at or now, "created_at": now},
    )
    if created and row.next_attempt_at <= now:
        _queue_on_commit([row.pk])
    return row, created


def write_to_addresses(
    *, practice: Practice, addresses: Iterable[str], kind: str, subject: str, occasion: str = ""
) -> list[int]:
    """The same message for many addresses (an update to a list), each row written once;
    returns the ids of the new rows, for the caller to queue (``tasks.enqueue_sending``) once
    its transaction has committed."""
    if kinds.get(kind) is None:
        raise ValueError(f"No notification kind is called {kind!r}")
    now = timezone.now()
    rows = [
        Notification(
            recipient=None,
            to_address=address,
            practice=practice,
            kind=kind,
            subject=subject[:120],
            occasion=occasion[:60],
            next_attempt_at=now,
            created_at=now,
        )
        for address in addresses
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    new = list(
        Notification.objects.filter(
            recipient=None,
            kind=kind,
            subject=subject[:120],
            occasion=occasion[:60],
            status=Status.PENDING,
            enqueued_at__isnull=True,
            created_at=now,
        ).values_list("pk", flat=True)
    )
    return new


def _queue_on_commit(ids: list[int]) -> None:
    from retrust.notifications.tasks import enqueue_sending

    if ids:
        transaction.on_commit(lambda: enqueue_sending(ids))
