from __future__ import annotations

from typing import Any

from django import template

from retrust.threads.models import Thread

register = template.Library()


@register.simple_tag(takes_context=True)
def waiting_reply(context: Any, case_id: int) -> int:
    """How many of the case's threads wait for a clinician's reply (the case page). One query."""
    user = context["request"].user
    return (
        Thread.objects.visible_to(user).filter(case_id=case_id, waiting_since__isnull=False).count()
    )
