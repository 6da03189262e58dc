"""Key pages under load at 1,000 and 100,000 cases, against the production stack on PostgreSQL.

    .venv/bin/python bench/bench_pages.py seed --jobs 3 \\
        --database-url postgres://postgres@127.0.0.1:5432/retrust_bench_1k --cases 1000
    .venv/bin/python bench/bench_pages.py run \\
        --database-url postgres://postgres@127.0.0.1:5432/retrust_bench_1k --port 8780

``seed`` migrates the database and writes ``--cases`` cases with the project's own models:
practices with clinicians (one clinician with 300 cases, one with 30, the rest about a hundred
each), two partners per case (one in ten cases has one partner so far), encrypted journal
entries, two measures answered over months, two agreements with a commitment each and their
daily record (six weeks in most cases, two years in one case in thirty), alerts and audit rows:
about 320 rows a case. Each field's own ``get_db_prep_save`` turns a model instance into
database values (so the real field encryption runs, with keys derived once per process) and
PostgreSQL's ``COPY`` carries them, 500 cases per transaction, in ``--jobs`` processes with
primary keys from bands of their own. It is resumable: a database that already holds the
cases is left alone, one stopped half-way carries on from its last whole batches.

``run`` starts ``retrust serve --production --workers 2`` (gunicorn; the task worker and the
minute tick are off: ``--no-background``, so the pages share the two cores with nothing of
ours), signs in the personas over HTTP (the clinician with 300 cases and the one with 30 with
password and TOTP code, a partner with password), then drives every key page and ``/healthz``
with ``wrk`` (``apt-get install wrk``) at 8 connections for ``--seconds`` each, and prints a
markdown table: pages per second, median and p99 latency, the ratio to ``/healthz`` measured
in the same run, and, in-process with Django's test client for the same persona and path, the
SQL queries the page runs, their time and the median time of the whole request.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deploy_smoke import PASSWORD, Browser, Failed, Stack, server_env, totp_now  # noqa: E402

# A benchmark database only: fixed keys, so a seeded database can be served again later.
SECRET_KEY = "bench-pages-only-not-a-secret-" + "x" * 40
SALTS = "bench-pages-salt"
DOMAIN = "bench.example"
HEAVY = f"clinician.300@{DOMAIN}"  # the clinician with 300 cases
LIGHT = f"clinician.30@{DOMAIN}"  # the clinician with 30
PARTNER = f"partner.a.0@{DOMAIN}"  # partner A of case 0 (two years of daily records)
BATCH = 500  # cases per transaction
CASES_PER_PRACTICE = 1000
CASES_PER_CLINICIAN = 100
TWO_YEARS = 730
ID_BAND = 10**12  # primary keys of seeding process k lie in (k * ID_BAND, (k + 1) * ID_BAND]


def environment(database_url: str, port: int, var_dir: Path) -> dict[str, str]:
    args = argparse.Namespace(secret_key=SECRET_KEY, salts=SALTS, port=port, redis_url="")
    env = server_env(args, var_dir, database_url)
    env["LOG_LEVEL"] = "ERROR"
    env["RETRUST_LOG_FORMAT"] = "json"
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrust.settings")
    import django

    django.setup()


# --- seeding -----------------------------------------------------------------------------------


def clinician_slot(index: int) -> tuple[int, int]:
    """(practice number, clinician number in it) of case ``index``: cases 0-299 are the heavy
    clinician's, 300-329 the light one's, the rest go to clinicians of about a hundred each."""
    if index < 300:
        return 0, 0
    if index < 330:
        return 0, 1
    practice, within = divmod(index, CASES_PER_PRACTICE)
    if practice == 0:
        within -= 330
    return practice, 2 + within // CASES_PER_CLINICIAN


class Ids:
    """Explicit primary keys, so rows can point at rows written in the same COPY batch."""

    def __init__(self, cursor: Any, models: list[Any], part: int) -> None:
        # Each seeding process takes its keys from a band of its own, so parts never clash.
        low, high = part * ID_BAND, (part + 1) * ID_BAND
        self.next: dict[Any, int] = {}
        for model in models:
            cursor.execute(
                f"SELECT coalesce(max(id), %s) FROM {model._meta.db_table} "
                "WHERE id > %s AND id <= %s",
                [low, low, high],
            )
            self.next[model] = cursor.fetchone()[0] + 1

    def take(self, model: Any) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def copy_rows(cursor: Any, model: Any, objects: list[Any]) -> int:
    """Write rows with COPY. Model instances: each value prepared by its own field (so the
    encrypted fields encrypt). Plain dicts (the three biggest tables, none of them encrypted,
    where building a model instance per row would double the seeding time): the values as
    given, every other column its field's default."""
    if not objects:
        return 0
    from django.db import connections

    connection = connections["default"]  # the object itself, not the per-thread proxy
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with cursor.copy(
        f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    ) as copy:
        if isinstance(objects[0], dict):
            defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
            names = [f.attname for f in fields]
            for row in objects:
                copy.write_row([row[name] if name in row else defaults[name] for name in names])
        else:
            for obj in objects:
                copy.write_row(
                    [
                        field.get_db_prep_save(field.pre_save(obj, True), connection)
                        for field in fields
                    ]
                )
    return len(objects)


def reset_sequences(cursor: Any, models: list[Any]) -> None:
    for model in models:
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        )


JOURNAL_LINES = [
    "We talked after dinner and it went better than last week.",
    "I felt the old worry when the phone lit up, and I said so instead of checking.",
    "A quiet evening. Nothing to report except that quiet felt good.",
    "We argued about the weekend plans; I want to bring it to the next session.",
    "I noticed I was keeping score again and stopped myself.",
    "Walked by the water together. Easier to talk side by side.",
]
AUDIT_ACTIONS = [
    ("retrust.journal.written", True),
    ("retrust.case.content.viewed", False),
    ("retrust.measure.draft.started", False),
    ("retrust.user.signed_in", False),
    ("retrust.journal.visibility_changed", False),
]


@dataclass
class Scored:
    answers: dict[str, int]
    scores: dict[str, Any]
    total: float | None
    band: str


@functools.cache
def password_hash() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)  # one hash for everyone: seeding stays fast


@functools.cache
def answer_sets(instrument_id: str) -> list[Scored]:
    """A handful of scored answer sets per instrument (scoring each response anew is slow)."""
    from retrust.assessments import registry
    from retrust.assessments.scoring import answers_from_values, score

    instrument = registry.get(instrument_id)
    assert instrument is not None
    found = []
    rng = random.Random(instrument_id)
    for _ in range(12):
        values = [
            rng.choice([o.value for o in instrument.options_for(item.linkId)])
            for item in instrument.choice_items
        ]
        answers = answers_from_values(instrument, values)
        scores = score(instrument, answers)
        first = scores["total"]
        found.append(
            Scored(
                answers, {k: v.as_dict() for k, v in scores.items()}, first.score, first.band or ""
            )
        )
    return found


def create_database(database_url: str) -> None:
    """Create the benchmark's database when it is not there yet (on the same server)."""
    import psycopg
    from psycopg import sql

    name = urlsplit(database_url).path.lstrip("/")
    server = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"seed: created the database {name}", flush=True)


def seed(args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    """Migrate, add the practices and clinicians, then the cases in ``--jobs`` processes."""
    env = environment(args.database_url, 0, var_dir)
    started = time.monotonic()
    create_database(args.database_url)
    migrated = subprocess.run(
        [sys.executable, "-m", "retrust.cli", "migrate", "--noinput"],
        env=env,
        capture_output=True,
        text=True,
    )
    if migrated.returncode:
        sys.exit(f"seed: migrate failed:\n{migrated.stderr[-2000:]}")
    setup_django(env)
    from django.db import connection

    from retrust.core.models import Case

    have = Case.objects.count()
    print(f"seed: {have} cases there, {args.cases} wanted", flush=True)
    if have >= args.cases:
        return {"seconds": 0.0, "cases": have}
    staff(args.cases)
    connection.close()
    parts = [
        subprocess.Popen(  # noqa: S603 - this script, as one part of the seeding
            [
                sys.executable,
                __file__,
                "_part",
                "--database-url",
                args.database_url,
                "--cases",
                str(args.cases),
                "--jobs",
                str(args.jobs),
                "--part",
                str(part),
            ],
            env=env,
        )  # fmt: skip
        for part in range(args.jobs)
    ]
    if any(process.wait() != 0 for process in parts):
        raise Failed("a seeding part failed")
    with connection.cursor() as cursor:
        reset_sequences(cursor, seeded_models())
        cursor.execute("ANALYZE")
    return {"seconds": time.monotonic() - started, "cases": args.cases}


def seeded_models() -> list[Any]:
    from retrust.agreements.models import (
        Agreement,
        AgreementVersion,
        Commitment,
        Confirmation,
        Consent,
        Occurrence,
    )
    from retrust.assessments.models import MeasureResponse, MeasureSchedule
    from retrust.core.models import AuditEvent, Case, CaseMember, JournalEntry, User
    from retrust.safety.models import Alert

    return [
        User, Case, Case.clinicians.through, CaseMember, JournalEntry, MeasureSchedule,
        MeasureResponse, Agreement, AgreementVersion, Consent, Commitment, Occurrence,
        Confirmation, Alert, AuditEvent,
    ]  # fmt: skip


def staff(cases: int) -> dict[tuple[int, int], Any]:
    """The practices and their clinicians (each with an authenticator): made once, then found."""
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from retrust.core.models import ClinicianMembership, Practice, User

    hashed = password_hash()
    practices = (cases - 1) // CASES_PER_PRACTICE + 1
    clinicians: dict[tuple[int, int], Any] = {}
    with transaction.atomic():
        for p in range(practices):
            practice, _ = Practice.objects.get_or_create(
                slug=f"bench-{p}", defaults={"name": f"Bench Harbour {p}"}
            )
            for c in range(2 + CASES_PER_PRACTICE // CASES_PER_CLINICIAN):
                email = {(0, 0): HEAVY, (0, 1): LIGHT}.get((p, c), f"clinician.{p}.{c}@{DOMAIN}")
                user, made = User.objects.get_or_create(
                    email=email, defaults={"display_name": f"Clinician {p}.{c}", "password": hashed}
                )
                if made:
                    ClinicianMembership.objects.create(
                        practice=practice, user=user, role="clinician"
                    )
                    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
                clinicians[(p, c)] = (practice, user)
    return clinicians


def seed_part(args: argparse.Namespace) -> None:
    """Every ``--jobs``-th batch of 500 cases, starting at batch ``--part``; whole batches
    already there (a case labelled with the batch's first number) are skipped."""
    env = environment(args.database_url, 0, Path(tempfile.mkdtemp(prefix="retrust-seed-")))
    setup_django(env)
    from django.db import transaction

    from retrust.core.models import Case

    clinicians = staff(args.cases)
    rows = 0
    for start in range(args.part * BATCH, args.cases, args.jobs * BATCH):
        if Case.objects.filter(label=f"Couple {start}").exists():
            continue
        batch_started = time.monotonic()
        with transaction.atomic():
            rows += write_batch(range(start, min(start + BATCH, args.cases)), args.part, clinicians)
        took = time.monotonic() - batch_started
        print(
            f"seed part {args.part}: cases {start}-{min(start + BATCH, args.cases) - 1}, {rows} "
            f"rows by this part ({took:.1f} s for this batch)",
            flush=True,
        )


def write_batch(indexes: range, part: int, clinicians: dict[tuple[int, int], Any]) -> int:
    """Cases ``indexes`` and everything in them; returns the number of rows written. Call it
    inside a transaction. On PostgreSQL the rows go by COPY; elsewhere (the smoke test's
    SQLite) by ``bulk_create``."""
    from django.db import connection
    from django.utils import timezone

    from retrust.agreements.models import (
        Agreement,
        AgreementVersion,
        Commitment,
        Confirmation,
        Consent,
        Occurrence,
    )
    from retrust.assessments import registry
    from retrust.assessments.models import MeasureResponse, MeasureSchedule
    from retrust.core.models import AuditEvent, Case, CaseMember, JournalEntry, User
    from retrust.safety.models import Alert

    models = seeded_models()
    through = Case.clinicians.through
    hashed = password_hash()
    measures = {
        "phq-9": (2, 12, answer_sets("phq-9"), registry.get("phq-9")),
        "csi-16": (4, 6, answer_sets("csi-16"), registry.get("csi-16")),
    }
    now = timezone.now()
    today = timezone.localdate()
    rows = 0
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # Rows are consistent by construction: skip the per-row foreign-key triggers
            # for this transaction (a superuser's bulk load; the constraints stay).
            cursor.execute("SET LOCAL session_replication_role = replica")
        ids = Ids(cursor, models, part)
        out: dict[Any, list[Any]] = {model: [] for model in models}
        for index in indexes:
            rng = random.Random(index)
            practice, clinician = clinicians[clinician_slot(index)]
            began = now - timedelta(days=TWO_YEARS if index % 30 == 0 else rng.randint(42, 400))
            case = Case(
                id=ids.take(Case), practice=practice, label=f"Couple {index}",
                status="active" if index < 330 or rng.random() < 0.8 else rng.choice(
                    ["intake", "maintenance", "closed", "invited"]),
                created_at=began,
            )  # fmt: skip
            out[Case].append(case)
            out[through].append(
                through(id=ids.take(through), case_id=case.id, user_id=clinician.id)
            )
            partners = []
            for role in ("partner_a", "partner_b") if index % 10 else ("partner_a",):
                user = User(
                    id=ids.take(User), email=f"partner.{role[-1]}.{index}@{DOMAIN}",
                    display_name=f"{role[-1].upper()}{index}", password=hashed,
                    date_joined=began,
                )  # fmt: skip
                out[User].append(user)
                out[CaseMember].append(CaseMember(
                    id=ids.take(CaseMember), case=case, user=user, role=role,
                    joined_at=began, last_active_at=now - timedelta(hours=rng.randint(1, 300)),
                ))  # fmt: skip
                partners.append(user)
            span = (now - began).days
            for n in range(40):
                author = partners[n % len(partners)]
                out[JournalEntry].append(JournalEntry(
                    id=ids.take(JournalEntry), case=case, author=author,
                    visibility=rng.choice(["private", "clinician", "couple"]),
                    created_at=began + timedelta(days=span * n / 40, hours=rng.randint(0, 23)),
                    body=rng.choice(JOURNAL_LINES) + f" ({index}.{n})",
                ))  # fmt: skip
            for instrument_id, (weeks, rounds, sets, instrument) in measures.items():
                starts_on = today - timedelta(weeks=weeks * rounds)
                schedule = MeasureSchedule(
                    id=ids.take(MeasureSchedule), case=case, instrument_id=instrument_id,
                    kind="every_n_weeks", every_weeks=weeks, starts_on=starts_on,
                    created_by=clinician, created_at=now - timedelta(weeks=weeks * rounds),
                )  # fmt: skip
                out[MeasureSchedule].append(schedule)
                for author in partners:
                    for r in range(rounds):
                        pick = sets[rng.randrange(len(sets))]
                        due_on = starts_on + timedelta(weeks=weeks * r)
                        out[MeasureResponse].append(MeasureResponse(
                            id=ids.take(MeasureResponse), case=case, author=author,
                            visibility="clinician", schedule=schedule,
                            instrument_id=instrument_id, instrument_version=instrument.version,
                            round_key=r, due_on=due_on, status="submitted",
                            answers=pick.answers, scores=pick.scores, total=pick.total,
                            band=pick.band,
                            submitted_at=datetime.combine(
                                due_on + timedelta(days=1), datetime.min.time(), now.tzinfo),
                            created_at=now - (today - due_on),
                        ))  # fmt: skip
            days = TWO_YEARS if index % 30 == 0 else 42
            for n, author in enumerate(partners):
                agreement = Agreement(
                    id=ids.take(Agreement), case=case, author=author, visibility="couple",
                    category=rng.choice(["communication", "transparency", "money"]),
                    status="active", created_at=began,
                )  # fmt: skip
                version = AgreementVersion(
                    id=ids.take(AgreementVersion), agreement=agreement, number=1,
                    title=f"Agreement {n + 1}", proposed_by=author, created_at=began,
                    text="We tell each other when plans change, before they change.",
                )  # fmt: skip
                agreement.active_version_id = version.id
                out[Agreement].append(agreement)
                out[AgreementVersion].append(version)
                for partner in partners:
                    out[Consent].append(Consent(
                        id=ids.take(Consent), version=version, partner=partner,
                        decision="accepted", created_at=began,
                    ))  # fmt: skip
                starts_on = today - timedelta(days=days)
                commitment = Commitment(
                    id=ids.take(Commitment), case=case, author=author, visibility="couple",
                    agreement=agreement, action="Say when I will be home late",
                    schedule="daily", starts_on=starts_on, created_at=began,
                )  # fmt: skip
                out[Commitment].append(commitment)
                other = partners[1 - n] if len(partners) == 2 else None
                for d in range(days):
                    due_on = starts_on + timedelta(days=d)
                    occurrence_id = ids.take(Occurrence)
                    recorded = now - (today - due_on)
                    out[Occurrence].append({
                        "id": occurrence_id, "case_id": case.id, "author_id": author.id,
                        "visibility": "couple", "created_at": recorded,
                        "updated_at": recorded, "commitment_id": commitment.id,
                        "due_on": due_on, "scheduled": True,
                        "outcome": "kept" if rng.random() < 0.85 else "missed",
                    })  # fmt: skip
                    if other is not None and rng.random() < 0.3:
                        out[Confirmation].append({
                            "id": ids.take(Confirmation), "occurrence_id": occurrence_id,
                            "partner_id": other.id,
                            "verdict": "confirmed" if rng.random() < 0.9 else "disputed",
                            "created_at": recorded + timedelta(hours=5),
                        })  # fmt: skip
            for n in range(2):
                out[Alert].append(Alert(
                    id=ids.take(Alert), case=case, partner=partners[0],
                    priority="normal", source="inactivity",
                    summary="No activity for a while", dedupe_key=f"bench-{index}-{n}",
                    created_at=now - timedelta(days=10 * n + 1),
                    acknowledged_at=None if n == 0 else now - timedelta(days=5),
                    acknowledged_by=clinician if n else None,
                ))  # fmt: skip
            for n in range(100):
                action, private = AUDIT_ACTIONS[n % len(AUDIT_ACTIONS)]
                actor = partners[n % len(partners)] if n % 3 else clinician
                out[AuditEvent].append({
                    "id": ids.take(AuditEvent), "actor_id": actor.id,
                    "actor_email": actor.email, "action": action,
                    "practice_id": practice.id, "case_id": case.id,
                    "created_at": began + timedelta(seconds=span * 864 * n),
                    "private": private and rng.random() < 0.5,
                })  # fmt: skip
        for model in models:
            if postgres:
                rows += copy_rows(cursor, model, out[model])
            else:
                made = [row if isinstance(row, model) else model(**row) for row in out[model]]
                rows += len(model.objects.bulk_create(made))
    return rows


def database_size() -> tuple[int, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(n_live_tup)::bigint FROM pg_stat_user_tables")
        live = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    return live, size


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    path: str
    rate: float
    median_ms: float
    p99_ms: float
    statuses: str
    queries: int | None = None
    sql_ms: float | None = None
    in_process_ms: float | None = None


UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise Failed(f"wrk printed a latency I cannot read: {text}")
    return float(found.group(1)) * UNIT[found.group(2)]


def wrk(base: str, path: str, cookie: str, seconds: float, connections: int) -> Result:
    command = [
        "wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{seconds:.0f}s",
        "-H", "X-Forwarded-Proto: https", "-H", "Host: 127.0.0.1",
    ]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if path.startswith("/api/"):
        command += ["-H", "Accept: application/json"]
    output = subprocess.run(
        command + [base + path], capture_output=True, text=True, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    median = parse_ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = parse_ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Result("", path, rate, median, p99, f"{bad.group(1)} non-2xx" if bad else "all 2xx")


def cookie_of(browser: Browser) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in browser.http.cookies)


def personas() -> dict[str, Any]:
    from django.db.models import Count
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from retrust.core.models import Case, User

    heavy = User.objects.get(email=HEAVY)
    light = User.objects.get(email=LIGHT)
    partner = User.objects.get(email=PARTNER)
    case = Case.objects.get(members__user=partner)
    return {
        "heavy": heavy,
        "light": light,
        "partner": partner,
        "case": case.pk,
        "keys": {u.email: TOTPDevice.objects.get(user=u).key for u in (heavy, light)},
        "sizes": {
            u.email: Case.objects.filter(clinicians=u).aggregate(n=Count("id"))["n"]
            for u in (heavy, light)
        },
    }


def key_pages(who: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(name, path, persona) of ``/healthz`` and every key page of issue 16."""
    case_id = who["case"]
    return [
        ("/healthz", "/healthz", None),
        (f"caseload of {who['sizes'][HEAVY]}", "/caseload/", "heavy"),
        (f"caseload of {who['sizes'][LIGHT]}", "/caseload/", "light"),
        ("case view", f"/cases/{case_id}/", "heavy"),
        ("measures", f"/cases/{case_id}/measures/", "heavy"),
        ("agreements", f"/cases/{case_id}/agreements/", "heavy"),
        ("partner home", "/home/", "partner"),
        ("check-ins", "/checkins/", "partner"),
        ("API case list", "/api/v1/cases", "heavy"),
        ("API journal", f"/api/v1/cases/{case_id}/journal", "heavy"),
    ]


def signed_in_client(user: Any) -> Any:
    """Django's test client, signed in as ``user`` and, for staff, past the second factor."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def in_process(user: Any, path: str, repeat: int = 15) -> tuple[int, float, float]:
    """One request of ``path`` for ``user`` in this process, through Django's test client:
    its SQL queries, the milliseconds they took, and the median milliseconds of ``repeat``
    whole requests (CPU of the page plus its database round trips, no HTTP, no queueing)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client(user)
    headers = {"accept": "application/json"} if path.startswith("/api/") else {}
    client.get(path, secure=True, headers=headers)  # warm: first-request caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, secure=True, headers=headers)
    if response.status_code != 200:
        raise Failed(f"{path} answered {response.status_code} in-process")
    count = len(queries)  # now: the connection's query log is a ring, read it before it turns
    sql_ms = sum(float(query["time"]) for query in queries.captured_queries) * 1000
    took = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path, secure=True, headers=headers)
        took.append((time.perf_counter() - started) * 1000)
    return count, sql_ms, statistics.median(took)


def run(args: argparse.Namespace) -> int:
    var_dir = Path(tempfile.mkdtemp(prefix="retrust-bench-pages-"))
    env = environment(args.database_url, args.port, var_dir)
    setup_django(env)
    logging.getLogger("retrust.request").setLevel(logging.WARNING)  # the in-process counts
    who = personas()
    live, size = database_size()
    pages = key_pages(who)
    stack = Stack(env, args.port, args.workers, background=False)
    base = f"http://127.0.0.1:{args.port}"
    results = []
    try:
        stack.start()
        cookies = {}
        for key, email in (("heavy", HEAVY), ("light", LIGHT), ("partner", PARTNER)):
            browser = Browser(base)
            browser.sign_in(email)
            if email in who["keys"]:
                answer = browser.post_form(
                    "/accounts/two-factor/", {"code": totp_now(who["keys"][email])}
                )
                if answer.status_code != 302:
                    raise Failed(f"the TOTP code of {email} answered {answer.status_code}")
            cookies[key] = cookie_of(browser)
            for name, path, persona in pages:
                if persona == key:
                    got = browser.get(path)
                    if got.status_code != 200:
                        raise Failed(f"{name} ({path}) answered {got.status_code} to {email}")
        load_before = os.getloadavg()
        for name, path, persona in pages:
            result = wrk(base, path, cookies.get(persona or "", ""), args.seconds, args.connections)
            result.name = name
            if persona:
                result.queries, result.sql_ms, result.in_process_ms = in_process(who[persona], path)
            results.append(result)
            print(f"  {name:<18} {result.rate:8.1f}/s  p50 {result.median_ms:6.1f} ms  "
                  f"p99 {result.p99_ms:6.1f} ms  {result.statuses}", flush=True)  # fmt: skip
        load_after = os.getloadavg()
    finally:
        stack.stop()
        shutil.rmtree(var_dir, ignore_errors=True)
    health = results[0].rate
    print()
    print(
        f"{case_count():,} cases, {live:,} rows, {size}; {args.workers} workers, "
        f"{args.connections} connections, {args.seconds:.0f} s a page; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; {os.cpu_count()} cores"
    )
    print()
    print(
        "| page | pages/s | median ms | p99 ms | ratio to /healthz | queries | "
        "SQL ms | in-process ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        queries = (
            " |  | "
            if r.queries is None
            else f"{r.queries} | {r.sql_ms:.1f} | {r.in_process_ms:.1f}"
        )
        print(
            f"| {r.name} | {r.rate:.1f} | {r.median_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.rate / health:.3f} | {queries} |"
        )
    return 0


def case_count() -> int:
    from retrust.core.models import Case

    return Case.objects.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["seed", "run", "_part"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8780)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--jobs", type=int, default=1, help="seeding processes")
    parser.add_argument("--part", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "seed":
        done = seed(args, Path(tempfile.mkdtemp(prefix="retrust-seed-")))
        live, size = database_size()
        print(f"seeded {done['cases']} cases in {done['seconds']:.0f} s; {live:,} rows, {size}")
        return 0
    if args.step == "_part":
        seed_part(args)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
