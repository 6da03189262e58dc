"""Start the production stack and try it the way people will: a bounded smoke and load run.

    .venv/bin/python bench/deploy_smoke.py                       # SQLite, the one-machine default
    .venv/bin/python bench/deploy_smoke.py \\
        --database-url postgres://postgres@127.0.0.1:5432/retrust_smoke \\
        --redis-url redis://127.0.0.1:6379/13 --restore-check    # PostgreSQL + Redis (CI)

What it does, over loopback, against ``retrust serve --production`` (gunicorn with
``--workers`` processes, the task worker and the minute tick beside it), with
``RETRUST_ENV=production`` behind a pretend TLS proxy (``X-Forwarded-Proto: https``):

1. migrates an empty database and seeds one practice, a clinician with an authenticator and
   ``--writers`` couples (the project's own models);
2. a partner journey (sign in, write a couple entry and a private one; the other partner
   reads the first and never the second) and a clinician journey (password, then the TOTP
   code, caseload, case, the couple entry but not the private one);
3. ``--writers`` partners each writing journal entries as fast as the server answers for
   ``--seconds`` seconds, while one gunicorn worker is killed with SIGKILL a third of the
   way in; afterwards every acknowledged write (a 302 back) must exist exactly once, a write
   whose answer was lost at most once, and nothing may have answered 5xx;
4. ``/healthz`` must show the worker and the tick alive;
5. with ``--restore-check`` (PostgreSQL): ``pg_dump`` the database, restore it into a fresh
   one, serve that, and read an encrypted entry back through the API with the same keys.

Numbers are printed at the end; the exit status is 0 only if every check held.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

PROJECT = Path(__file__).resolve().parent.parent
PASSWORD = "a steady lantern at the quay"
PRACTICE_SLUG = "smoke-harbour"
CLINICIAN = "clinician@smoke.example"


class Failed(Exception):
    """A check that did not hold."""


def check(condition: bool, what: str) -> None:
    if not condition:
        raise Failed(what)
    print(f"  ok  {what}")


# --- the server's environment ------------------------------------------------------------------


def server_env(args: argparse.Namespace, var_dir: Path, database_url: str) -> dict[str, str]:
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RETRUST_", "EMAIL_", "SECRET_KEY", "FIELD_ENCRYPTION", "SENTRY"))
        and key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "ALLOWED_HOSTS"}
    }
    keep.update(
        PYTHONPATH=str(PROJECT),
        RETRUST_ENV="production",
        RETRUST_VAR_DIR=str(var_dir),
        # Shared by runs: collected once, then reused while the sources are unchanged.
        STATIC_ROOT=str(Path(tempfile.gettempdir()) / "retrust-smoke-static"),
        SECRET_KEY=args.secret_key,
        FIELD_ENCRYPTION_SALTS=args.salts,
        ALLOWED_HOSTS="127.0.0.1",
        RETRUST_BASE_URL=f"https://127.0.0.1:{args.port}",
        RETRUST_EMAIL_CONSOLE="1",
        RETRUST_LOG_FORMAT="json",
        LOG_LEVEL="WARNING",
    )
    if database_url:
        keep["DATABASE_URL"] = database_url
    if args.redis_url:
        keep.update(RETRUST_TASKS="rq", REDIS_URL=args.redis_url)
    return keep


def retrust(env: dict[str, str], *command: str, timeout: int = 300) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "retrust.cli", *command],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise Failed(f"retrust {' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def in_django(env: dict[str, str], step: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Run one of this file's Django-side steps (seed, verify) in a process of its own."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, __file__, f"_{step}"],
        env=env,
        cwd=PROJECT,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise Failed(f"{step} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the Django side (run in a child process with the server's environment) -------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrust.settings")
    import django

    django.setup()


def seed(payload: dict[str, Any]) -> dict[str, Any]:
    _django()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from retrust.core.models import Case, CaseMember, ClinicianMembership, Practice, User

    hashed = make_password(PASSWORD)  # one hash for everyone: seeding stays fast
    couples = []
    with transaction.atomic():
        practice = Practice.objects.create(name="Smoke Harbour Therapy", slug=PRACTICE_SLUG)
        clinician = User.objects.create(email=CLINICIAN, display_name="Sam", password=hashed)
        ClinicianMembership.objects.create(practice=practice, user=clinician, role="clinician")
        device = TOTPDevice.objects.create(user=clinician, name="phone", confirmed=True)
        for number in range(payload["couples"]):
            case = Case.objects.create(
                practice=practice, label=f"Couple {number:03d}", status="active"
            )
            case.clinicians.add(clinician)
            pair = []
            for role in ("partner_a", "partner_b"):
                user = User.objects.create(
                    email=f"{role}.{number:03d}@smoke.example",
                    display_name=f"{role[-1].upper()}{number}",
                    password=hashed,
                )
                CaseMember.objects.create(case=case, user=user, role=role)
                pair.append(user.email)
            couples.append({"case": case.pk, "a": pair[0], "b": pair[1]})
    return {"couples": couples, "totp_key": device.key}


def verify(payload: dict[str, Any]) -> dict[str, Any]:
    """How many times each written marker is stored (bodies are encrypted: read them all)."""
    _django()
    from retrust.core.models import JournalEntry

    wanted = set(payload["markers"])
    counts: dict[str, int] = {}
    for body in JournalEntry.objects.values_list("body", flat=True).iterator():
        if body in wanted:
            counts[body] = counts.get(body, 0) + 1
    return {"counts": counts, "entries": JournalEntry.objects.count()}


# --- the client ----------------------------------------------------------------------------------


class BehindTLS(requests.Session):
    """The pretend TLS proxy: Secure cookies go back over the loopback's plain HTTP."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One person's session, as a browser behind the TLS proxy would send it."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = BehindTLS()
        origin = urlunsplit(("https", urlsplit(base).netloc, "", "", ""))
        self.http.headers.update(
            {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"}
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.base + path, allow_redirects=False, timeout=30, **kwargs)

    def post_form(self, path: str, data: dict[str, str], form_page: str = "") -> requests.Response:
        token = self.csrf(form_page or path)
        return self.http.post(
            self.base + path,
            data={"csrfmiddlewaretoken": token, **data},
            allow_redirects=False,
            timeout=30,
        )

    def csrf(self, page: str) -> str:
        if "csrftoken" in self.http.cookies and not page:
            return self.http.cookies["csrftoken"]
        response = self.get(page)
        found = CSRF_INPUT.search(response.text)
        if found is None:
            raise Failed(f"no form on {page} ({response.status_code})")
        return found.group(1)

    def sign_in(self, email: str) -> requests.Response:
        response = self.post_form(
            "/accounts/login/", {"username": email, "password": PASSWORD}, "/accounts/login/"
        )
        if response.status_code != 302:
            raise Failed(f"sign-in of {email} answered {response.status_code}")
        return response

    def api(self, path: str) -> requests.Response:
        return self.get("/api/v1" + path)


def totp_now(key_hex: str) -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=0):06d}"


def write_entry(browser: Browser, case_id: int, body: str, visibility: str) -> requests.Response:
    return browser.http.post(
        f"{browser.base}/cases/{case_id}/journal/",
        data={
            "csrfmiddlewaretoken": browser.http.cookies["csrftoken"],
            "body": body,
            "visibility": visibility,
        },
        allow_redirects=False,
        timeout=30,
    )


# --- the stack ---------------------------------------------------------------------------------


@dataclass
class Stack:
    env: dict[str, str]
    port: int
    workers: int
    background: bool = True
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def start(self) -> None:
        self.log = Path(self.env["RETRUST_VAR_DIR"]) / f"serve-{self.port}.log"
        command = [
            sys.executable,
            "-m",
            "retrust.cli",
            "serve",
            "--production",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        if not self.background:
            command.append("--no-background")
        self.process = subprocess.Popen(  # noqa: S603
            command,
            env=self.env,
            cwd=PROJECT,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise Failed(f"the server stopped:\n{self.log.read_text()[-3000:]}")
            try:
                answer = requests.get(
                    f"http://127.0.0.1:{self.port}/healthz",
                    headers={"X-Forwarded-Proto": "https"},
                    timeout=2,
                )
                if answer.status_code == 200 and len(self.web_workers()) == self.workers:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise Failed("the server did not answer /healthz within 60 s")

    def master_pid(self) -> int:
        return int((Path(self.env["RETRUST_VAR_DIR"]) / "gunicorn.pid").read_text().strip())

    def web_workers(self) -> list[int]:
        try:
            master = self.master_pid()
        except (FileNotFoundError, ValueError):
            return []
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(stat.parent.name))
        return sorted(found)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- the load ------------------------------------------------------------------------------------


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def writer(browser: Browser, case_id: int, until: float, load: Load) -> None:
    while time.monotonic() < until:
        marker = f"load-{uuid.uuid4().hex}"
        started = time.perf_counter()
        try:
            response = write_entry(browser, case_id, marker, "private")
        except requests.RequestException:
            # The connection broke before an answer (e.g. the worker was killed): not
            # acknowledged, so it may or may not be stored, but at most once.
            with load.lock:
                load.unanswered.append(marker)
            continue
        took = time.perf_counter() - started
        with load.lock:
            load.latencies.append(took)
            load.statuses[response.status_code] = load.statuses.get(response.status_code, 0) + 1
            if response.status_code == 302:
                load.acknowledged.append(marker)


def server_times(log: Path, path_pattern: str) -> list[float]:
    """Milliseconds the server itself spent on matching requests (its JSON request log)."""
    pattern = re.compile(path_pattern)
    found = []
    for line in log.read_text().splitlines():
        if '"retrust.request"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("method") == "POST" and pattern.fullmatch(entry.get("path", "")):
            found.append(float(entry["ms"]))
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- the run -------------------------------------------------------------------------------------


def journeys(base: str, seeded: dict[str, Any]) -> dict[str, Any]:
    first = seeded["couples"][0]
    case_id = first["case"]
    couple_text = f"smoke-couple-{uuid.uuid4().hex[:8]}"
    private_text = f"smoke-private-{uuid.uuid4().hex[:8]}"

    print("partner journey")
    a = Browser(base)
    a.sign_in(first["a"])
    check(a.get("/home/").status_code == 200, "partner A signs in and sees their home")
    check(
        write_entry(a, case_id, couple_text, "couple").status_code == 302,
        "partner A writes an entry for the couple",
    )
    check(
        write_entry(a, case_id, private_text, "private").status_code == 302,
        "partner A writes a private entry",
    )
    b = Browser(base)
    b.sign_in(first["b"])
    seen = b.api(f"/cases/{case_id}/journal").text
    check(couple_text in seen, "partner B reads the couple entry")
    check(private_text not in seen, "partner B never sees the private one")

    print("clinician journey")
    c = Browser(base)
    c.sign_in(CLINICIAN)
    asked = c.get("/caseload/")
    check(
        asked.status_code == 302 and "two-factor" in asked.headers.get("Location", ""),
        "the clinician is asked for a code before the caseload",
    )
    answered = c.post_form("/accounts/two-factor/", {"code": totp_now(seeded["totp_key"])})
    check(answered.status_code == 302, "the clinician's TOTP code is accepted")
    caseload = c.get("/caseload/")
    check(caseload.status_code == 200 and "Couple 000" in caseload.text, "the caseload lists")
    check(c.get(f"/cases/{case_id}/").status_code == 200, "the case page opens")
    read = c.api(f"/cases/{case_id}/journal").text
    check(couple_text in read and private_text not in read, "the clinician reads what is shared")
    return {"couple_text": couple_text, "case": case_id, "b": first["b"]}


def load_run(args: argparse.Namespace, base: str, stack: Stack, seeded: dict[str, Any]) -> Load:
    print(f"{args.writers} partners writing for {args.seconds} s, one web worker killed")
    browsers = []
    for couple in seeded["couples"][: args.writers]:
        browser = Browser(base)
        browser.sign_in(couple["a"])
        browser.csrf("/home/")
        browsers.append((browser, couple["case"]))
    load = Load()
    until = time.monotonic() + args.seconds
    threads = [
        threading.Thread(target=writer, args=(browser, case_id, until, load))
        for browser, case_id in browsers
    ]
    for thread in threads:
        thread.start()
    time.sleep(args.seconds / 3)
    before = stack.web_workers()
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    print(f"  killed web worker {victim} (of {len(before)}) with SIGKILL")
    for thread in threads:
        thread.join()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (
        len(stack.web_workers()) != args.workers or victim in stack.web_workers()
    ):
        time.sleep(0.2)
    check(
        len(stack.web_workers()) == args.workers and victim not in stack.web_workers(),
        "gunicorn replaced the killed worker",
    )
    return load


def restore_check(args: argparse.Namespace, env: dict[str, str], journey: dict[str, Any]) -> float:
    print("pg_dump, restore into a fresh database, serve it")
    started = time.monotonic()
    source = env["DATABASE_URL"]
    parts = urlsplit(source)
    restored_name = parts.path.lstrip("/") + "_restored"
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    restored = urlunsplit((parts.scheme, parts.netloc, "/" + restored_name, "", ""))
    dump = Path(env["RETRUST_VAR_DIR"]) / "retrust.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), source], check=True)  # noqa: S607
    for statement in (
        f"DROP DATABASE IF EXISTS {restored_name}",
        f"CREATE DATABASE {restored_name}",
    ):
        subprocess.run(["psql", "-q", admin, "-c", statement], check=True)  # noqa: S607
    subprocess.run(  # noqa: S603
        ["pg_restore", "--no-owner", "-d", restored, str(dump)],  # noqa: S607
        check=True,
    )
    restored_var = Path(env["RETRUST_VAR_DIR"]) / "restored"
    restored_var.mkdir()
    restored_env = {**env, "DATABASE_URL": restored, "RETRUST_VAR_DIR": str(restored_var)}
    restored_env.pop("RETRUST_TASKS", None)
    restored_env.pop("REDIS_URL", None)
    stack = Stack(restored_env, args.port + 1, workers=1, background=False)
    try:
        stack.start()
        browser = Browser(f"http://127.0.0.1:{args.port + 1}")
        browser.sign_in(journey["b"])
        read = browser.api(f"/cases/{journey['case']}/journal").text
        check(journey["couple_text"] in read, "the restored copy serves the encrypted entry")
    finally:
        stack.stop()
        subprocess.run(["psql", "-q", admin, "-c", f"DROP DATABASE IF EXISTS {restored_name}"])  # noqa: S607
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database")
    parser.add_argument("--redis-url", default="", help="run the task queue on Redis")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8821)
    parser.add_argument("--restore-check", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    args.secret_key = secrets.token_urlsafe(50)
    args.salts = secrets.token_urlsafe(16)

    var_dir = Path(tempfile.mkdtemp(prefix="retrust-smoke-"))
    env = server_env(args, var_dir, args.database_url)
    engine = "PostgreSQL" if args.database_url else "SQLite"
    queue = "Redis" if args.redis_url else "database"
    print(f"== production stack on {engine}, {args.workers} web workers, {queue} queue ==")
    stack = Stack(env, args.port, args.workers)
    timings: dict[str, float] = {}
    try:
        started = time.monotonic()
        retrust(env, "migrate", "--noinput")
        timings["migrate"] = time.monotonic() - started
        started = time.monotonic()
        seeded = in_django(env, "seed", {"couples": max(args.writers, 1)})
        timings["seed"] = time.monotonic() - started
        started = time.monotonic()
        stack.start()
        timings["start"] = time.monotonic() - started
        base = f"http://127.0.0.1:{args.port}"
        journey = journeys(base, seeded)

        started = time.monotonic()
        load = load_run(args, base, stack, seeded)
        timings["load"] = time.monotonic() - started

        print("afterwards")
        stored = in_django(env, "verify", {"markers": load.acknowledged + load.unanswered})[
            "counts"
        ]
        twice = [m for m in load.acknowledged + load.unanswered if stored.get(m, 0) > 1]
        lost = [m for m in load.acknowledged if stored.get(m, 0) != 1]
        errors = sum(count for status, count in load.statuses.items() if status >= 500)
        check(not errors, f"no 5xx answers (statuses: {load.statuses})")
        check(not lost, f"every acknowledged write is stored exactly once ({len(lost)} not)")
        check(not twice, "no write is stored twice")
        health = requests.get(
            base + "/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=10
        ).json()
        background = health.get("background", {})
        check(
            background.get("tick", {}).get("state") == "ok"
            and background.get("worker", {}).get("state") == "ok",
            f"/healthz: the tick and the worker are alive ({background})",
        )
        if args.restore_check:
            if not args.database_url:
                raise Failed("--restore-check needs --database-url (PostgreSQL)")
            timings["restore"] = restore_check(args, env, journey)

        total = len(load.latencies)
        print(f"\n== numbers ({engine}, {queue} queue, {args.workers} web workers) ==")
        print(f"  writes acknowledged        {len(load.acknowledged)}")
        print(
            f"  answers lost to the kill   {len(load.unanswered)} (stored: "
            f"{sum(1 for m in load.unanswered if stored.get(m))})"
        )
        print(f"  writes per second          {len(load.acknowledged) / args.seconds:.1f}")
        print(
            f"  latency p50 / p95 / p99    {statistics.median(load.latencies) * 1000:.0f} / "
            f"{percentile(load.latencies, 0.95) * 1000:.0f} / "
            f"{percentile(load.latencies, 0.99) * 1000:.0f} ms (max "
            f"{max(load.latencies) * 1000:.0f} ms, {total} answers)"
        )
        served = server_times(stack.log, r"/cases/\d+/journal/") if stack.log else []
        if served:
            print(
                f"  server time p50 / p99      {statistics.median(served):.0f} / "
                f"{percentile(served, 0.99):.0f} ms (from its JSON request log)"
            )
        print(f"  /healthz queue wait        {background['worker'].get('queue_wait_seconds')} s")
        print(
            f"  machine                    {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f} at the end"
        )
        for name, seconds in timings.items():
            print(f"  time: {name:<20} {seconds:.1f} s")
        return 0
    except Failed as failure:
        print(f"FAILED: {failure}")
        if stack.log is not None and stack.log.exists():
            print("--- server log (end) ---")
            print(stack.log.read_text()[-4000:])
        return 1
    finally:
        stack.stop()
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] in {"_seed", "_verify"}:
        step = {"_seed": seed, "_verify": verify}[sys.argv[1]]
        print(json.dumps(step(json.loads(sys.stdin.read()))))
        sys.exit(0)
    sys.exit(main())
