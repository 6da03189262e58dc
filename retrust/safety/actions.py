"""Raising and acknowledging alerts. Other apps call ``raise_alert`` from their own actions."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from retrust.core import audit
from retrust.core.actions import ActionError
from retrust.core.models import Case
from retrust.safety.models import Alert, AlertPriority, AlertSource


@transaction.atomic
def raise_alert(
    case: Case,
    *,
    source: str,
    priority: str,
    summary: str,
    dedupe_key: str,
    partner: Any = None,
) -> Alert:
    """Create an alert once per ``dedupe_key``; raising the same event again returns the first."""
    if source not in AlertSource.values:
        raise ValueError(f"Unknown alert source {source!r}")
    if priority not in AlertPriority.values:
        raise ValueError(f"Unknown alert priority {priority!r}")
    existing = Alert.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                case=case,
                partner=partner,
                source=source,
                priority=priority,
                summary=summary[:240],
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return Alert.objects.get(dedupe_key=dedupe_key)
    audit.record(
        None,
        "retrust.alert.raised",
        target=alert,
        case=case,
        details={"source": source, "priority": priority},
    )
    return alert


@transaction.atomic
def acknowledge_alert(actor: Any, alert: Alert, note: str) -> Alert:
    """A case clinician marks an alert as seen, with a note saying what they did."""
    if not alert.case.clinicians.filter(pk=actor.pk).exists():
        raise ActionError("Only the case's clinicians can acknowledge its alerts.")
    note = (note or "").strip()
    if not note:
        raise ActionError("Add a short note on what you did or decided.", "note")
    if alert.acknowledged_at is not None:
        return alert
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.acknowledgement_note = note[:4000]
    alert.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note"])
    audit.record(actor, "retrust.alert.acknowledged", target=alert, case=alert.case)
    return alert
