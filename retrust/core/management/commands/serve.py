from __future__ import annotations

import contextlib
import signal
import sys
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from retrust.core import registry


def _stop_on_sigterm() -> None:
    """Turn SIGTERM into the same clean shutdown as Ctrl-C (exit status 0)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def serve(port: int, host: str = "127.0.0.1", *, background: bool = True) -> None:
    """Serve as people will meet retrust, with the apps' background work beside it.

    The demo is for showing the product, and a debug page for a mistyped address lists every
    route and setting. So DEBUG is off here whatever the environment says (use
    ``retrust runserver`` with DEBUG=1 to develop); WhiteNoise serves the static files. The
    background work (the notifications worker and the minute tick) is registered by its app
    (``core.registry.background``) and runs as child processes that stop with the server.
    """
    settings.DEBUG = False
    _stop_on_sigterm()
    with contextlib.ExitStack() as stack:
        if background:
            for start in registry.BACKGROUND:
                stack.enter_context(start(sys.stdout))
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
