"""The email a notification becomes: the same few neutral lines, whatever it is about.

It is read first by whoever sees the recipient's screen or inbox, who may be the person they
fear. So the subject and sender name are the practice's neutral ones, the body says only that
something is waiting and links to the sign-in page, and there are no names, no questionnaire
names and no clinical words in it. One-click unsubscribe (RFC 8058) is offered on everything
that is not a safety or security message.

The sign-in link carries no ``next=``: it is the same bare address in every email, because a
path that changed with what the email is about would say what it is about. None is needed:
signing in lands a partner on their home page, which leads with "Waiting for you", and a
clinician on their caseload, high alerts first; someone already signed in goes straight there.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from retrust.notifications.models import (
    DEFAULT_NEUTRAL_SUBJECT,
    DEFAULT_SENDER_NAME,
    MessageSettings,
    Notification,
)

UNSUBSCRIBE_SALT = "retrust.notifications.unsubscribe"


def unsubscribe_token(user_id: int, notification_ids: Iterable[int]) -> str:
    """A signed, non-expiring token naming a person and the outbox rows one email carried.

    Signed, not secret: anyone holding the email can decode it. So it names rows by their id
    and never their kinds ("checkin" in a link would say what the email was about); the kinds
    are looked up when the link is used.
    """
    return signing.dumps({"u": user_id, "n": sorted(set(notification_ids))}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, list[str]]:
    """The person and the kinds one link switches off; ``signing.BadSignature`` if the token
    was not ours. Tokens of emails sent before ids were used name their kinds ("k")."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("Not an unsubscribe token.")
    ids = [pk for pk in data.get("n", []) if isinstance(pk, int)]
    found = Notification.objects.filter(pk__in=ids, recipient_id=data["u"]).values_list(
        "kind", flat=True
    )
    kinds = {*found, *(kind for kind in data.get("k", []) if isinstance(kind, str))}
    return data["u"], sorted(kinds)


def absolute(path: str) -> str:
    return f"{settings.RETRUST_BASE_URL}{path}"


def sender(message_settings: MessageSettings | None) -> tuple[str, str]:
    """(from address with the practice's neutral name, neutral subject)."""
    name = message_settings.sender_name if message_settings else DEFAULT_SENDER_NAME
    subject = message_settings.neutral_subject if message_settings else DEFAULT_NEUTRAL_SUBJECT
    _, address = parseaddr(settings.RETRUST_NOTIFY_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL)
    return formataddr((name or DEFAULT_SENDER_NAME, address)), subject or DEFAULT_NEUTRAL_SUBJECT


def build(
    *,
    to: str,
    user_id: int,
    notification_ids: list[int],
    essential: bool,
    message_settings: MessageSettings | None,
    connection: Any = None,
) -> EmailMessage:
    from_address, subject = sender(message_settings)
    unsubscribe_url = (
        ""
        if essential
        else absolute(
            reverse(
                "notifications:unsubscribe", args=[unsubscribe_token(user_id, notification_ids)]
            )
        )
    )
    body = render_to_string(
        "notifications/email.txt",
        {
            "sign_in_url": absolute(reverse("login")),
            "unsubscribe_url": unsubscribe_url,
            "essential": essential,
        },
    )
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=from_address,
        to=[to],
        headers=headers,
        connection=connection,
    )
