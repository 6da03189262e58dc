"""The front door: a consultation request the person sent with the address they sign in with,
and that address on a practice's updates list.

A request belongs to a practice, not to an account; the one link to a person is the contact
address they typed. Their copy holds such requests and their place on an updates list; when
they leave, the request's personal parts (name, contact, safe times, their words) are blanked
and its status history stays, the address leaves every updates list, and the outbox forgets
the emails it sent to that address.
"""

from __future__ import annotations

from typing import Any

from retrust.core.datarights import Counts, Exporter, Leaving, Sections, Shredder, when
from retrust.frontdoor.models import ConsultationRequest, Subscriber
from retrust.notifications.models import Notification


def _requests(email: str) -> Any:
    return ConsultationRequest.objects.filter(contact__iexact=email.strip())


def _subscriptions(email: str) -> Any:
    return Subscriber.objects.filter(email__iexact=email.strip())


def _emails_to(email: str) -> Any:
    return Notification.objects.filter(recipient=None, to_address__iexact=email.strip())


def export(user: Any) -> Sections:
    return {
        "updates_lists": [
            {
                "status": s.get_status_display(),
                "signed_up": when(s.signed_up_at),
                "confirmed": when(s.confirmed_at),
                "unsubscribed": when(s.unsubscribed_at),
            }
            for s in _subscriptions(user.email).order_by("signed_up_at", "id")
        ],
        "consultation_requests": [
            {
                "sent": when(r.created_at),
                "name": r.name,
                "contact": r.contact,
                "safe_times": r.safe_times,
                "times_that_suited_you": r.preferred_slots,
                "what_trust_means_to_you": r.trust_means,
                "hopes": r.hopes,
            }
            for r in _requests(user.email).order_by("created_at", "id")
        ],
    }


def plan(leaving: Leaving) -> Counts:
    email = leaving.user.email
    return {
        "consultation requests blanked": _requests(email).count(),
        "updates-list addresses": _subscriptions(email).count(),
        "emails to the address": _emails_to(email).count(),
    }


def shred(leaving: Leaving) -> Counts:
    blanked = _requests(leaving.user.email).update(
        name="",
        contact="",
        safe_times="",
        preferred_slots=[],
        trust_means="",
        hopes="",
        self_check={},
    )
    email = leaving.user.email
    _, removed = _subscriptions(email).delete()
    _, emails = _emails_to(email).delete()
    return {
        "consultation requests blanked": blanked,
        "updates-list addresses": removed.get("frontdoor.Subscriber", 0),
        "emails to the address": emails.get("notifications.Notification", 0),
    }


EXPORTER = Exporter("frontdoor", export)
SHREDDER = Shredder("frontdoor", plan=plan, shred=shred)
