"""A worker and a once-a-minute tick as child processes of ``retrust demo`` / ``retrust serve``.

So that a newcomer's demo sends its reminders with nothing else to start. The children are
stopped when the parent stops (SIGTERM, Ctrl-C) and, on Linux, also if it dies outright.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import TextIO

PR_SET_PDEATHSIG = 1
TICK_SECONDS = 60


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to send the child SIGTERM if the parent dies without cleaning up."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and our own command
        [sys.executable, "-m", "retrust.cli", *args],
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - only calls prctl
        env=os.environ.copy(),
    )


def stop(children: list[subprocess.Popen[bytes]], timeout: float = 10) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@contextlib.contextmanager
def background_work(out: TextIO | None = None) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Run a worker and the tick beside whatever runs inside the ``with`` block."""
    children = [_spawn("worker"), _spawn("tick", "--every", str(TICK_SECONDS))]
    if out is not None:
        out.write(
            f"Background worker (pid {children[0].pid}) and minute tick (pid {children[1].pid}) "
            "started; they stop with this server.\n"
        )
    try:
        yield children
    finally:
        stop(children)
