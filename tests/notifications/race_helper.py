"""Seed and read the outside database of the worker race tests (run as a module).

    python -m tests.notifications.race_helper seed PEOPLE COPIES
    python -m tests.notifications.race_helper report

``seed`` empties the database (and the Redis queue under RETRUST_TASKS=rq), writes one due
notification for each of PEOPLE people, and queues COPIES tasks that each carry every one of
them, in different orders, so that workers running at once compete for every row. ``report``
prints, as JSON, what became of the rows and which workers sent them.
"""

from __future__ import annotations

import json
import os
import random
import sys
from collections import Counter


def seed(people: int, copies: int) -> dict[str, object]:
    from django.conf import settings
    from django.core.management import call_command

    from retrust.core.models import Practice, User
    from retrust.notifications.models import Notification
    from retrust.notifications.tasks import send_notifications

    call_command("flush", interactive=False, verbosity=0)
    if settings.RETRUST_TASKS == "rq":
        import django_rq

        django_rq.get_queue("default").empty()
    practice = Practice.objects.create(name="Race Practice", slug="race")
    users = User.objects.bulk_create(
        User(email=f"person{n}@example.org", display_name=f"Person {n}") for n in range(people)
    )
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=user, practice=practice, kind="homework", subject=f"program.assignment:{n}"
        )
        for n, user in enumerate(users)
    )
    ids = [row.pk for row in rows]
    shuffler = random.Random(7)  # noqa: S311 - only an order
    for _ in range(copies):
        order = ids[:]
        shuffler.shuffle(order)
        send_notifications.enqueue(order)
    return {"ids": len(ids), "tasks": copies}


def report() -> dict[str, object]:
    from retrust.notifications.models import Notification

    rows = list(Notification.objects.values("status", "attempts", "claimed_by"))
    senders = {
        ":".join(row["claimed_by"].split(":")[:2]) for row in rows if row["status"] == "sent"
    }
    return {
        "statuses": dict(Counter(row["status"] for row in rows)),
        "attempts": dict(Counter(str(row["attempts"]) for row in rows)),
        "senders": sorted(senders),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrust.settings")
    import django

    django.setup()
    command = sys.argv[1]
    if command == "seed":
        result = seed(int(sys.argv[2]), int(sys.argv[3]))
    elif command == "report":
        result = report()
    else:
        raise SystemExit(f"Unknown command {command!r}")
    print(json.dumps(result))  # noqa: T201


if __name__ == "__main__":
    main()
