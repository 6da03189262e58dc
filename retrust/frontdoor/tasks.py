"""The front door's background work. Arguments are ids only."""

from __future__ import annotations

from django_tasks import task

from retrust.frontdoor import actions


@task()
def write_out_update(update_id: int) -> int:
    """Write a practice update to the outbox for its confirmed subscribers; returns how many."""
    return actions.write_out_update(int(update_id))
