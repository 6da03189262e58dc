"""Hole 10: the demo shows friendly pages only, and production refuses what would be unsafe.

A mistyped address in the demo (a wrong letter case, say) gets the friendly 404, never
Django's debug page listing every route. ``RETRUST_ENV=production`` refuses to start with
DEBUG on, and refuses ``retrust demo`` and ``retrust otpcode``: they would create accounts
with a published password and print two-factor codes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from retrust.core.models import User

PROJECT = Path(__file__).resolve().parent.parent


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "RETRUST_ENV", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        PYTHONPATH=str(PROJECT),
        RETRUST_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="retrust.settings",
        STATIC_ROOT=str(var_dir / "static"),
    )
    env.update(extra)
    return env


def production(var_dir: Path, **extra: str) -> dict[str, str]:
    return environment(
        var_dir,
        RETRUST_ENV="production",
        SECRET_KEY="not-a-real-secret-" + "x" * 40,
        ALLOWED_HOSTS="retrust.example.org",
        FIELD_ENCRYPTION_SALTS="a-test-salt",
        RETRUST_BASE_URL="https://retrust.example.org",
        RETRUST_EMAIL_CONSOLE="1",
        **extra,
    )


def load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- production refuses DEBUG ----------------------------------------------------------------


@pytest.mark.parametrize("debug", ["1", "true", "on"])
def test_production_refuses_to_start_with_debug_on(tmp_path, debug):
    result = load_settings(production(tmp_path, DEBUG=debug))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG is on, and production never runs with it" in result.stderr


def test_production_starts_with_debug_off(tmp_path):
    result = load_settings(production(tmp_path))
    assert result.returncode == 0, result.stderr
    assert load_settings(production(tmp_path, DEBUG="0")).returncode == 0


# --- production refuses the demo commands ----------------------------------------------------


@override_settings(RETRUST_ENV="production")
def test_production_refuses_the_demo_and_creates_nothing(db):
    with pytest.raises(CommandError) as refused:
        call_command("demo", "--no-serve")
    assert "RETRUST_ENV=production" in str(refused.value)
    assert "published password" in str(refused.value)
    assert not User.objects.exists()


@override_settings(RETRUST_ENV="production")
def test_production_refuses_to_print_two_factor_codes(db):
    with pytest.raises(CommandError) as refused:
        call_command("otpcode", "maya@demo.retrust.example")
    assert "RETRUST_ENV=production" in str(refused.value)
    assert "two-factor codes" in str(refused.value)


def test_the_demo_commands_refuse_in_a_real_production_process(tmp_path):
    for command in (["demo", "--no-serve"], ["otpcode", "maya@demo.retrust.example"]):
        result = subprocess.run(
            [sys.executable, "-m", "retrust.cli", *command],
            env=production(tmp_path),
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0, command
        assert "doesn't run when RETRUST_ENV=production" in result.stderr, command


# --- the served demo never shows debug pages -------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local server)
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture
def served(tmp_path):
    """``retrust serve`` in its own process, as the demo runs it, with DEBUG=1 asked for."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "retrust.cli", "serve", "--port", str(port)],
        env=environment(tmp_path, DEBUG="1"),
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("retrust serve did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_served_demo_answers_a_wrong_case_address_with_the_friendly_404(served):
    for path in ("/Accounts/Login/", "/HOME/", "/no/such/page/"):
        status, body, _ = fetch(served + path)
        assert status == 404, path
        assert "We couldn't find that page" in body, path
        assert "URLconf" not in body and "DEBUG = True" not in body, path
        assert "accounts/password-reset" not in body, path


def test_the_served_demo_still_serves_its_static_files(served):
    status, body, headers = fetch(served + "/static/retrust/site.css")
    assert status == 200
    assert "no-store" not in headers.get("Cache-Control", "")
    assert body.strip()


def test_the_test_client_gets_the_friendly_404_for_a_wrong_case_address(db):
    response = Client().get("/Accounts/Login/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()
