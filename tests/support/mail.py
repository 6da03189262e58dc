"""A real SMTP server for tests that send mail, and helpers to read what came and run the queue.

``smtp_server`` starts aiosmtpd on a free local port and points Django's SMTP backend at it;
what arrives is parsed with the standard library, as a mail program would. The server can be
told to refuse the next few messages (``refuse_next``) to exercise retries, and to hold each
message until a given number of sessions are sending at once (``hold_until_sessions``), which
proves that two workers really sent side by side. ``run_queued_tasks`` runs what the task
queue holds with the configured backend's own worker.

The fixtures are imported by ``tests/conftest.py``, so every test module can use them.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from threading import Lock
from typing import Any
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core.management import call_command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server received, parsed."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse_next: int = 0
    hold_until_sessions: int = 0
    hold_seconds: float = 20.0
    sessions: set[int] = field(default_factory=set)
    # Messages whose sender hung up while the server still held them: never accepted.
    abandoned: int = 0
    lock: Lock = field(default_factory=Lock)

    def recipients(self) -> list[str]:
        return [addr for _, rcpts in self.envelopes for addr in rcpts]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)

    # aiosmtpd handler hooks ---------------------------------------------------------------

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        self.sessions.add(id(session))
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        deadline = time.monotonic() + self.hold_seconds
        try:
            while len(self.sessions) < self.hold_until_sessions and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        except asyncio.CancelledError:  # the connection was lost while held
            with self.lock:
                self.abandoned += 1
            raise
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 4.3.0 Please try again later"
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(
                message_from_bytes(envelope.content, policy=email_policy.default)  # type: ignore[arg-type]
            )
        return "250 Message accepted"


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    """A running SMTP server on a free port: (its inbox, its port)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(smtp_inbox: tuple[Inbox, int], settings: Any) -> Inbox:
    """Django's email goes to the local SMTP server for this test."""
    inbox, port = smtp_inbox
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "Quiet Harbour Therapy <care@quiet-harbour.example>"
    settings.RETRUST_NOTIFY_FROM_EMAIL = "updates@mail.example"
    settings.RETRUST_BASE_URL = "https://retrust.example"
    return inbox


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def redis_url_for_tests() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"


def run_queued_tasks() -> None:
    """Run every queued task in this process with the configured backend's own worker."""
    if django_settings.RETRUST_TASKS == "rq":
        import django_rq
        from django_tasks_rq.backend import Job
        from rq import SimpleWorker

        queue = django_rq.get_queue("default", job_class=Job)
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
        return
    # The worker closes "old" connections between tasks; inside a test's transaction that would
    # close the test's own connection (PostgreSQL), so here it is left open.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", batch=True, verbosity=0)


@pytest.fixture(autouse=True)
def _empty_redis_queue() -> Iterator[None]:
    """Under RETRUST_TASKS=rq, leave no queued job of one test behind for the next."""
    yield
    if django_settings.RETRUST_TASKS == "rq":
        import django_rq

        django_rq.get_queue("default").empty()
