from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from retrust.core import policy, registry
from retrust.core.models import PracticeRole


def leave_url() -> str:
    """Where "Leave quickly" goes: the practice's choice, or our own neutral page."""
    return getattr(settings, "RETRUST_LEAVE_URL", "") or reverse("away")


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which menu entries this person gets (registered by the apps): one small query
    (``policy.roles``), then each entry's badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {"signed_in": False, "leave_url": leave_url()}}
    roles = policy.roles(user)
    verified = user.is_verified() if hasattr(user, "is_verified") else False
    staff_ready = bool(roles & policy.STAFF_ROLES) and verified
    audiences = set()
    if policy.PARTNER_ROLE in roles:
        audiences.add("partner")
    if staff_ready and PracticeRole.CLINICIAN in roles:
        audiences.add("clinician")
    if staff_ready and PracticeRole.ADMIN in roles:
        audiences.add("admin")
    match = getattr(request, "resolver_match", None)
    here = match.url_name if match is not None else None
    entries = [
        {
            "label": entry.label,
            "url": reverse(entry.url_name),
            "current": here == entry.url_name or here in entry.current,
            "badge": registry.badge_for(entry, user),
        }
        for entry in registry.nav_for(audiences)
    ]
    return {
        "nav": {
            "signed_in": True,
            "partner": "partner" in audiences,
            "clinician": "clinician" in audiences,
            "admin": "admin" in audiences,
            "entries": entries,
            "leave_url": leave_url(),
        }
    }
