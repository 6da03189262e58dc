"""Emails to an address, for people without an account (a visitor, someone on an updates list).

The app that owns such a kind registers how its email is built; this app only delivers it, so
it never learns what a front-door email says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage

# Called with the outbox row (its kind, subject, occasion, address, practice) and the SMTP
# connection; returns the email, or None when it should no longer go (e.g. the person has
# unsubscribed since the row was written).
AddressMail = Callable[[Any, Any], EmailMessage | None]

_ADDRESS_MAIL: dict[str, AddressMail] = {}


def register_address_mail(kind_key: str, build_mail: AddressMail) -> None:
    _ADDRESS_MAIL[kind_key] = build_mail


def address_mail(kind_key: str) -> AddressMail | None:
    return _ADDRESS_MAIL.get(kind_key)
