"""The front door's part of the demo: a published practice page, one article, one request, and
two addresses on the updates list (one confirmed, one waiting)."""

from __future__ import annotations

from typing import Any

from retrust.core.models import ClinicianMembership, Practice, PracticeRole
from retrust.frontdoor import actions
from retrust.frontdoor.models import Article, ClinicianProfile, PracticePage, Subscriber


def seed(practice: Practice, partners: dict[str, Any], created: bool) -> None:
    if not created:
        return
    PracticePage.objects.create(
        practice=practice,
        published=True,
        about=(
            "We are a small team of couples therapists. We work with couples after an affair, "
            "after broken promises, or when you have simply drifted apart — and with one "
            "partner alone, when only one of you is ready."
        ),
        fees="- A first conversation: 30 minutes, free\n- Sessions: 50 minutes",
        contact="Weekdays 9:00–17:00. *This is a demo practice: nobody will call.*",
    )
    for membership in ClinicianMembership.objects.filter(
        practice=practice, role=PracticeRole.CLINICIAN
    ).select_related("user"):
        ClinicianProfile.objects.create(
            practice=practice,
            user=membership.user,
            bio="Works with couples rebuilding trust, at a pace that feels safe to both.",
        )
    Article.objects.create(
        practice=practice,
        title="Why trust comes back slowly",
        body=(
            "Trust returns through **small promises kept**, again and again — not through one "
            "big apology.\n\n## What helps\n\n- Saying what you will do, and doing it\n"
            "- Noticing, out loud, when your partner does"
        ),
        published=True,
    )
    actions.request_consultation(
        practice,
        address="192.0.2.1",
        submission_key="demo-request",
        data={
            "name": "Jo",
            "contact_method": "email",
            "contact": "jo@example.net",
            "safe_times": "Evenings after 7",
            "leave_message": "name_only",
            "trust_means": "Not having to check.",
            "hopes": "That we can talk without it turning into a fight.",
        },
    )
    for email, status in (("river@example.net", "confirmed"), ("wren@example.net", "pending")):
        Subscriber.objects.create(
            practice=practice,
            email=email,
            status=status,
            nonce=f"demo-{status}",
            sender="demo",
            network="demo",
        )
