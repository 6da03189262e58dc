"""Reading safety data for pages in any app."""

from __future__ import annotations

from retrust.core.models import CaseMember
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
