"""The front door's emails to people without an account, sent through the notification outbox.

Each is a ``visitor`` kind: it never appears on anyone's settings page, and its outbox row names
an address instead of a person. The confirmation of a request and the updates-list confirmation
are content-free: the practice's neutral sender name, a plain subject, no names and no clinical
words — whoever glances at the inbox learns nothing. An update is the admin's own text, sent
only to addresses that confirmed they want it, with a one-click unsubscribe (RFC 8058).
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from retrust.notifications import kinds
from retrust.notifications.address import register_address_mail
from retrust.notifications.mail import absolute, sender
from retrust.notifications.models import MessageSettings, Notification

CONSULTATION_RECEIVED = kinds.Kind(
    "consultation_received", "We received your request", "visitor", essential=True
)
UPDATES_CONFIRM = kinds.Kind(
    "updates_confirm", "Confirm you want the practice's updates", "visitor", essential=True
)
PRACTICE_UPDATE = kinds.Kind("practice_update", "An update from the practice", "visitor")

RECEIVED_SUBJECT = "We received your request"
CONFIRM_SUBJECT = "Please confirm your email address"

CONFIRM_SALT = "retrust.frontdoor.updates.confirm"
UNSUBSCRIBE_SALT = "retrust.frontdoor.updates.unsubscribe"
# How long a confirmation link works.
CONFIRM_MAX_AGE = 7 * 24 * 3600


def confirm_token(subscriber_id: int, nonce: str) -> str:
    return signing.dumps({"s": subscriber_id, "n": nonce}, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> tuple[int, str]:
    """(subscriber id, nonce); ``signing.SignatureExpired`` when old, ``BadSignature`` when not
    ours."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise signing.BadSignature("Not a confirmation link.")
    return data["s"], str(data.get("n", ""))


def unsubscribe_token(subscriber_id: int) -> str:
    """A signed, non-expiring token: the one-click unsubscribe must work on an old email too."""
    return signing.dumps({"s": subscriber_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> int:
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise signing.BadSignature("Not an unsubscribe link.")
    return int(data["s"])


def _subject_id(row: Notification) -> int | None:
    _, _, pk = row.subject.partition(":")
    return int(pk) if pk.isdigit() else None


def _message(
    row: Notification,
    connection: Any,
    *,
    subject: str | None,
    text: str,
    html: str = "",
    unsubscribe_url: str = "",
) -> EmailMultiAlternatives:
    found = MessageSettings.objects.filter(practice_id=row.practice_id).first()
    from_address, _neutral = sender(found)
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject or _neutral,
        body=text,
        from_email=from_address,
        to=[row.to_address],
        headers=headers,
        connection=connection,
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def consultation_received(row: Notification, connection: Any) -> EmailMultiAlternatives:
    text = render_to_string("frontdoor/email/received.txt")
    return _message(row, connection, subject=RECEIVED_SUBJECT, text=text)


def updates_confirm(row: Notification, connection: Any) -> EmailMultiAlternatives | None:
    from retrust.frontdoor.models import Subscriber, SubscriberStatus

    found = Subscriber.objects.filter(
        pk=_subject_id(row), email=row.to_address, status=SubscriberStatus.PENDING
    ).first()
    if found is None:
        return None  # confirmed, unsubscribed or gone since: nothing to confirm
    slug = found.practice.slug
    link = absolute(reverse("updates_confirm", args=[slug, confirm_token(found.pk, found.nonce)]))
    text = render_to_string("frontdoor/email/confirm.txt", {"confirm_url": link})
    return _message(row, connection, subject=CONFIRM_SUBJECT, text=text)


def practice_update(row: Notification, connection: Any) -> EmailMultiAlternatives | None:
    from retrust.frontdoor.models import PracticeUpdate, Subscriber, SubscriberStatus
    from retrust.program.content import render_markdown

    update = PracticeUpdate.objects.filter(pk=_subject_id(row), practice_id=row.practice_id).first()
    subscriber = Subscriber.objects.filter(
        practice_id=row.practice_id, email=row.to_address, status=SubscriberStatus.CONFIRMED
    ).first()
    if update is None or subscriber is None:
        return None  # unsubscribed after the update was written out
    slug = subscriber.practice.slug
    unsubscribe_url = absolute(
        reverse("updates_unsubscribe", args=[slug, unsubscribe_token(subscriber.pk)])
    )
    context = {
        "update": update,
        "body_html": render_markdown(update.body),
        "unsubscribe_url": unsubscribe_url,
    }
    return _message(
        row,
        connection,
        subject=update.subject,
        text=render_to_string("frontdoor/email/update.txt", context),
        html=render_to_string("frontdoor/email/update.html", context),
        unsubscribe_url=unsubscribe_url,
    )


def register() -> None:
    for kind, build in (
        (CONSULTATION_RECEIVED, consultation_received),
        (UPDATES_CONFIRM, updates_confirm),
        (PRACTICE_UPDATE, practice_update),
    ):
        kinds.register(kind)
        register_address_mail(kind.key, build)
