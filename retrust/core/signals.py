"""Signing in and out are state changes too: each one leaves an audit row."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from retrust.core import audit
from retrust.core.models import CaseMember, ClinicianMembership


def _practice_of(user: Any) -> Any:
    """The practice whose audit log shows this person's sign-ins (staff first, then cases)."""
    membership = ClinicianMembership.objects.filter(user=user).select_related("practice").first()
    if membership is not None:
        return membership.practice
    member = CaseMember.objects.filter(user=user).select_related("case__practice").first()
    return member.case.practice if member is not None else None


@receiver(user_logged_in, dispatch_uid="retrust.audit.signed_in")
def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(user, "retrust.user.signed_in", target=user, practice=_practice_of(user))
    # Signing in counts as activity for the clinician's "last active" and inactivity alerts.
    CaseMember.objects.filter(user=user).update(last_active_at=timezone.now())


@receiver(user_logged_out, dispatch_uid="retrust.audit.signed_out")
def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        audit.record(user, "retrust.user.signed_out", target=user, practice=_practice_of(user))
