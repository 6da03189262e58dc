"""The tick: find what is due, write it to the outbox once, and queue the sending.

Run every minute (``retrust tick`` from cron or a systemd timer; ``retrust demo`` and
``retrust serve`` run it themselves). Safe to run twice at once or to re-run: outbox rows are
unique per (recipient, kind, subject, occasion) and written with "ignore if present".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from retrust.notifications import delivery, kinds, sources
from retrust.notifications.models import (
    Channel,
    Delivery,
    Notification,
    Preference,
    Status,
    SwitchedOff,
)
from retrust.notifications.sources import Due
from retrust.notifications.timing import next_daily, quiet_hours_end

logger = logging.getLogger(__name__)

# Outbox rows written per INSERT.
WRITE_BATCH = 1000


@dataclass
class TickResult:
    found: int = 0
    written: int = 0
    released: int = 0
    queued_rows: int = 0
    queued_tasks: int = 0
    jobs: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "found": self.found,
            "written": self.written,
            "released": self.released,
            "queued_rows": self.queued_rows,
            "queued_tasks": self.queued_tasks,
            "jobs": self.jobs,
        }


# Other periodic work the tick starts (e.g. a deletion whose grace period is over): called with
# the tick's time, returns how many things it started. Registered by apps with ``job``.
Job = Callable[[datetime], int]
_JOBS: dict[str, Job] = {}


def job(function: Job) -> Job:
    _JOBS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def _batches(items: Iterable[Due], size: int) -> Iterator[list[Due]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _subject_type(subject: str) -> tuple[int | None, int | None]:
    """The content type and id spelt in "app_label.model:id", or (None, None) for a key.

    Django's own content-type cache answers after the first look-up (and is cleared whenever
    content types are created again, e.g. after a test database is flushed, where a cache of our
    own would keep stale ids).
    """
    label, _, pk = subject.partition(":")
    if "." not in label or not pk.isdigit():
        return None, None
    app_label, model = label.split(".", 1)
    try:
        type_id = ContentType.objects.get_by_natural_key(app_label, model).pk
    except ContentType.DoesNotExist:
        return None, None
    return type_id, int(pk)


def write_outbox(items: list[Due], now: datetime) -> int:
    """Write one pending (or suppressed) row per new item; returns how many were new."""
    if not items:
        return 0
    people = {item.recipient_id for item in items}
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=people)}
    switched_off = set(
        SwitchedOff.objects.filter(user_id__in=people).values_list("user_id", "kind")
    )
    defaults = Preference()
    adapt = connection.ops.adapt_datetimefield_value
    created = adapt(now)
    columns, defaults_row = _outbox_columns()
    rows = []
    for item in items:
        kind = kinds.get(item.kind)
        if kind is None:
            continue
        preference = preferences.get(item.recipient_id, defaults)
        status, reason, when = Status.PENDING, "", now
        if not kind.essential and (item.recipient_id, kind.key) in switched_off:
            status, reason = Status.SUPPRESSED, "switched_off"
        elif not kind.essential and preference.channel == Channel.IN_APP:
            status, reason = Status.SUPPRESSED, "in_app"
        elif not kind.essential:
            zone = preference.zone
            if kind.daily or preference.delivery == Delivery.DIGEST:
                when = next_daily(now, zone, preference.digest_at)
            when = quiet_hours_end(when, zone, preference.quiet_start, preference.quiet_end)
        subject_type_id, subject_id = _subject_type(item.subject)
        values = {
            **defaults_row,
            "recipient_id": item.recipient_id,
            "practice_id": item.practice_id,
            "kind": item.kind,
            "subject_type_id": subject_type_id,
            "subject_id": subject_id,
            "subject": item.subject[:120],
            "occasion": item.occasion[:60],
            "status": status,
            "suppressed_reason": reason,
            "next_attempt_at": created if when == now else adapt(when),
            "created_at": created,
        }
        rows.append(tuple(values[column] for column in columns))
    return _insert_ignoring_present(columns, rows)


def _outbox_columns() -> tuple[list[str], dict[str, Any]]:
    """Every column of a new outbox row, and the model's own default for each (ready for the
    database), so a column added to the model later is filled in as ``Notification()`` would."""
    columns, values = [], {}
    for field in Notification._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        values[field.column] = field.get_db_prep_save(field.get_default(), connection)
    return columns, values


def _insert_ignoring_present(columns: list[str], rows: list[tuple[Any, ...]]) -> int:
    """INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike), one prepared statement
    for the whole batch; returns how many rows were new.

    Not ``bulk_create``: building a model instance and compiling SQL for every 55 rows cost
    four fifths of a tick over many partners (docs/benchmarks.md); the unique constraint still
    decides, so a tick running at the same time cannot make a second row.
    """
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = quote(Notification._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    # One transaction per batch: outside one, every row would be a commit (and a disk sync).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING",  # noqa: S608 - our own names
            rows,
        )
        return max(cursor.rowcount, 0)


def queue_due(now: datetime) -> tuple[int, int]:
    """Queue sending for the rows whose time has come; returns (rows, tasks)."""
    from retrust.notifications.tasks import enqueue_sending

    ids = delivery.due_ids(now)
    return len(ids), enqueue_sending(ids, now)


def run_tick(now: datetime | None = None) -> TickResult:
    """One tick. ``now`` is for tests; the command always uses the clock."""
    now = now or timezone.now()
    result = TickResult()
    result.released = delivery.release_stale_claims(now)
    for find in sources.registered():
        for batch in _batches(find(now), WRITE_BATCH):
            result.found += len(batch)
            result.written += write_outbox(batch, now)
    result.queued_rows, result.queued_tasks = queue_due(now)
    for run in list(_JOBS.values()):
        result.jobs += run(now)
    busy = result.written or result.queued_rows or result.released or result.jobs
    logger.log(logging.INFO if busy else logging.DEBUG, "Tick: %s", result.as_json())
    return result
