"""Notification tests: the worker race helpers (processes on a database of their own).

The SMTP server and the queue runner are in ``tests/support/mail.py``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_python(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and modules
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="session")
def outside_database(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for processes that use a migrated database of their own."""
    var = tmp_path_factory.mktemp("race-var")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RETRUST_VAR_DIR": str(var),
        "RETRUST_ENV": "development",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("RETRUST_TASKS", None)
    url = os.environ.get("DATABASE_URL", "")
    if url:
        import psycopg

        parts = urlsplit(url)
        # One database per test process when the suite runs on several (pytest-xdist).
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        name = f"{parts.path.lstrip('/') or 'retrust'}_race{worker}"
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    run_python(env, "-m", "retrust.cli", "migrate", "--verbosity", "0")
    return env


def descendants(pid: int) -> list[int]:
    """Child processes, all the way down (RQ's work horse leaves its parent's process group)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_hard(worker: subprocess.Popen[str]) -> None:
    """SIGKILL the worker and everything it started, as a crash would."""
    for pid in [*descendants(worker.pid), worker.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.wait()
