"""The platform around the product: health check, audit, settings, the `retrust` command."""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from retrust.core import actions, audit
from retrust.core.demo import DEMO_PASSWORD, email_for
from retrust.core.models import (
    AuditEvent,
    Case,
    CaseMember,
    ClinicianMembership,
    Invitation,
    JournalEntry,
    Practice,
    User,
)
from tests.conftest import signed_in_client

ROOT = Path(__file__).resolve().parent.parent
RETRUST = ROOT / ".venv" / "bin" / "retrust"


def text(response) -> str:
    return html.unescape(response.content.decode())


def command_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """A clean environment for a `retrust` subprocess: its own SQLite under ``var_dir``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE", "RETRUST_ENV", "DEBUG"}
        and not key.startswith(("ALLOWED_HOSTS", "SECURE_", "EMAIL_", "FIELD_ENCRYPTION_SALTS"))
    }
    env["RETRUST_VAR_DIR"] = str(var_dir)
    if extra.get("RETRUST_ENV") == "production":
        env["FIELD_ENCRYPTION_SALTS"] = "a-production-salt-for-tests"
        env["EMAIL_HOST"] = "smtp.example.org"
        env["RETRUST_BASE_URL"] = "https://retrust.example.org"
    env.update(extra)
    return env


def run_retrust(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RETRUST), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- health check -------------------------------------------------------------------------


def test_healthz_says_ok_when_the_database_answers(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["status"] == "ok"


def test_healthz_says_unavailable_when_the_database_does_not_answer(db):
    with mock.patch(
        "django.db.connection.cursor", side_effect=OperationalError("database is locked")
    ):
        response = Client().get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] != "ok"
    assert "locked" not in response.content.decode()  # no internals leak out
    assert Client().get("/healthz").status_code == 200  # and it recovers


def test_healthz_needs_no_sign_in_even_for_unverified_staff(clinician):
    from django.test import Client as PlainClient

    client = PlainClient()
    client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/healthz").status_code == 200


# --- the audit trail ----------------------------------------------------------------------


def test_audit_events_cannot_be_changed_or_removed(practice):
    event = audit.record(None, "retrust.test.happened", practice=practice, details={"n": 1})
    event.details = {"n": 2}
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(details={"n": 3})
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.details == {"n": 1}
    assert stored.action == "retrust.test.happened"


def test_audit_action_names_are_namespaced(practice):
    with pytest.raises(ValueError, match="retrust."):
        audit.record(None, "case.created", practice=practice)
    assert not AuditEvent.objects.exists()


def test_audit_masks_sensitive_details_whatever_an_action_passes(practice, clinician):
    event = audit.record(
        clinician,
        "retrust.test.masked",
        practice=practice,
        details={
            "password": "hunter2-hunter2",
            "token": "abc123",
            "body": "what I wrote in my journal",
            "answers": [1, 2, 3],
            "secret": "s",
            "Password": "upper-case key",
            "form": {"password": "nested", "role": "partner_a"},
            "role": "partner_a",
        },
    )
    stored = AuditEvent.objects.get(pk=event.pk).details
    dumped = json.dumps(stored)
    for leaked in ("hunter2", "abc123", "journal", "upper-case key", "nested"):
        assert leaked not in dumped
    assert stored["password"] == stored["token"] == stored["body"] == "[masked]"
    assert stored["role"] == "partner_a"
    assert stored["form"]["role"] == "partner_a"
    assert stored["form"]["password"] == "[masked]"
    assert event.actor_email == "clinician@example.org"


def test_audit_rows_carry_the_request_id(partner_a, case):
    client = signed_in_client(partner_a)
    client.post(
        f"/cases/{case.pk}/journal/",
        {"body": "a line", "visibility": "private"},
        headers={"X-Request-ID": "req-1234-abcd"},
    )
    event = AuditEvent.objects.get(action="retrust.journal.written")
    assert event.request_id == "req-1234-abcd"
    assert "a line" not in json.dumps(event.details)


@pytest.fixture
def audit_world(practice, other_practice, clinician, other_clinician, case):
    """Events in this practice on different days, by different people, plus one elsewhere."""
    other_case = Case.objects.create(practice=practice, label="Other case")

    def add(action: str, actor: User | None, day: int, the_case: Case | None = None) -> None:
        AuditEvent.objects.create(
            action=action,
            actor=actor,
            actor_email=actor.email if actor else "",
            practice=practice,
            case=the_case,
            created_at=datetime(2025, 3, day, 12, 0, tzinfo=UTC),
        )

    add("retrust.case.created", clinician, 1, case)
    add("retrust.case.member.joined", None, 2, case)
    add("retrust.invitation.created", other_clinician, 3, other_case)
    partner = User.objects.create_user("cy@example.org", "a calm river at dawn")
    add("retrust.journal.written", partner, 4, other_case)
    AuditEvent.objects.create(
        action="retrust.elsewhere.happened",
        practice=other_practice,
        created_at=datetime(2025, 3, 2, tzinfo=UTC),
    )
    return {"case": case, "other_case": other_case}


def audit_actions(response) -> list[str]:
    """Actions listed on the page ("clinical" for a clinical row, which names none), leaving
    out the viewer's own sign-in."""
    rows = re.findall(r"<tr><td>.*?</tr>", text(response), flags=re.S)
    found = [
        match.group(1)
        if (match := re.search(r"<code>(retrust\.[a-z_.]+)</code>", row))
        else "clinical"
        if "Clinical record changed" in row
        else "?"
        for row in rows
    ]
    return [action for action in found if action != "retrust.user.signed_in"]


def test_the_audit_page_lists_only_this_practice_newest_first(admin, audit_world):
    response = signed_in_client(admin).get("/practice/audit/")
    assert response.status_code == 200
    assert audit_actions(response) == [
        "clinical",
        "retrust.invitation.created",
        "retrust.case.member.joined",
        "retrust.case.created",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=retrust.case", ["retrust.case.member.joined", "retrust.case.created"]),
        ("action=retrust.case.member", ["retrust.case.member.joined"]),
        ("actor=other.clinician", ["retrust.invitation.created"]),
        ("actor=CLINICIAN@EXAMPLE.ORG", ["retrust.invitation.created", "retrust.case.created"]),
        ("since=2025-03-03", ["clinical", "retrust.invitation.created"]),
        ("until=2025-03-02", ["retrust.case.member.joined", "retrust.case.created"]),
        ("since=2025-03-02&until=2025-03-02", ["retrust.case.member.joined"]),
        ("action=retrust.nothing", []),
    ],
)
def test_the_audit_page_filters(admin, audit_world, query, expected):
    response = signed_in_client(admin).get(f"/practice/audit/?{query}")
    assert response.status_code == 200
    assert audit_actions(response) == expected
    if not expected:
        assert "No events match" in text(response)


def test_the_audit_page_filters_by_case(admin, audit_world):
    client = signed_in_client(admin)
    by_case = client.get(f"/practice/audit/?case={audit_world['other_case'].pk}")
    assert audit_actions(by_case) == ["clinical", "retrust.invitation.created"]


def test_a_bad_audit_filter_says_so_and_does_not_crash(admin, audit_world):
    response = signed_in_client(admin).get("/practice/audit/?since=not-a-date&case=abc")
    assert response.status_code == 200
    assert "Enter a valid date" in text(response)
    assert "Enter a whole number" in text(response)


@pytest.mark.parametrize("persona", ["clinician", "partner_a", "other_practice_clinician"])
def test_only_the_practice_admin_opens_the_audit_page(client_for, persona, audit_world):
    assert client_for(persona).get("/practice/audit/").status_code == 404


# --- settings -----------------------------------------------------------------------------


def _production_secret() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(64))


def test_the_production_profile_passes_the_deploy_checks_without_warnings(tmp_path):
    env = command_env(
        tmp_path,
        RETRUST_ENV="production",
        SECRET_KEY=_production_secret(),
        ALLOWED_HOSTS="retrust.example.org",
    )
    result = run_retrust("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output
    assert "WARNINGS" not in output


def test_a_weak_production_secret_key_is_flagged(tmp_path):
    env = command_env(
        tmp_path, RETRUST_ENV="production", SECRET_KEY="short", ALLOWED_HOSTS="retrust.example.org"
    )
    result = run_retrust("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = command_env(tmp_path, RETRUST_ENV="production", ALLOWED_HOSTS="retrust.example.org")
    result = run_retrust("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set SECRET_KEY or SECRET_KEY_FILE in production." in (
        result.stderr
    )
    assert not (tmp_path / "secret_key").exists()  # no key quietly generated


def test_production_refuses_to_start_without_field_encryption_salts(tmp_path):
    env = command_env(
        tmp_path,
        RETRUST_ENV="production",
        SECRET_KEY=_production_secret(),
        ALLOWED_HOSTS="retrust.example.org",
    )
    del env["FIELD_ENCRYPTION_SALTS"]
    result = run_retrust("check", env=env)
    assert result.returncode != 0
    assert "Set FIELD_ENCRYPTION_SALTS" in result.stderr
    assert not (tmp_path / "field_salt").exists()  # no salt quietly generated


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    env = command_env(tmp_path, RETRUST_ENV="production", SECRET_KEY=_production_secret())
    result = run_retrust("check", env=env)
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(_production_secret() + "\n")
    env = command_env(
        tmp_path,
        RETRUST_ENV="production",
        SECRET_KEY_FILE=str(key_file),
        ALLOWED_HOSTS="retrust.example.org",
    )
    result = run_retrust("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unknown_environment_name_is_refused(tmp_path):
    result = run_retrust("check", env=command_env(tmp_path, RETRUST_ENV="prod"))
    assert result.returncode != 0
    assert "RETRUST_ENV must be development, test or production" in result.stderr


def test_sqlite_runs_in_wal_mode(db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("WAL is SQLite's; this run uses " + connection.vendor)
    script = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); print('mode=' + c.fetchone()[0])\n"
        "    c.execute('PRAGMA foreign_keys'); print('fk=' + str(c.fetchone()[0]))\n"
    )
    result = run_retrust("shell", "-c", script, env=command_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "mode=wal" in result.stdout
    assert "fk=1" in result.stdout
    assert (tmp_path / "retrust.sqlite3").exists()


# --- the `retrust` command ----------------------------------------------------------------


def _demo_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Practice,
            User,
            Case,
            CaseMember,
            JournalEntry,
            Invitation,
            ClinicianMembership,
            TOTPDevice,
            AuditEvent,
        )
    }


def test_the_demo_seeds_once_and_is_safe_to_run_again(db):
    first_out, second_out = StringIO(), StringIO()
    call_command("demo", no_serve=True, stdout=first_out)
    first = _demo_counts()
    call_command("demo", no_serve=True, stdout=second_out)
    assert _demo_counts() == first
    assert first["Practice"] == 1 and first["Case"] == 6

    cases = Case.objects.all()
    assert sorted(c.status for c in cases) == sorted(
        ["invited", "intake", "active", "active", "active", "closed"]
    )
    assert {c.track for c in cases} >= {"conjoint", "individual", "discernment"}
    invited = Case.objects.get(status="invited")
    assert not invited.members.exists()
    assert invited.invitations.pending().count() == 2
    individual = Case.objects.get(track="individual")
    assert individual.members.count() == 1
    for case in cases:
        assert case.clinicians.exists()

    assert DEMO_PASSWORD in first_out.getvalue()
    assert email_for("priya") in first_out.getvalue()
    assert first_out.getvalue() == second_out.getvalue()


def test_demo_accounts_sign_in_with_the_printed_password(db):
    call_command("demo", no_serve=True, stdout=StringIO())
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": email_for("priya"), "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/home/").status_code == 200


def test_otpcode_prints_the_current_code_of_a_demo_account(db):
    call_command("demo", no_serve=True, stdout=StringIO())
    out = StringIO()
    call_command("otpcode", email_for("maya"), stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    device = TOTPDevice.objects.get(user__email=email_for("maya"))
    assert device.verify_token(code)


def test_otpcode_refuses_a_non_demo_email(clinician):
    with pytest.raises(CommandError, match="Only demo accounts"):
        call_command("otpcode", "clinician@example.org", stdout=StringIO())
    with pytest.raises(CommandError, match="Only demo accounts"):
        call_command("otpcode", "someone@demo.retrust.example.evil.org", stdout=StringIO())


def test_createpractice_prints_a_working_invitation_link(db):
    out = StringIO()
    call_command(
        "createpractice",
        "Riverside Couples Clinic",
        admin_email="A@Example.org",
        admin_name="Ada",
        stdout=out,
    )
    practice = Practice.objects.get(slug="riverside-couples-clinic")
    match = re.search(
        r"Invitation for a@example\.org: http://127\.0\.0\.1:8000(/invite/(\S+)/)", out.getvalue()
    )
    assert match, out.getvalue()
    invitation = actions.find_invitation(match.group(2))
    assert invitation is not None
    assert (invitation.practice, invitation.role, invitation.state) == (
        practice,
        "admin",
        "pending",
    )

    client = Client()
    response = client.post(
        match.group(1),
        {
            "display_name": "",
            "password": "tea by the window",
            "password_again": "tea by the window",
        },
    )
    assert response.status_code == 302
    assert ClinicianMembership.objects.filter(
        practice=practice, user__email="a@example.org", role="admin"
    ).exists()


def test_createpractice_refuses_a_duplicate_name(db):
    call_command("createpractice", "Twice", admin_email="a@example.org", stdout=StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("createpractice", "Twice", admin_email="b@example.org", stdout=StringIO())
    assert Practice.objects.count() == 1
    assert Invitation.objects.count() == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_serve_answers_health_checks_and_stops_cleanly_on_sigterm(tmp_path):
    env = command_env(tmp_path)
    migrated = run_retrust("migrate", "--no-input", env=env, timeout=120)
    assert migrated.returncode == 0, migrated.stderr

    port = _free_port()
    server = subprocess.Popen(
        [str(RETRUST), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        status, body = None, b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status, body = r.status, r.read()
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.2)
        assert status == 200
        assert json.loads(body)["status"] == "ok"

        server.send_signal(signal.SIGTERM)
        started = time.monotonic()
        returncode = server.wait(timeout=10)
        assert returncode == 0, server.stdout.read()
        assert time.monotonic() - started < 5
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
