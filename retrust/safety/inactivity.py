"""Inactivity alerts: a partner who has not been active for the practice's set number of days."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from retrust.core.models import CaseMember, CaseStatus, Practice
from retrust.safety.actions import raise_alert
from retrust.safety.models import Alert, AlertPriority, AlertSource


def raise_inactivity_alerts() -> int:
    """Raise one normal alert per quiet partner per quiet spell; returns how many are new."""
    raised = 0
    for practice in Practice.objects.all():
        cutoff = timezone.now() - timedelta(days=practice.inactivity_alert_days)
        quiet = CaseMember.objects.filter(
            case__practice=practice,
            case__status__in=[CaseStatus.INTAKE, CaseStatus.ACTIVE],
        ).filter(
            Q(last_active_at__lt=cutoff) | Q(last_active_at__isnull=True, joined_at__lt=cutoff)
        )
        for member in quiet.select_related("case", "user"):
            since = member.last_active_at or member.joined_at
            # The key changes once they are active again, so each quiet spell alerts once.
            key = f"inactivity:{member.pk}:{since:%Y%m%d%H%M%S}"
            if Alert.objects.filter(dedupe_key=key).exists():
                continue
            raise_alert(
                member.case,
                source=AlertSource.INACTIVITY,
                priority=AlertPriority.NORMAL,
                summary=(
                    f"No activity from {member.user.name} for "
                    f"{practice.inactivity_alert_days} days or more."
                ),
                dedupe_key=key,
                partner=member.user,
            )
            raised += 1
    return raised
