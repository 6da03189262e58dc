"""Tasks carry ids and JSON only: what is queued comes back from the queue unchanged, and a
worker of the configured backend runs it."""

from __future__ import annotations

import json

from django.conf import settings

from retrust.notifications.models import Notification, Status
from retrust.notifications.tasks import BATCH, enqueue_sending, send_notifications
from tests.support.mail import run_queued_tasks


def test_task_arguments_survive_a_round_trip_through_json_and_the_queue(partner_b):
    rows = [
        Notification.objects.create(recipient=partner_b, kind="homework", subject=f"x:{n}")
        for n in range(3)
    ]
    ids = [row.pk for row in rows]
    queued = send_notifications.enqueue(ids)
    stored = send_notifications.get_result(queued.id)
    assert list(stored.args) == json.loads(json.dumps([ids]))
    assert stored.kwargs == {}
    # What the task returns is plain JSON as well (stored by the backend as its result).
    assert json.loads(json.dumps(send_notifications.call(*stored.args))) == {
        "sent": 3,
        "emails": 1,
        "suppressed": 0,
        "postponed": 0,
        "retrying": 0,
        "failed": 0,
        "skipped": 2,  # already on their way in the first row's email
    }


def test_the_configured_worker_runs_queued_sends(smtp_server, partner_a, partner_b):
    for n, person in enumerate([partner_a, partner_b]):
        Notification.objects.create(recipient=person, kind="homework", subject=f"x:{n}")
    assert enqueue_sending(list(Notification.objects.values_list("pk", flat=True))) == 1
    assert Notification.objects.filter(enqueued_at__isnull=True).count() == 0
    run_queued_tasks()
    assert sorted(smtp_server.recipients()) == sorted([partner_a.email, partner_b.email])
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


def test_many_rows_are_queued_in_batches(partner_b):
    rows = Notification.objects.bulk_create(
        Notification(recipient=partner_b, kind="homework", subject=f"x:{n}")
        for n in range(BATCH * 2 + 1)
    )
    assert enqueue_sending([row.pk for row in rows]) == 3


def test_the_backend_is_the_one_configured():
    expected = "RQBackend" if settings.RETRUST_TASKS == "rq" else "DatabaseBackend"
    assert type(send_notifications.get_backend()).__name__ == expected
