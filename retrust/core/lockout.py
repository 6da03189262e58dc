"""The name django-axes counts wrong passwords against.

Sign-in finds the account whatever the letter case and ignores spaces around the address
(``UserManager.get_by_natural_key`` matches case-insensitively; the form strips spaces), so
the lockout must count the same name: otherwise ``Sam@…`` and `` sam@… `` each get their own
five tries at the same account.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def normalise_username(value: object) -> str:
    """The one spelling of a sign-in name: spaces around it removed, lower case."""
    return str(value or "").strip().lower()


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the normalised name from the credentials or the form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        return normalise_username(credentials.get(field))
    data = getattr(request, "POST", None) or {}
    return normalise_username(data.get(field))
