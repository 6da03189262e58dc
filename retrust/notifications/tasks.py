"""Background tasks (Django's tasks API, the django-tasks backport).

Arguments are ids and JSON only, never model instances or text from a record: they are stored
in the queue (a database table, or Redis) where they outlive the request that wrote them.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from retrust.notifications import delivery
from retrust.notifications.models import Notification

# How many rows one task carries. Small enough that a killed worker strands few of them (they
# come back after the claim timeout), large enough that the queue stays short.
BATCH = 50


@task()
def send_notifications(notification_ids: list[int]) -> dict[str, int]:
    """Send these outbox rows (those still pending and due); returns what happened, as counts."""
    return delivery.deliver([int(pk) for pk in notification_ids]).as_json()


def enqueue_sending(notification_ids: list[int], now: datetime | None = None) -> int:
    """Queue the rows in batches, marking them queued; returns how many tasks were queued."""
    now = now or timezone.now()
    tasks = 0
    # A transaction per twenty tasks: one commit (one disk sync) rather than two per task.
    step = BATCH * 20
    for outer in range(0, len(notification_ids), step):
        with transaction.atomic():
            for start in range(outer, min(outer + step, len(notification_ids)), BATCH):
                batch = [int(pk) for pk in notification_ids[start : start + BATCH]]
                Notification.objects.filter(pk__in=batch).update(enqueued_at=now)
                send_notifications.enqueue(batch)
                tasks += 1
    return tasks
