"""Sending what the outbox holds: claim, check the person's choices, send, retry or give up.

A row is claimed by one conditional update (pending → sending, only if still pending), which
the database lets exactly one worker win, so two workers never send the same row. The winner
also claims the same person's other due rows for the same practice (one more conditional
update), so a person gets one email for everything waiting, not one per item. Essential rows
(safety, security) always travel alone.

Sending is at-least-once: a worker killed after the SMTP server accepted a message but before
the row was marked sent leaves it "sending"; the tick hands it back after the claim timeout and
it is sent again. That is the only way a duplicate can happen.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import F, Q
from django.utils import timezone

from retrust.core import messaging
from retrust.core.models import User
from retrust.notifications import address, kinds, mail
from retrust.notifications.models import (
    Channel,
    MessageSettings,
    Notification,
    Preference,
    Status,
    SwitchedOff,
)
from retrust.notifications.timing import backoff, quiet_hours_end

logger = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}"


def preference_for(user: Any) -> Preference:
    """The person's saved choices, or the defaults (unsaved) if they never changed any."""
    found = Preference.objects.filter(user=user).first()
    return found if found is not None else Preference(user=user)


@dataclass
class Outcome:
    sent: int = 0
    emails: int = 0
    suppressed: int = 0
    postponed: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "emails": self.emails,
            "suppressed": self.suppressed,
            "postponed": self.postponed,
            "retrying": self.retrying,
            "failed": self.failed,
            "skipped": self.skipped,
        }


def essential_keys() -> list[str]:
    return [kind.key for kind in kinds.all_kinds() if kind.essential]


def travelling_alone() -> list[str]:
    """Kinds never folded into another email: safety and security, and those with a file."""
    return [kind.key for kind in kinds.all_kinds() if kind.essential or kind.attachment]


def claim(notification_id: int, token: str, now: datetime) -> bool:
    """Take one due, pending row for this attempt. True only for the one worker that wins."""
    won = Notification.objects.filter(
        pk=notification_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_by=token, claimed_at=now)
    return won == 1


def claim_companions(row: Notification, token: str, now: datetime) -> int:
    """Also take the person's other due, non-essential rows, to go out in the same email.
    A row addressed to someone without an account always travels alone."""
    if row.recipient_id is None:
        return 0
    return (
        Notification.objects.filter(
            recipient_id=row.recipient_id,
            practice_id=row.practice_id,
            status=Status.PENDING,
            next_attempt_at__lte=now,
        )
        .exclude(kind__in=travelling_alone())
        .update(status=Status.SENDING, claimed_by=token, claimed_at=now)
    )


def _mine(token: str) -> Any:
    return Notification.objects.filter(claimed_by=token, status=Status.SENDING)


def _suppress(rows: Any, reason: str) -> int:
    return rows.update(status=Status.SUPPRESSED, suppressed_reason=reason, claimed_by="")


def _release(token: str, until: datetime) -> int:
    """Hand the rows back, unsent and without counting an attempt, to go out at ``until``."""
    return _mine(token).update(
        status=Status.PENDING, next_attempt_at=until, claimed_by="", claimed_at=None
    )


def _record_failure(token: str, error: BaseException, now: datetime) -> tuple[int, int]:
    """One more attempt used: try again after a back-off, or stop at the limit."""
    limit = settings.RETRUST_NOTIFY_MAX_ATTEMPTS
    message = f"{type(error).__name__}: {error}"[:300]
    rows = list(_mine(token).values_list("pk", "attempts"))
    retrying = failed = 0
    for pk, attempts in rows:
        attempts += 1
        if attempts >= limit:
            failed += Notification.objects.filter(pk=pk, claimed_by=token).update(
                status=Status.FAILED,
                attempts=attempts,
                last_error=message,
                last_attempt_at=now,
                claimed_by="",
            )
        else:
            wait = backoff(attempts, settings.RETRUST_NOTIFY_RETRY_SECONDS)
            retrying += Notification.objects.filter(pk=pk, claimed_by=token).update(
                status=Status.PENDING,
                attempts=attempts,
                last_error=message,
                last_attempt_at=now,
                next_attempt_at=now + wait,
                claimed_by="",
                claimed_at=None,
            )
    return retrying, failed


def _send_to_address(row: Notification, token: str, connection: Any) -> Outcome:
    """A row addressed to someone without an account: it travels alone, and the app that
    owns its kind builds the email (or says it should no longer go)."""
    outcome = Outcome()
    build_mail = address.address_mail(row.kind)
    if kinds.get(row.kind) is None or build_mail is None:
        outcome.suppressed += _suppress(_mine(token), "unknown_kind")
        return outcome
    message = build_mail(row, connection)
    if message is None:
        outcome.suppressed += _suppress(_mine(token), "not_wanted")
        return outcome
    return _send_and_mark(row, token, message, connection, outcome)


def _send_claimed(row: Notification, token: str, now: datetime, connection: Any) -> Outcome:
    if row.recipient_id is None:
        return _send_to_address(row, token, connection)
    outcome = Outcome()
    kind = kinds.get(row.kind)
    recipient: User = row.recipient  # type: ignore[assignment]
    essential = kind is not None and kind.essential
    if kind is None:
        outcome.suppressed += _suppress(_mine(token), "unknown_kind")
        return outcome
    if not recipient.is_active or not recipient.email:
        outcome.suppressed += _suppress(_mine(token), "no_address")
        return outcome
    if not messaging.may_email(recipient):
        outcome.suppressed += _suppress(_mine(token), "not_safe")
        return outcome
    preference = preference_for(recipient)
    if not essential:
        if preference.channel == Channel.IN_APP:
            outcome.suppressed += _suppress(_mine(token), "in_app")
            return outcome
        off = set(SwitchedOff.objects.filter(user=recipient).values_list("kind", flat=True))
        if off:
            outcome.suppressed += _suppress(_mine(token).filter(kind__in=off), "switched_off")
        # Rows written before their kind was taken out of the registry.
        known = [k.key for k in kinds.all_kinds()]
        outcome.suppressed += _suppress(_mine(token).exclude(kind__in=known), "unknown_kind")
        later = quiet_hours_end(now, preference.zone, preference.quiet_start, preference.quiet_end)
        if later > now:
            outcome.postponed += _release(token, later)
            return outcome
    included = list(_mine(token).values_list("pk", flat=True))
    if not included:
        return outcome
    message = mail.build(
        to=recipient.email,
        user_id=recipient.pk,
        notification_ids=included,
        essential=essential,
        message_settings=MessageSettings.objects.filter(practice_id=row.practice_id).first(),
        connection=connection,
    )
    if kind.attachment is not None:
        made = kind.attachment(row)
        if made is None:
            # What the file was about is gone (e.g. the appointment was removed): nothing to send.
            outcome.suppressed += _suppress(_mine(token), "no_attachment")
            return outcome
        mail.attach(message, *made)
    return _send_and_mark(row, token, message, connection, outcome)


def _send_and_mark(
    row: Notification, token: str, message: Any, connection: Any, outcome: Outcome
) -> Outcome:
    try:
        # One connection for the whole batch: opened here the first time, closed by deliver.
        connection.open()
        message.send()
    except Exception as error:  # any transport failure: retry later, never lose the row
        logger.warning("Sending notification %s failed: %s", row.pk, type(error).__name__)
        outcome.errors.append(type(error).__name__)
        retrying, failed = _record_failure(token, error, timezone.now())
        outcome.retrying += retrying
        outcome.failed += failed
        return outcome
    finished = timezone.now()
    sent = _mine(token).update(
        status=Status.SENT,
        sent_at=finished,
        last_attempt_at=finished,
        attempts=F("attempts") + 1,
        last_error="",
    )
    outcome.sent += sent
    outcome.emails += 1
    return outcome


def deliver(notification_ids: list[int], worker: str | None = None) -> Outcome:
    """Send the given rows (those still pending and due), one email per person."""
    total = Outcome()
    connection = None
    worker = (worker or worker_name())[:40]
    for notification_id in notification_ids:
        now = timezone.now()
        token = f"{worker}:{uuid.uuid4().hex[:16]}"
        if not claim(notification_id, token, now):
            total.skipped += 1
            continue
        row = Notification.objects.select_related("recipient").get(pk=notification_id)
        kind = kinds.get(row.kind)
        if kind is not None and kind.key not in travelling_alone():
            claim_companions(row, token, now)
        if connection is None:
            connection = get_connection()
        try:
            outcome = _send_claimed(row, token, now, connection)
        except Exception:
            # Something other than sending broke: hand the rows back for a later attempt.
            _release(token, now + timedelta(seconds=settings.RETRUST_NOTIFY_RETRY_SECONDS))
            raise
        if outcome.errors:
            # A broken connection is not reused for the next person.
            with contextlib.suppress(Exception):
                connection.close()
            connection = None
        for name in ("sent", "emails", "suppressed", "postponed", "retrying", "failed"):
            setattr(total, name, getattr(total, name) + getattr(outcome, name))
        total.errors.extend(outcome.errors)
    if connection is not None:
        with contextlib.suppress(Exception):
            connection.close()
    return total


def release_stale_claims(now: datetime) -> int:
    """Rows a worker claimed and never finished (it died): back to pending, one attempt used."""
    cutoff = now - timedelta(seconds=settings.RETRUST_NOTIFY_CLAIM_TIMEOUT_SECONDS)
    stale = Notification.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
    limit = settings.RETRUST_NOTIFY_MAX_ATTEMPTS
    given_up = stale.filter(attempts__gte=limit - 1).update(
        status=Status.FAILED,
        last_attempt_at=F("claimed_at"),
        attempts=F("attempts") + 1,
        last_error="The worker sending this stopped before it finished.",
        claimed_by="",
    )
    returned = stale.filter(attempts__lt=limit - 1).update(
        status=Status.PENDING,
        last_attempt_at=F("claimed_at"),
        attempts=F("attempts") + 1,
        last_error="The worker sending this stopped before it finished.",
        next_attempt_at=now,
        claimed_by="",
        claimed_at=None,
    )
    return given_up + returned


def due_ids(now: datetime) -> list[int]:
    """Pending rows whose time has come and that no task is already carrying."""
    stale = now - timedelta(seconds=settings.RETRUST_NOTIFY_CLAIM_TIMEOUT_SECONDS)
    return list(
        Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .filter(
            Q(enqueued_at__isnull=True)
            | Q(enqueued_at__lt=F("next_attempt_at"))
            | Q(enqueued_at__lt=stale)
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)
    )
