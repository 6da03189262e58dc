"""The front door: a consultation request the person sent with the address they sign in with.

A request belongs to a practice, not to an account; the one link to a person is the contact
address they typed. Their copy holds such requests; when they leave, the request's personal
parts (name, contact, safe times, their words) are blanked and its status history stays.
"""

from __future__ import annotations

from typing import Any

from retrust.core.datarights import Counts, Exporter, Leaving, Sections, Shredder, when
from retrust.frontdoor.models import ConsultationRequest


def _requests(email: str) -> Any:
    return ConsultationRequest.objects.filter(contact__iexact=email.strip())


def export(user: Any) -> Sections:
    return {
        "consultation_requests": [
            {
                "sent": when(r.created_at),
                "name": r.name,
                "contact": r.contact,
                "safe_times": r.safe_times,
                "what_trust_means_to_you": r.trust_means,
                "hopes": r.hopes,
            }
            for r in _requests(user.email).order_by("created_at", "id")
        ]
    }


def plan(leaving: Leaving) -> Counts:
    return {"consultation requests blanked": _requests(leaving.user.email).count()}


def shred(leaving: Leaving) -> Counts:
    blanked = _requests(leaving.user.email).update(
        name="", contact="", safe_times="", trust_means="", hopes="", self_check={}
    )
    return {"consultation requests blanked": blanked}


EXPORTER = Exporter("frontdoor", export)
SHREDDER = Shredder("frontdoor", plan=plan, shred=shred)
