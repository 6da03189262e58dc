"""Data-rights work in the queue. Arguments are ids only."""

from __future__ import annotations

from django_tasks import task

from retrust.datarights import actions


@task()
def prepare_export_task(export_id: int) -> str:
    export = actions.prepare_export(int(export_id))
    return export.status if export is not None else "gone"


@task()
def shred_departure_task(departure_id: int) -> bool:
    return actions.shred_departure(int(departure_id)) is not None


@task()
def shred_held_task(departure_id: int) -> bool:
    return actions.shred_held(int(departure_id)) is not None
