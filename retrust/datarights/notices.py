"""Who hears about what, through the notifications outbox (content-free, like every message).

* The case's clinicians hear that a partner in one of their cases asked to delete their
  account (``partner_leaving``); the page behind the sign-in says who and when. The other
  partner is not told by retrust: their clinician decides how and when they hear it.
* A person hears that the copy of their data is ready (``data_copy_ready``).

Subjects are plain keys ("departure:12"), not content types: nothing here needs the link.

The tick also starts the deletions and the ends of retention periods that are due
(``actions.due_work``, registered as a tick job).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import F, OuterRef, Subquery

from retrust.core.models import Case, CaseMember, PracticeRole
from retrust.datarights import actions
from retrust.datarights.models import DataExport, Departure, ExportStatus
from retrust.notifications import kinds, sources, tick

PARTNER_LEAVING = kinds.Kind(
    "partner_leaving", "A partner in one of your cases asked to delete their account", "clinician"
)
DATA_COPY_READY = kinds.Kind("data_copy_ready", "A copy of your data is ready", "partner")


def departures_to_tell(now: datetime) -> Iterator[sources.Due]:
    """Each clinician of each case of a waiting deletion, once per deletion. Two queries."""
    waiting = {
        d.pk: d.case_ids
        for d in Departure.objects.filter(cancelled_at__isnull=True, shredded_at__isnull=True)
    }
    by_case: dict[int, list[int]] = {}
    for pk, case_ids in waiting.items():
        for case_id in case_ids:
            by_case.setdefault(case_id, []).append(pk)
    assigned = Case.clinicians.through.objects.filter(
        case_id__in=list(by_case),
        case__practice__memberships__user_id=F("user_id"),
        case__practice__memberships__role=PracticeRole.CLINICIAN,
    ).values_list("user_id", "case_id", "case__practice_id")
    for user_id, case_id, practice_id in assigned:
        for pk in by_case[case_id]:
            yield sources.Due(user_id, PARTNER_LEAVING.key, f"departure:{pk}", "", practice_id)


def copies_ready(now: datetime) -> Iterator[sources.Due]:
    """A prepared copy waiting for its download: its owner hears once. One query."""
    practice = CaseMember.objects.filter(user_id=OuterRef("user_id")).order_by("case_id")
    ready = DataExport.objects.filter(status=ExportStatus.READY, expires_at__gt=now).annotate(
        practice_id=Subquery(practice.values("case__practice_id")[:1])
    )
    for pk, user_id, practice_id in ready.values_list("pk", "user_id", "practice_id"):
        yield sources.Due(user_id, DATA_COPY_READY.key, f"data-copy:{pk}", "", practice_id)


def register() -> None:
    kinds.register(PARTNER_LEAVING)
    kinds.register(DATA_COPY_READY)
    sources.source(departures_to_tell)
    sources.source(copies_ready)
    tick.job(actions.due_work)
