from __future__ import annotations

import json
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from retrust.core import heartbeat
from retrust.notifications.tick import run_tick


class Command(BaseCommand):
    help = (
        "Find what is due, write it to the outbox (once), and queue the sending. Run it every "
        "minute from cron or a systemd timer, or keep it running with --every 60."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Keep running, one tick every this many seconds (0: tick once and stop).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if not every:
            self._tick(options["verbosity"])
            return
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            started = time.monotonic()
            try:
                self._tick(options["verbosity"])
            except Exception as error:  # one bad tick must not stop the next
                self.stderr.write(f"Tick failed: {type(error).__name__}: {error}")
            finally:
                close_old_connections()
            while not stopping and time.monotonic() - started < every:
                time.sleep(0.5)

    def _tick(self, verbosity: int) -> None:
        result = run_tick()
        heartbeat.tick_beat()
        # Quiet at the default verbosity: cron mails whatever a job prints, every minute.
        if verbosity >= 2:
            self.stdout.write(json.dumps(result.as_json()))
