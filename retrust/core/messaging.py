"""Whether retrust may send a person anything: one rule for every message that leaves the app.

A partner whose private safety screen says that email or notifications are not safe where they
live gets nothing from retrust — no invitation, no password reset, no reminder — until their
clinician clears it with them in session. Pages answer exactly as usual, so nobody who types
their address into a form can tell.
"""

from __future__ import annotations

from typing import Any

from retrust.core.models import User


def may_email(user: Any) -> bool:
    """False while the person has told retrust that messages aren't safe for them."""
    return user is not None and getattr(user, "messages_unsafe_since", None) is None


def may_email_address(email: str) -> bool:
    """``may_email`` for an address that may or may not belong to an account yet."""
    return not User.objects.filter(
        email__iexact=(email or "").strip(), messages_unsafe_since__isnull=False
    ).exists()
