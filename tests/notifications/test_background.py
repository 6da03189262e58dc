"""`retrust serve` (and so `retrust demo`) runs a worker and the minute tick as its children,
and takes them down with it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.notifications.conftest import ROOT, descendants
from tests.support.mail import free_port

MANAGE = [sys.executable, "-m", "retrust.cli"]


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_serve_starts_a_worker_and_the_tick_and_stops_them_on_sigterm(outside_database):
    env = {**outside_database}
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [*MANAGE, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    children: list[int] = []
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.3)
        assert body is not None and body["status"] == "ok"
        assert body["tasks"] == {"backend": "database", "backlog": 0, "queue": "ok"}
        assert body["notifications"]["due"] == 0

        children = descendants(server.pid)
        lines = [command_line(pid) for pid in children]
        assert any("retrust.cli worker" in line for line in lines), lines
        assert any("retrust.cli tick --every 60" in line for line in lines), lines

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
        for pid in children:
            assert not Path(f"/proc/{pid}").exists() or "retrust.cli" not in command_line(pid)
    finally:
        for pid in [*children, server.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.wait()
