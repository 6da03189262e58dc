from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from retrust.core.models import CaseMember, ClinicianMembership, PracticeRole


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Which menu entries this person gets. Two small queries, whatever the page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {"signed_in": False}}
    roles = set(ClinicianMembership.objects.filter(user=user).values_list("role", flat=True))
    verified = user.is_verified() if hasattr(user, "is_verified") else False
    staff_ready = bool(roles) and verified
    return {
        "nav": {
            "signed_in": True,
            "partner": CaseMember.objects.filter(user=user).exists(),
            "clinician": staff_ready and PracticeRole.CLINICIAN in roles,
            "admin": staff_ready and PracticeRole.ADMIN in roles,
        }
    }
