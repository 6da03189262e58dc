"""What the conversations app shows on other apps' pages, through the core registry."""

from __future__ import annotations

from typing import Any

from retrust.conversations import queries
from retrust.conversations.models import HurtfulMomentReview
from retrust.core.registry import Panel

SHOWN = 5


def case_page(access: Any) -> Panel | None:
    """The clinician's case page: hurtful moments a partner asked to take to the next session,
    shown just below the sessions app's "Next session" block, until the clinician marks each
    talked through. Nothing when none is waiting. One query."""
    if access.is_partner:
        return None
    asked = list(
        access.read(HurtfulMomentReview.objects, queries.REVIEWS)
        .filter(for_session_at__isnull=False, talked_through_at__isnull=True)
        .select_related("for_session_by")
        .order_by("-for_session_at", "-pk")[:SHOWN]
    )
    if not asked:
        return None
    return Panel(
        "conversations/_case_panel.html",
        {"asked": asked},
        order=12,
    )
