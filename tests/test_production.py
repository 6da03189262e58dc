"""Running retrust for real: key rotation, links in email, logs, error reports, /healthz.

Each test states what an operator or a person would notice if it broke.
"""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sentry_sdk
from django.conf import settings
from django.core import mail, signing
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from retrust.core import fieldkeys, observability
from retrust.core.models import JournalEntry
from tests.conftest import signed_in_client
from tests.support.mail import run_queued_tasks
from tests.test_demo_and_production import environment, load_settings, production
from tests.test_invitations import open_case

OLD_KEY = "the-old-signing-key-" + "o" * 40
NEW_KEY = "the-new-signing-key-" + "n" * 40


# --- rotating the secret key ------------------------------------------------------------------


def test_a_session_made_with_the_old_key_still_works_after_rotation(partner_a):
    with override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[]):
        kept, dropped = signed_in_client(partner_a), signed_in_client(partner_a)
        assert kept.get("/home/").status_code == 200
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        assert kept.get("/home/").status_code == 200
    # Without the old key listed, such a session is signed out: the fallback is what works.
    # (Django re-signs a session the fallback let in, so `kept` now lives on the new key.)
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        assert dropped.get("/home/").status_code == 302
        assert kept.get("/home/").status_code == 200


def test_a_signed_value_made_with_the_old_key_still_validates_after_rotation():
    with override_settings(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[]):
        signed = signing.dumps({"case": 7}, salt="retrust.test")
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        assert signing.loads(signed, salt="retrust.test") == {"case": 7}
    with (
        override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]),
        pytest.raises(signing.BadSignature),
    ):
        signing.loads(signed, salt="retrust.test")


@pytest.fixture
def keys():
    """Switch the field-encryption keys inside a test, then put them back."""
    stack: list[Any] = []

    def use(secret: str, fallbacks: list[str]) -> None:
        override = override_settings(SECRET_KEY=secret, SECRET_KEY_FALLBACKS=fallbacks)
        override.enable()
        stack.append(override)
        fieldkeys.forget()

    yield use
    for override in reversed(stack):
        override.disable()
    fieldkeys.forget()


def test_encrypted_records_survive_a_rotation_and_reencrypt_retires_the_old_key(
    partner_a, case, keys
):
    keys(OLD_KEY, [])
    JournalEntry.objects.create(case=case, author=partner_a, body="what I could not say")

    keys(NEW_KEY, [OLD_KEY])
    assert JournalEntry.objects.get().body == "what I could not say"
    call_command("reencrypt", stdout=io.StringIO())

    keys(NEW_KEY, [])
    assert JournalEntry.objects.get().body == "what I could not say"


def test_without_the_old_key_records_cannot_be_read_and_reencrypt_changes_nothing(
    partner_a, case, keys
):
    keys(OLD_KEY, [])
    JournalEntry.objects.create(case=case, author=partner_a, body="what I could not say")
    keys(NEW_KEY, [])
    # The field library hands back the ciphertext when no key opens it.
    assert JournalEntry.objects.get().body.startswith("gAAAAA")
    with pytest.raises(CommandError, match="cannot be opened"):
        call_command("reencrypt", stdout=io.StringIO())
    # Refused before writing: with the old key listed again, the entry still opens.
    keys(NEW_KEY, [OLD_KEY])
    assert JournalEntry.objects.get().body == "what I could not say"


def test_every_encrypted_field_shares_one_derivation_per_process():
    fieldkeys.derive.cache_clear()
    fieldkeys.forget()
    fields = [
        model._meta.get_field(name)
        for model, names in fieldkeys.encrypted_fields()
        for name in names
    ]
    assert len(fields) > 10
    for field in fields:
        assert field.f is not None
    assert fieldkeys.derive.cache_info().misses == 1


# --- production refuses what would silently fail ----------------------------------------------


def test_production_refuses_to_start_without_a_mail_server(tmp_path):
    env = production(tmp_path)
    del env["RETRUST_EMAIL_CONSOLE"]
    result = load_settings(env)
    assert result.returncode != 0
    assert "No mail server is set" in result.stderr
    assert "RETRUST_EMAIL_CONSOLE=1" in result.stderr


def test_production_starts_with_console_email_when_told_so_explicitly(tmp_path):
    assert load_settings(production(tmp_path)).returncode == 0


def test_production_refuses_to_start_without_its_base_url(tmp_path):
    env = production(tmp_path)
    del env["RETRUST_BASE_URL"]
    result = load_settings(env)
    assert result.returncode != 0
    assert "Set RETRUST_BASE_URL" in result.stderr


def test_the_sqlite_database_is_created_readable_by_its_owner_only(tmp_path):
    assert load_settings(environment(tmp_path)).returncode == 0
    database = tmp_path / "retrust.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_serve_production_refuses_while_migrations_are_unapplied(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "retrust.cli", "serve", "--production", "--port", "8829"],
        env=production(tmp_path),
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "not applied yet" in result.stderr
    assert "retrust migrate" in result.stderr


# --- every link in an email starts with RETRUST_BASE_URL -----------------------------------------

BASE = "https://care.quiet-harbour.example"


@override_settings(RETRUST_BASE_URL_SET=True, RETRUST_BASE_URL=BASE)
def test_an_invitation_link_starts_with_the_base_url_not_the_request_host(
    clinician, django_capture_on_commit_callbacks
):
    client = signed_in_client(clinician)
    client.defaults["HTTP_HOST"] = "127.0.0.1"  # the address the request came in on
    with django_capture_on_commit_callbacks(execute=True):
        response = open_case(client)
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert f"{BASE}/invite/" in message.body
        assert "127.0.0.1" not in message.body


@override_settings(RETRUST_BASE_URL_SET=True, RETRUST_BASE_URL=BASE)
def test_a_password_reset_link_starts_with_the_base_url_whatever_the_host_header(partner_a):
    Client().post("/accounts/password-reset/", {"email": partner_a.email}, HTTP_HOST="127.0.0.1")
    assert len(mail.outbox) == 1
    assert re.search(rf"{re.escape(BASE)}/accounts/password-reset/\S+/\S+/", mail.outbox[0].body)
    assert "127.0.0.1" not in mail.outbox[0].body


@override_settings(RETRUST_BASE_URL_SET=True, RETRUST_BASE_URL=BASE)
def test_createpractice_prints_an_invitation_at_the_base_url(
    db, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("createpractice", "Quiet Harbour", admin_email="ines@example.org", stdout=out)
    assert f"{BASE}/invite/" in out.getvalue()
    assert f"{BASE}/invite/" in mail.outbox[0].body


# --- logs carry the request id ----------------------------------------------------------------


def test_production_logs_are_json_lines_with_the_request_id(db):
    stream = io.StringIO()
    config = observability.logging_config(json_lines=True, level="INFO")
    logging.config.dictConfig(config)
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        Client().get("/healthz", HTTP_X_REQUEST_ID="req-4242abcd")
    finally:
        logging.config.dictConfig(settings.LOGGING)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    request_lines = [line for line in lines if line["logger"] == "retrust.request"]
    assert request_lines, stream.getvalue()
    assert request_lines[0]["request_id"] == "req-4242abcd"
    assert request_lines[0]["path"] == "/healthz"
    assert request_lines[0]["status"] == 200


# --- errors to Sentry, without what anyone wrote -------------------------------------------------

PLANTED = "PLANTED-journal-text-I-kept-the-messages-secret"


class CapturingTransport(sentry_sdk.transport.Transport):
    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.envelopes: list[Any] = []

    def capture_envelope(self, envelope: Any) -> None:
        self.envelopes.append(envelope)

    def raw(self) -> str:
        out = io.BytesIO()
        for envelope in self.envelopes:
            envelope.serialize_into(out)
        return out.getvalue().decode("utf-8", "replace")


def test_an_error_reaches_sentry_without_the_journal_text_that_caused_it(
    partner_a, case, monkeypatch
):
    transport = CapturingTransport()
    observability.init_sentry(
        "https://public@sentry.example.invalid/1", environment="test", transport=transport
    )
    try:

        def breaks(author: Any, case: Any, *, body: str, visibility: str) -> None:
            logging.getLogger("retrust.test").warning("about to save %s", body)
            raise RuntimeError(f"could not save {body}")

        monkeypatch.setattr("retrust.core.actions.write_journal_entry", breaks)
        client = signed_in_client(partner_a)
        client.raise_request_exception = False
        response = client.post(
            f"/cases/{case.pk}/journal/?note={PLANTED}",
            {"body": PLANTED, "visibility": "private"},
            HTTP_X_REQUEST_ID="req-sentry-0001",
        )
        assert response.status_code == 500
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)
    raw = transport.raw()
    assert "RuntimeError" in raw  # the error did reach Sentry...
    assert PLANTED not in raw  # ...without anything the partner wrote...
    assert "req-sentry-0001" in raw  # ...and findable by its request id.
    assert "sessionid" not in raw


# --- /healthz -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_the_tick_the_worker_and_the_queue_wait():
    before = Client().get("/healthz").json()
    assert before["background"] == {"tick": {"state": "never"}, "worker": {"state": "never"}}

    call_command("tick")
    middle = Client().get("/healthz").json()["background"]
    assert middle["tick"]["state"] == "ok"
    assert middle["worker"] == {"state": "never"}  # queued, not yet run by a worker

    run_queued_tasks()
    after = Client().get("/healthz").json()["background"]
    assert after["worker"]["state"] == "ok"
    assert after["worker"]["seconds_since"] <= 5
    assert after["worker"]["queue_wait_seconds"] >= 0
