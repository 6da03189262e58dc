"""Every change data rights make: one transaction each, audited without personal data, work
queued on commit with ids only.

* A copy: ``request_export`` (idempotent: an open copy is found, not doubled), ``prepare_export``
  (in the queue), ``make_download_link`` and ``download`` (the link works once, for a few
  minutes, for its owner only), ``expire_exports`` (a prepared copy is kept a few days at most).
* Leaving: ``request_departure`` (idempotent), ``cancel_departure`` (until the grace period
  ends), ``shred_departure`` (in the queue, after the grace period), ``shred_held`` (after the
  retention period), and ``due_work`` (what the tick starts).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from retrust.core import audit
from retrust.core.datarights import Leaving, held_all, shred_all, shred_held_all
from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import Case, CaseMember, Practice
from retrust.datarights import package
from retrust.datarights.models import (
    OPEN_EXPORT,
    DataExport,
    Departure,
    ExportStatus,
    RetentionSettings,
)

# A prepared copy waits this long for its download, then it is removed.
EXPORT_KEEP = timedelta(days=7)
# A download link works once, within this time of being made.
LINK_LIFETIME = timedelta(minutes=10)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- a copy of one's data -------------------------------------------------------------------


def request_export(user: Any) -> DataExport:
    """Start preparing a copy, or find the one already on its way or waiting to be downloaded."""
    with transaction.atomic():
        expire_exports(user=user)  # a copy past its time is not "on its way"
        existing = DataExport.objects.filter(OPEN_EXPORT, user=user).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                export = DataExport.objects.create(user=user)
        except IntegrityError:  # a second request at the same moment
            return DataExport.objects.get(OPEN_EXPORT, user=user)
        audit.record(user, "retrust.datarights.export.requested", target=export, private=True)
        transaction.on_commit(lambda: _enqueue_prepare(export.pk))
    return export


def _enqueue_prepare(export_id: int) -> None:
    from retrust.datarights.tasks import prepare_export_task

    prepare_export_task.enqueue(export_id)


def prepare_export(export_id: int, now: datetime | None = None) -> DataExport | None:
    """Build the copy (JSON and FHIR, zipped) and store it encrypted; None if nothing to do."""
    now = now or timezone.now()
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.PREPARING:
        return export
    data = package.build(export.user, now)
    with transaction.atomic():
        updated = DataExport.objects.filter(pk=export.pk, status=ExportStatus.PREPARING).update(
            status=ExportStatus.READY,
            content=base64.b64encode(data).decode(),
            size=len(data),
            ready_at=now,
            expires_at=now + EXPORT_KEEP,
        )
        if updated:
            audit.record(
                export.user,
                "retrust.datarights.export.prepared",
                target=export,
                details={"bytes": len(data)},
                private=True,
            )
    export.refresh_from_db()
    return export


def make_download_link(user: Any, export_id: int, now: datetime | None = None) -> str:
    """A fresh one-time token for a ready copy of this person's (the page sends them to it)."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    updated = DataExport.objects.filter(
        pk=export_id, user=user, status=ExportStatus.READY, expires_at__gt=now
    ).update(token_hash=hash_token(token), link_expires_at=now + LINK_LIFETIME)
    if not updated:
        raise ActionConflict(
            "This copy is no longer available. You can prepare a new one below.", "export"
        )
    return token


LINK_GONE = (
    "This download link has already been used, or it ran out after a few minutes. "
    "Your data page says what you can do next."
)


def download(user: Any, token: str, now: datetime | None = None) -> bytes | None:
    """The copy behind this link, once. ``None`` when the link is not this person's (or never
    was a link); ``ActionConflict`` when it is theirs but used or run out."""
    now = now or timezone.now()
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update()
            .filter(
                token_hash=hash_token(token),
                user=user,
                status=ExportStatus.READY,
                link_expires_at__gt=now,
            )
            .first()
        )
        if export is None or not export.content:
            if DataExport.objects.filter(token_hash=hash_token(token), user=user).exists():
                raise ActionConflict(LINK_GONE)
            return None
        data = base64.b64decode(export.content)
        claimed = DataExport.objects.filter(pk=export.pk, status=ExportStatus.READY).update(
            status=ExportStatus.DOWNLOADED, downloaded_at=now, content=None
        )
        if not claimed:
            return None
        audit.record(user, "retrust.datarights.export.downloaded", target=export, private=True)
    return data


def expire_exports(now: datetime | None = None, user: Any = None) -> int:
    """Remove prepared copies nobody downloaded in time (of one person, or everyone's);
    returns how many."""
    now = now or timezone.now()
    rows = DataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now)
    if user is not None:
        rows = rows.filter(user=user)
    return rows.update(status=ExportStatus.EXPIRED, content=None)


# --- leaving ----------------------------------------------------------------------------------


def practices_of(user: Any) -> list[Practice]:
    return list(Practice.objects.filter(cases__members__user=user).distinct().order_by("pk"))


def grace_for(user: Any) -> int:
    """The longest grace period among the practices of this person's cases (14 days if none)."""
    days = [RetentionSettings.for_practice(p).grace_days for p in practices_of(user)]
    return max(days, default=RetentionSettings().grace_days)


def request_departure(user: Any, now: datetime | None = None) -> Departure:
    """Ask to delete the account; idempotent. The password is checked by the form beforehand."""
    now = now or timezone.now()
    with transaction.atomic():
        existing = Departure.objects.filter(user=user, cancelled_at__isnull=True).first()
        if existing is not None:
            return existing
        case_ids = sorted(CaseMember.objects.filter(user=user).values_list("case_id", flat=True))
        departure = Departure.objects.create(
            user=user,
            case_ids=case_ids,
            requested_at=now,
            shred_after=now + timedelta(days=grace_for(user)),
        )
        for case in Case.objects.filter(pk__in=case_ids).select_related("practice"):
            # One row per case, so each case's clinician reads it in their timeline.
            audit.record(
                user,
                "retrust.datarights.departure.requested",
                target=departure,
                case=case,
                details={"shred_on": departure.shred_after.date().isoformat()},
            )
    return departure


def cancel_departure(user: Any, now: datetime | None = None) -> Departure:
    now = now or timezone.now()
    with transaction.atomic():
        departure = (
            Departure.objects.select_for_update()
            .filter(user=user, cancelled_at__isnull=True, shredded_at__isnull=True)
            .first()
        )
        if departure is None:
            raise ActionError("There is no request to delete your account to cancel.")
        departure.cancelled_at = now
        departure.save(update_fields=["cancelled_at"])
        for case in Case.objects.filter(pk__in=departure.case_ids).select_related("practice"):
            audit.record(
                user, "retrust.datarights.departure.cancelled", target=departure, case=case
            )
    return departure


def add_years(moment: datetime, years: int) -> datetime:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _retention_years(case_ids: list[int]) -> int:
    practices = Practice.objects.filter(cases__pk__in=case_ids).distinct()
    years = [RetentionSettings.for_practice(p).retention_years for p in practices]
    return max(years, default=RetentionSettings().retention_years)


def leaving_of(departure: Departure) -> Leaving:
    return Leaving(
        user=departure.user,
        case_ids=tuple(departure.case_ids),
        emptied_case_ids=tuple(departure.emptied_case_ids),
    )


def leaving_now(departure: Departure) -> Leaving:
    """Who is leaving which cases as things stand: cases they joined after asking count too,
    and the cases nobody else is a partner in are noted."""
    case_ids = sorted(
        set(departure.case_ids)
        | set(CaseMember.objects.filter(user=departure.user).values_list("case_id", flat=True))
    )
    others = set(
        CaseMember.objects.filter(case_id__in=case_ids)
        .exclude(user=departure.user)
        .values_list("case_id", flat=True)
    )
    emptied = tuple(pk for pk in case_ids if pk not in others)
    return Leaving(user=departure.user, case_ids=tuple(case_ids), emptied_case_ids=emptied)


# What is due, besides its date: a deletion not cancelled nor done; a hold not yet ended.
DUE_DEPARTURE = Q(cancelled_at__isnull=True, shredded_at__isnull=True)
DUE_HOLD = Q(shredded_at__isnull=False, held_shredded_at__isnull=True)


def _locked(departure_id: int, due: Q) -> Departure | None:
    """The departure, locked for this transaction, if it is (still) due; else None."""
    return (
        Departure.objects.select_for_update()
        .select_related("user")
        .filter(due, pk=departure_id)
        .first()
    )


def shred_departure(departure_id: int, now: datetime | None = None) -> Departure | None:
    """Carry out a deletion whose grace period is over: every app's shredder in one
    transaction, then the clinical hold. A cancelled, early or finished one is left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        departure = _locked(departure_id, DUE_DEPARTURE & Q(shred_after__lte=now))
        if departure is None:
            return None
        leaving = leaving_now(departure)
        case_ids = list(leaving.case_ids)
        departure.case_ids = case_ids
        departure.emptied_case_ids = list(leaving.emptied_case_ids)
        departure.shredded = shred_all(leaving)
        departure.held = held_all(leaving)
        departure.shredded_at = now
        departure.hold_until = add_years(now, _retention_years(case_ids))
        departure.queued_at = None  # the next step, years from now, is queued afresh
        departure.save()
        for case in Case.objects.filter(pk__in=case_ids).select_related("practice"):
            audit.record(
                None,
                "retrust.datarights.departure.shredded",
                target=departure,
                case=case,
                details={
                    "count": sum(departure.shredded.values()),
                    "held": sum(departure.held.values()),
                    "hold_until": departure.hold_until.date().isoformat(),
                },
            )
    return departure


def shred_held(departure_id: int, now: datetime | None = None) -> Departure | None:
    """Remove the held clinical records once the retention period is over."""
    now = now or timezone.now()
    with transaction.atomic():
        departure = _locked(departure_id, DUE_HOLD & Q(hold_until__lte=now))
        if departure is None:
            return None
        done = shred_held_all(leaving_of(departure))
        departure.held_shredded_at = now
        departure.save(update_fields=["held_shredded_at"])
        for case in Case.objects.filter(pk__in=departure.case_ids).select_related("practice"):
            audit.record(
                None,
                "retrust.datarights.hold.ended",
                target=departure,
                case=case,
                details={"count": sum(done.values())},
            )
    return departure


# A deletion queued this long ago and still not done (a worker died) is queued again.
REQUEUE_AFTER = timedelta(minutes=10)


def _claim(due: Q, now: datetime) -> list[int]:
    """Due rows not queued lately, marked as queued by a conditional update (so two ticks at
    once queue each deletion once)."""
    fresh = Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER)
    claimed = []
    for pk in Departure.objects.filter(due, fresh).values_list("pk", flat=True):
        if Departure.objects.filter(fresh, pk=pk).update(queued_at=now):
            claimed.append(pk)
    return claimed


def due_departures(now: datetime) -> list[int]:
    return _claim(DUE_DEPARTURE & Q(shred_after__lte=now), now)


def due_holds(now: datetime) -> list[int]:
    return _claim(DUE_HOLD & Q(hold_until__lte=now), now)


def due_work(now: datetime | None = None) -> int:
    """What the tick starts: expired copies removed, and a task for each deletion and each
    retention period that is due. Returns how many things it started."""
    from retrust.datarights.tasks import shred_departure_task, shred_held_task

    now = now or timezone.now()
    started = expire_exports(now)
    for pk in due_departures(now):
        shred_departure_task.enqueue(pk)
        started += 1
    for pk in due_holds(now):
        shred_held_task.enqueue(pk)
        started += 1
    return started


# --- the practice's settings --------------------------------------------------------------------


def change_retention(actor: Any, practice: Practice, grace_days: int, retention_years: int) -> Any:
    with transaction.atomic():
        current = RetentionSettings.for_practice(practice)
        old = {"grace_days": current.grace_days, "retention_years": current.retention_years}
        current.grace_days = grace_days
        current.retention_years = retention_years
        current.full_clean()
        current.save()
        new = {"grace_days": grace_days, "retention_years": retention_years}
        if old != new:
            audit.record(
                actor,
                "retrust.practice.retention.changed",
                target=current,
                practice=practice,
                details={"old": old, "new": new},
            )
    return current
