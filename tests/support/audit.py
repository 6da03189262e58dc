"""Audit helpers for tests."""

from __future__ import annotations

from django.db.models import F, QuerySet

from retrust.core.audit import CONTENT_VIEWED, CONTENT_VIEWED_WINDOW
from retrust.core.models import AuditEvent


def ten_minutes_pass() -> None:
    """Move every recorded clinical read back past the merge window: the next read is new.

    A clinician's repeated read of the same content within ``CONTENT_VIEWED_WINDOW`` adds no
    row (``audit.record_content_viewed``); tests that count one row per read call this
    between reads.
    """
    # The audit log refuses updates; a test stands in for the clock, under the refusal.
    rows = AuditEvent.objects.filter(action=CONTENT_VIEWED)
    QuerySet.update(rows, created_at=F("created_at") - CONTENT_VIEWED_WINDOW)
