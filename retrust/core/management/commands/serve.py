from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

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


def unapplied_migrations() -> list[str]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    """gunicorn's command line: sync workers, each serving one request at a time.

    A worker that hangs for ``--timeout`` seconds, or dies, is replaced by the master; each
    worker is replaced after about 2,000 requests so that no slow leak grows for weeks.
    """
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "retrust.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        # Load the application once in the master (see retrust/wsgi.py), then fork.
        "--preload",
        "--timeout",
        str(settings.RETRUST_WEB_TIMEOUT),
        "--graceful-timeout",
        "20",
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        "--forwarded-allow-ips",
        settings.RETRUST_FORWARDED_ALLOW_IPS,
        "--pid",
        str(settings.VAR_DIR / "gunicorn.pid"),
        # gunicorn's control socket lives in one shared place per user; two retrusts on one
        # machine would fight over it, and nothing here uses it.
        "--no-control-socket",
        "--access-logfile",
        "-" if settings.RETRUST_ACCESS_LOG else "/dev/null",
    ]


def static_sources_stamp() -> str:
    """A fingerprint of every static file the finders see, and of how they are stored."""
    digest = hashlib.sha256(str(settings.STORAGES["staticfiles"]).encode())
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> bool:
    """Run collectstatic unless nothing changed since the last run; True if it ran."""
    stamp_file = Path(settings.STATIC_ROOT) / ".retrust-collected"
    stamp = static_sources_stamp()
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp_file.write_text(stamp)
    return True


def serve_production(port: int, host: str, workers: int, *, background: bool = True) -> int:
    """gunicorn with ``workers`` processes, and the background work beside it.

    Static files are collected first (WhiteNoise serves them, compressed and cached forever
    under hashed names). Refuses to start with migrations left to apply: the web workers would
    fail on the first page that needs them.
    """
    pending = unapplied_migrations()
    if pending:
        raise CommandError(
            f"{len(pending)} database migration(s) are not applied yet (first: {pending[0]}). "
            "Run `retrust migrate`, then start again."
        )
    collect_static()
    _stop_on_sigterm()
    with contextlib.ExitStack() as stack:
        if background:
            for start in registry.BACKGROUND:
                stack.enter_context(start(sys.stdout))
        web = subprocess.Popen(gunicorn_command(host, port, workers))  # noqa: S603
        sys.stdout.write(
            f"retrust is serving on http://{host}:{port}/ with {workers} web workers "
            f"(gunicorn master pid {web.pid}).\n"
        )
        sys.stdout.flush()
        try:
            return web.wait()
        except KeyboardInterrupt:
            # gunicorn finishes the requests in hand on SIGTERM, then stops.
            web.terminate()
            try:
                return web.wait(timeout=30)
            except subprocess.TimeoutExpired:
                web.kill()
                return web.wait()


class Command(BaseCommand):
    help = (
        "Serve retrust on http://127.0.0.1:PORT with the worker and the tick beside it: one "
        "process (demo), or gunicorn with several workers (--production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--no-background",
            action="store_true",
            help="Don't start the worker and the tick (run them yourself).",
        )
        parser.add_argument(
            "--production",
            action="store_true",
            help="Serve with gunicorn (several processes) instead of the one-process server.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.RETRUST_WEB_WORKERS,
            help="With --production: gunicorn worker processes (default RETRUST_WEB_WORKERS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["production"]:
            if options["workers"] < 1:
                raise CommandError("--workers must be 1 or more.")
            status = serve_production(
                options["port"],
                options["host"],
                options["workers"],
                background=not options["no_background"],
            )
            if status:
                raise CommandError(f"gunicorn stopped with status {status}.")
            return
        serve(options["port"], options["host"], background=not options["no_background"])
