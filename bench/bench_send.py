"""Sending: emails per second through a local SMTP server with one and two workers, and what
a worker killed with SIGKILL in the middle of a batch costs (duplicates and losses, counted).

A throwaway SQLite database (WAL) holds N due outbox rows, one per person, queued the way the
tick queues them (tasks of ``tasks.BATCH`` rows on the database task backend). Real
``retrust worker --batch`` processes send them to an aiosmtpd server running in this process,
which parses every message as a mail program would.

The kill: two workers start on N rows; once a third of the emails have arrived one worker and
everything it started get SIGKILL. The other finishes what it can; then the tick runs as it
would after the claim timeout (here set to 0 s) and hands the dead worker's claimed rows back;
a fresh worker sends them. Every person must then have exactly one email: the script prints
the duplicates and the losses it counted, per round.

Run: .venv/bin/python bench/bench_send.py [N] [KILL_ROUNDS]    (default: 2000 3)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seed(people: int) -> None:
    """(In a child process.) Empty the database and queue one due row per person."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrust.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from retrust.core.models import Practice, User
    from retrust.notifications.models import Notification
    from retrust.notifications.tasks import enqueue_sending

    call_command("flush", interactive=False, verbosity=0)
    practice = Practice.objects.create(name="Bench Practice", slug="bench")
    users = User.objects.bulk_create(User(email=f"person{n}@bench.example") for n in range(people))
    rows = Notification.objects.bulk_create(
        Notification(recipient=user, practice=practice, kind="homework", subject=f"x:{n}")
        for n, user in enumerate(users)
    )
    enqueue_sending([row.pk for row in rows])


def statuses() -> None:
    """(In a child process.) What became of the rows, as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrust.settings")
    import django

    django.setup()
    from retrust.notifications.models import Notification

    print(json.dumps(dict(Counter(Notification.objects.values_list("status", flat=True)))))


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout


def worker(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "retrust.cli", "worker", "--batch", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def counted(inbox: object, people: int) -> tuple[int, int]:
    """(duplicates, losses) among what reached the server."""
    arrived = Counter(inbox.recipients())  # type: ignore[attr-defined]
    duplicates = sum(n - 1 for n in arrived.values())
    return duplicates, people - len(arrived)


def main(people: int, rounds: int) -> None:
    from aiosmtpd.controller import Controller

    from tests.notifications.conftest import kill_hard
    from tests.support.mail import Inbox, free_port

    var = tempfile.mkdtemp(prefix="retrust-bench-send-")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RETRUST_VAR_DIR": var,
        "RETRUST_ENV": "development",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_TIMEOUT": "30",
    }
    for name in ("DATABASE_URL", "RETRUST_TASKS", "REDIS_URL"):
        env.pop(name, None)
    run(env, "-m", "retrust.cli", "migrate", "--verbosity", "0")
    script = str(Path(__file__).resolve())
    print(f"SQLite in {var}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")

    for workers in (1, 2):
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10)
        controller.start()
        try:
            run(env, script, "seed", str(people))
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            running = [worker(env) for _ in range(workers)]
            # Timed from the first email to the last: a worker's start-up (Django, the
            # database) is paid once per process, not per email.
            while not inbox.messages and all(p.poll() is None for p in running):
                time.sleep(0.005)
            first = time.perf_counter()
            while len(inbox.messages) < people and any(p.poll() is None for p in running):
                time.sleep(0.005)
            last = time.perf_counter()
            for process in running:
                process.wait()
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            duplicates, losses = counted(inbox, people)
        finally:
            controller.stop()
        rate = (len(inbox.messages) - 1) / max(last - first, 1e-9)
        cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (
            cpu_before.ru_utime + cpu_before.ru_stime
        )
        print(
            f"{workers} worker{'s' if workers > 1 else ''}: start-up {first - started:.1f} s, then "
            f"{len(inbox.messages):,} emails in {last - first:.1f} s = {rate:,.0f} emails/s; "
            f"the workers' CPU {cpu:.1f} s in all (start-up included) = "
            f"{people / cpu:,.0f} emails per CPU second (duplicates {duplicates}, losses {losses})",
            flush=True,
        )

    for round_ in range(1, rounds + 1):
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10)
        controller.start()
        try:
            run(env, script, "seed", str(people))
            doomed, other = worker(env), worker(env)
            while len(inbox.messages) < people // 3 and doomed.poll() is None:
                time.sleep(0.01)
            kill_hard(doomed)
            killed_at = len(inbox.messages)
            other.wait()
            stranded = json.loads(run(env, script, "statuses"))
            # The tick after the claim timeout (0 s here) hands the dead worker's rows back.
            run({**env, "RETRUST_NOTIFY_CLAIM_TIMEOUT_SECONDS": "0"}, "-m", "retrust.cli", "tick")
            worker(env).wait()
            duplicates, losses = counted(inbox, people)
            final = json.loads(run(env, script, "statuses"))
        finally:
            controller.stop()
        print(
            f"kill round {round_}: SIGKILL after {killed_at:,} of {people:,} emails; "
            f"left behind {stranded}; after the tick and a fresh worker {final}; "
            f"duplicates {duplicates}, losses {losses}",
            flush=True,
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "seed":
        seed(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "statuses":
        statuses()
    else:
        numbers = [int(n) for n in sys.argv[1:]]
        main(*(numbers + [2000, 3][len(numbers) :]))
