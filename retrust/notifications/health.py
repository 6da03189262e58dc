"""Queue lag for ``/healthz``: how long due messages have waited, and the task backlog."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from retrust.notifications.models import Notification, Status

logger = logging.getLogger(__name__)


def _task_backlog() -> int | None:
    """Tasks queued and not yet started, or None when the queue cannot be read."""
    try:
        if settings.RETRUST_TASKS == "rq":
            import django_rq

            return int(django_rq.get_queue("default").count)
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.ready().count()
    except Exception as error:  # a queue that can't be read is reported, never fatal here
        logger.warning("Task queue unreadable for /healthz: %s", type(error).__name__)
        return None


def _outbox() -> dict[str, Any]:
    now = timezone.now()
    try:
        due = Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        oldest = due.aggregate(oldest=Min("next_attempt_at"))["oldest"]
        return {
            "due": due.count(),
            "oldest_due_seconds": int((now - oldest).total_seconds()) if oldest else 0,
            "failed": Notification.objects.filter(status=Status.FAILED).count(),
        }
    except Exception as error:  # e.g. migrations not applied yet: say so, stay up
        logger.warning("Outbox unreadable for /healthz: %s", type(error).__name__)
        return {"outbox": "unreadable"}


def queue_lag() -> dict[str, Any]:
    """Numbers only, no names: safe on an endpoint that needs no sign-in.

    ``oldest_due_seconds`` is how long the longest-waiting due email has waited (0: none).
    """
    backlog = _task_backlog()
    return {
        "notifications": _outbox(),
        "tasks": {
            "backend": settings.RETRUST_TASKS,
            "backlog": backlog,
            "queue": "ok" if backlog is not None else "unreachable",
        },
    }
