"""The one audit function. Action names are namespaced and greppable: ``retrust.case.created``."""

from __future__ import annotations

import contextvars
from typing import Any

from django.db import models

from retrust.core.models import AuditEvent, Case, Practice

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# Keys whose values never go into the audit log, whatever an action passes.
MASKED_KEYS = frozenset({"password", "token", "body", "text", "answer", "answers", "secret"})


def _mask(details: Any) -> Any:
    """Mask sensitive keys at any depth and in any letter case."""
    if isinstance(details, dict):
        return {
            key: "[masked]" if str(key).lower() in MASKED_KEYS else _mask(value)
            for key, value in details.items()
        }
    if isinstance(details, list | tuple):
        return [_mask(value) for value in details]
    return details


def record(
    actor: Any,
    action: str,
    *,
    target: models.Model | None = None,
    case: Case | None = None,
    practice: Practice | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the action's transaction so both land or neither."""
    if not action.startswith("retrust."):
        raise ValueError(f"Audit action names start with 'retrust.': {action!r}")
    if practice is None and case is not None:
        practice = case.practice
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_email=actor.email if authenticated else "",
        action=action,
        practice=practice,
        case=case,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        request_id=request_id_var.get(),
        details=_mask(details or {}),
    )
