"""Where each key page's time goes, in process: SQL round trips, the menu's badges, the rest.

Run, on a database seeded by ``bench_pages.py seed``::

    .venv/bin/python bench/page_breakdown.py \\
        --database-url postgres://postgres@127.0.0.1:5432/retrust_bench_1k

Each page of ``bench_pages.py`` (and a partner's and a clinician's ``/account/``, a page with
nothing but the frame) is requested 40 times through Django's WSGI handler, as gunicorn calls
it (no HTTP, no test client and its template signals), signed in as its persona. It prints the
median of: the whole request, the SQL round trips (every query, timed by a database execute
wrapper), the menu's badges (``registry.badge_for``, their SQL included), and what is left:
Python outside the badges (building ORM queries, rendering templates, middleware).
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages  # noqa: E402

REPEAT = 40


class Clock:
    """Seconds spent in SQL and in the menu's badges during one request."""

    def __init__(self) -> None:
        self.sql = self.badges = self.badge_sql = 0.0
        self.queries = 0
        self.in_badge = False

    def execute(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.sql += took
            self.queries += 1
            if self.in_badge:
                self.badge_sql += took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        help="instead of the table, profile one page (its name in the table) with cProfile and "
        "print the 40 functions with the most time of their own",
    )
    args = parser.parse_args()
    env = bench_pages.environment(args.database_url, 8799, Path(tempfile.mkdtemp()))
    bench_pages.setup_django(env)
    logging.getLogger("retrust.request").setLevel(logging.WARNING)  # one line per request
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection

    from retrust.core import registry

    call_command("collectstatic", "--noinput", verbosity=0)
    who = bench_pages.personas()
    app = WSGIHandler()
    clock = Clock()
    badge_for = registry.badge_for

    def timed_badge(entry: Any, user: Any) -> int:
        clock.in_badge = True
        started = time.perf_counter()
        try:
            return badge_for(entry, user)
        finally:
            clock.badges += time.perf_counter() - started
            clock.in_badge = False

    registry.badge_for = timed_badge

    def cookie(user: Any) -> str:
        client = bench_pages.signed_in_client(user)
        return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())

    def get(path: str, cookies: str) -> str:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "443", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_COOKIE": cookies,
            "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        }  # fmt: skip
        if path.startswith("/api/"):
            environ["HTTP_ACCEPT"] = "application/json"
        status: list[str] = []
        b"".join(app(environ, lambda answer, headers, *_: status.append(answer)))
        return status[0]

    pages = bench_pages.key_pages(who) + [
        ("a partner's /account/", "/account/", "partner"),
        ("a clinician's /account/", "/account/", "heavy"),
    ]
    if args.profile:
        found = [(path, persona) for name, path, persona in pages if name == args.profile]
        if not found:
            names = ", ".join(name for name, _, _ in pages)
            raise SystemExit(f"no page {args.profile!r}; one of: {names}")
        path, persona = found[0]
        return profile(path, cookie(who[persona]) if persona else "", get)
    print(
        "| page | whole request ms | queries | SQL round trips ms | menu badges ms (their SQL "
        "included) | Python outside the badges ms |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, path, persona in pages:
        cookies = cookie(who[persona]) if persona else ""
        if not get(path, cookies).startswith("200"):
            raise SystemExit(f"{path} did not answer 200")
        rows = []
        with connection.execute_wrapper(clock.execute):
            for _ in range(REPEAT):
                clock.__init__()  # type: ignore[misc]
                started = time.perf_counter()
                get(path, cookies)
                whole = time.perf_counter() - started
                rest = whole - clock.sql - (clock.badges - clock.badge_sql)
                rows.append((whole, clock.sql, clock.badges, rest, clock.queries))

        def ms(k: int, rows: list[tuple[float, ...]] = rows) -> float:
            return statistics.median(row[k] for row in rows) * 1000

        print(f"| {name} | {ms(0):.1f} | {rows[-1][4]} | {ms(1):.1f} | {ms(2):.1f} | {ms(3):.1f} |")
    return 0


def profile(path: str, cookies: str, get: Any) -> int:
    """cProfile over REPEAT requests of one page, warm, sorted by time spent in each function."""
    import cProfile
    import pstats

    get(path, cookies)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REPEAT):
        get(path, cookies)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
