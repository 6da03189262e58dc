from __future__ import annotations

import contextlib
import signal
import sys
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def _stop_on_sigterm() -> None:
    """Turn SIGTERM into the same clean shutdown as Ctrl-C (exit status 0)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def serve(port: int, host: str = "127.0.0.1", *, background: bool = True) -> None:
    """Serve, with a background worker and the once-a-minute tick as child processes."""
    from retrust.notifications.background import background_work

    _stop_on_sigterm()
    work = background_work(sys.stdout) if background else contextlib.nullcontext()
    with work:
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)


class Command(BaseCommand):
    help = "Serve retrust on http://127.0.0.1:PORT (a single process; use gunicorn in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--no-background",
            action="store_true",
            help="Don't start the worker and the tick (run them yourself).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve(options["port"], options["host"], background=not options["no_background"])
