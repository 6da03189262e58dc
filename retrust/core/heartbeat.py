"""Proof that the background work runs: the tick beats, and sends a worker a heartbeat task.

Each tick records its own beat and queues one tiny task; the worker that runs it records when
it ran and how long it waited in the queue. ``/healthz`` reports both ages and that wait, so
a stopped worker, a stopped tick or a backed-up queue shows within a couple of minutes, on
the database queue and on Redis alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django_tasks import task

from retrust.core.models import Heartbeat

TICK = "tick"
WORKER = "worker"
# A beat older than this is "late": three missed minute ticks.
LATE_AFTER_SECONDS = 180


def beat(name: str, *, lag_seconds: float | None = None) -> None:
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now(), "lag_seconds": lag_seconds}
    )


@task()
def worker_heartbeat(queued_at: str) -> None:
    """Run by whichever worker takes it: records that a worker runs and the queue's wait."""
    waited = (timezone.now() - datetime.fromisoformat(queued_at)).total_seconds()
    beat(WORKER, lag_seconds=round(max(waited, 0.0), 3))


def tick_beat() -> None:
    """Called once per tick: the tick's own beat, and a heartbeat task for a worker."""
    beat(TICK)
    worker_heartbeat.enqueue(timezone.now().isoformat())


def report() -> dict[str, Any]:
    """Numbers only, for ``/healthz``: seconds since each beat, and the queue's last wait."""
    now = timezone.now()
    beats = {row.name: row for row in Heartbeat.objects.filter(name__in=[TICK, WORKER])}
    result: dict[str, Any] = {}
    for name in (TICK, WORKER):
        row = beats.get(name)
        if row is None:
            result[name] = {"state": "never"}
            continue
        age = int((now - row.beat_at).total_seconds())
        entry: dict[str, Any] = {
            "state": "ok" if age <= LATE_AFTER_SECONDS else "late",
            "seconds_since": age,
        }
        if name == WORKER:
            entry["queue_wait_seconds"] = row.lag_seconds
        result[name] = entry
    return {"background": result}
