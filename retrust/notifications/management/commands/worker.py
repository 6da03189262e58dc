from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from retrust.notifications.delivery import worker_name

QUEUE = "default"


class Command(BaseCommand):
    help = (
        "Run the background worker for the configured queue: the database (default) or Redis "
        "(RETRUST_TASKS=rq). Run one or more; they never send the same email twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is queued now, then stop (for tests and one-off runs).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Database queue only: seconds to wait when the queue is empty (default 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        if settings.RETRUST_TASKS == "rq":
            call_command(
                "rqworker",
                QUEUE,
                job_class="django_tasks_rq.backend.Job",
                burst=options["batch"],
                with_scheduler=True,
                verbosity=verbosity,
            )
            return
        call_command(
            "db_worker",
            queue_name=QUEUE,
            batch=options["batch"],
            interval=options["interval"],
            reload=False,
            startup_delay=not options["batch"],
            worker_id=worker_name()[:64],
            verbosity=verbosity,
        )
