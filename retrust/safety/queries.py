"""Reading safety data for pages in any app."""

from __future__ import annotations

from retrust.core import pause
from retrust.core.models import CaseMember, Practice
from retrust.safety.models import CrisisResource


def resources_for(user: object) -> list[CrisisResource]:
    """The crisis resources a person should see: their practice's, or every practice's."""
    practice_ids: list[int] = []
    if getattr(user, "is_authenticated", False):
        practice_ids = list(
            CaseMember.objects.filter(user=user).values_list("case__practice_id", flat=True)
        ) + list(user.memberships.values_list("practice_id", flat=True))  # type: ignore[attr-defined]
    resources = CrisisResource.objects.select_related("practice")
    if practice_ids:
        resources = resources.filter(practice_id__in=practice_ids)
    return list(resources.order_by("practice__name", "position", "name"))


def shown_pause_wording(practice: Practice) -> str:
    """What both partners read once their clinician has moved to individual sessions.

    The same words ``core.pause.message_for`` gives a partner of a case whose pause is shown,
    for the clinician's and the admin's previews.
    """
    return practice.pause_wording or pause.DEFAULT_SHOWN_MESSAGE
