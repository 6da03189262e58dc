"""Two real workers at once never send the same email, and lose none.

Each test runs ``retrust worker`` twice as separate processes against a database of its own
(a SQLite file, or a PostgreSQL database next to the test database when DATABASE_URL names
one), on the database queue and on Redis, and reads what reached a real SMTP server. The
queue holds several tasks that each carry every row, so the two workers compete for each one;
the SMTP server holds the first message until both workers have a session open, which proves
that they really were sending at the same time.

These tests start processes and migrate a database once per run (about 20 s); they are the
claim's proof on real engines, and the rest of the suite tests the same code in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.notifications.conftest import ROOT, kill_hard, run_python
from tests.support.mail import Inbox, redis_url_for_tests

PEOPLE = 40
COPIES = 4
WORKER_TIMEOUT = 180


def redis_available(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(params=["database", "rq"])
def worker_env(
    request: pytest.FixtureRequest, outside_database: dict[str, str], smtp_inbox: tuple[Inbox, int]
) -> Iterator[tuple[dict[str, str], Inbox]]:
    inbox, port = smtp_inbox
    env = {
        **outside_database,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_TIMEOUT": "30",
    }
    if request.param == "rq":
        url = redis_url_for_tests()
        if not redis_available(url):
            if os.environ.get("RETRUST_REQUIRE_REDIS", "") in {"1", "true", "yes"}:
                pytest.fail(f"Redis is not reachable at {url}")
            pytest.skip(f"Redis is not reachable at {url}")
        env.update({"RETRUST_TASKS": "rq", "REDIS_URL": url})
    yield env, inbox


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "retrust.cli", "worker", "--batch", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def stop_all(workers: list[subprocess.Popen[str]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            kill_hard(worker)


def report(env: dict[str, str]) -> dict[str, Any]:
    return json.loads(run_python(env, "-m", "tests.notifications.race_helper", "report"))


def test_two_workers_at_once_send_every_email_exactly_once(
    worker_env: tuple[dict[str, str], Inbox],
) -> None:
    env, inbox = worker_env
    inbox.hold_until_sessions = 2
    seeded = json.loads(
        run_python(env, "-m", "tests.notifications.race_helper", "seed", str(PEOPLE), str(COPIES))
    )
    assert seeded == {"ids": PEOPLE, "tasks": COPIES}

    workers = [start_worker(env), start_worker(env)]
    try:
        deadline = time.monotonic() + WORKER_TIMEOUT
        for worker in workers:
            worker.wait(timeout=max(1, deadline - time.monotonic()))
            assert worker.returncode == 0, worker.stderr.read()[-3000:] if worker.stderr else ""
    finally:
        stop_all(workers)

    arrived = Counter(inbox.recipients())
    assert len(arrived) == PEOPLE, "an email was lost"
    assert set(arrived.values()) == {1}, f"sent twice: {[a for a, n in arrived.items() if n > 1]}"
    outcome = report(env)
    assert outcome["statuses"] == {"sent": PEOPLE}
    assert outcome["attempts"] == {"1": PEOPLE}
    # Both workers sent some: they really ran side by side (the server saw to that).
    assert len(outcome["senders"]) >= 2, outcome["senders"]
    assert len(inbox.sessions) >= 2


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    worker_env: tuple[dict[str, str], Inbox],
) -> None:
    env, inbox = worker_env
    # The first message is held at the server; the worker sending it is killed meanwhile.
    inbox.hold_until_sessions = 99
    inbox.hold_seconds = 60
    run_python(env, "-m", "tests.notifications.race_helper", "seed", str(PEOPLE), "1")
    doomed = start_worker(env)
    try:
        deadline = time.monotonic() + 60
        while not inbox.sessions and time.monotonic() < deadline:
            time.sleep(0.05)
        assert inbox.sessions, "the worker never started sending"
        time.sleep(0.3)
        kill_hard(doomed)
        # Release the hold only once the server has seen the sender hang up: a message the
        # server accepted after all would rightly be sent again (sending is at least once).
        deadline = time.monotonic() + 30
        while not inbox.abandoned and time.monotonic() < deadline:
            time.sleep(0.05)
        assert inbox.abandoned == 1
    finally:
        stop_all([doomed])
    inbox.hold_until_sessions = 0
    stranded = report(env)["statuses"]
    assert stranded.get("sending", 0) >= 1, stranded

    # The tick hands stranded claims back (here at once: claim timeout 0) and queues them.
    run_python(
        {**env, "RETRUST_NOTIFY_CLAIM_TIMEOUT_SECONDS": "0"},
        "-m",
        "retrust.cli",
        "tick",
    )
    survivor = start_worker(env)
    try:
        survivor.wait(timeout=WORKER_TIMEOUT)
        assert survivor.returncode == 0, survivor.stderr.read()[-3000:] if survivor.stderr else ""
    finally:
        stop_all([survivor])
    arrived = Counter(inbox.recipients())
    assert len(arrived) == PEOPLE, f"lost {PEOPLE - len(arrived)}"
    assert set(arrived.values()) == {1}
    assert report(env)["statuses"] == {"sent": PEOPLE}
