"""The one audit function, and the rules for who reads which audit rows.

Action names are namespaced and greppable: ``retrust.case.created``.

Three readers, three views of the same append-only rows:

* the case's clinician reads the case timeline (``case_timeline``): every row of the case
  except a partner's private activity (a private entry written, a draft saved, a record made
  private), which is nobody's business but its author's;
* the practice admin reads ``for_admin``: who did what *kind* of thing to which case. Account,
  security, access, invitation and practice rows are shown as they are, with only the
  harmless details; everything else is clinical and shown as one row per person, case and day,
  labelled "Clinical record changed", with the date only, no detail and no action name (so
  neither the wording nor the timing tells the admin, say, that a questionnaire answer raised
  an alert). Clinical rows written by the system itself (alerts, pauses) and private activity
  are left out of the admin's view altogether;
* the database keeps everything, for a clinical-governance review with the right people.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import BigIntegerField, DateTimeField, F, Max, Q, QuerySet, Value, When
from django.db.models import Case as Choose
from django.db.models.functions import TruncDay
from django.utils import timezone

from retrust.core.models import AuditEvent, Case, Practice
from retrust.core.rules import Visibility

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


def private_to_author(visibility: str) -> bool:
    """Whether activity on a record of this visibility is the author's private activity.

    Pass the visibility the record has *after* the change: writing a private entry, saving a
    draft (always private: pass ``Visibility.PRIVATE``) or making a record private again.
    """
    return str(visibility) == Visibility.PRIVATE.value


def record(
    actor: Any,
    action: str,
    *,
    target: models.Model | None = None,
    case: Case | None = None,
    practice: Practice | None = None,
    details: dict[str, Any] | None = None,
    private: bool = False,
) -> AuditEvent:
    """Append one event. Call it inside the action's transaction so both land or neither.

    ``private``: a partner's private activity (see ``private_to_author``); kept, but listed
    for neither the clinician nor the admin.
    """
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
        private=private,
    )


# --- what kind of thing happened --------------------------------------------------------------

CLINICAL = "clinical"

# The only rows that are not clinical, by the action's namespace (ending in ".") or exact name.
# Everything not listed here is clinical: a new action is clinical until someone decides
# otherwise, so a forgotten entry hides too much rather than too little.
NON_CLINICAL: tuple[tuple[str, str], ...] = (
    ("retrust.user.", "account"),
    ("retrust.api_token.", "security"),
    ("retrust.security.", "security"),
    ("retrust.case.created", "access"),
    ("retrust.case.member.joined", "access"),
    ("retrust.case.content.viewed", "access"),
    ("retrust.measure.fhir.exported", "access"),
    ("retrust.report.", "access"),
    ("retrust.invitation.", "invitation"),
    ("retrust.practice.", "practice"),
    ("retrust.crisis_resource.", "practice"),
    ("retrust.agreement_settings.", "practice"),
    ("retrust.demo.", "practice"),
)
KIND_LABELS: dict[str, str] = {
    "account": "Account",
    "security": "Security",
    "access": "Access to a case",
    "invitation": "Invitation",
    "practice": "Practice settings",
    CLINICAL: "Clinical record changed",
}
# Details the admin may read on a non-clinical row; every other key stays in the database.
ADMIN_DETAIL_KEYS = ("role", "email", "name", "count", "reason", "via", "expires_on")


def _matches(action: str, name: str) -> bool:
    return action.startswith(name) if name.endswith(".") else action == name


def kind_of(action: str) -> str:
    """The kind of an action: one of ``KIND_LABELS``; ``"clinical"`` unless listed otherwise."""
    for name, kind in NON_CLINICAL:
        if _matches(action, name):
            return kind
    return CLINICAL


def _kind_q(kind: str) -> Q:
    """The rows of one non-clinical kind, as a query (the same table as ``kind_of``)."""
    q = Q(pk__in=[])
    for name, listed in NON_CLINICAL:
        if listed == kind:
            q |= Q(action__startswith=name) if name.endswith(".") else Q(action=name)
    return q


def non_clinical_q() -> Q:
    q = Q(pk__in=[])
    for kind in {kind for _, kind in NON_CLINICAL}:
        q |= _kind_q(kind)
    return q


def of_kind(events: QuerySet[AuditEvent], kind: str) -> QuerySet[AuditEvent]:
    if kind == CLINICAL:
        return events.exclude(non_clinical_q())
    return events.filter(_kind_q(kind))


def with_action_prefix(events: QuerySet[AuditEvent], prefix: str) -> QuerySet[AuditEvent]:
    """Filter by action name for the admin: clinical rows have no name to match, ever."""
    return events.filter(non_clinical_q(), action__startswith=prefix)


# --- the clinician's case timeline ------------------------------------------------------------


def case_timeline(case: Case, limit: int = 25) -> list[AuditEvent]:
    """What happened in a case, newest first, without the partners' private activity."""
    return list(
        AuditEvent.objects.filter(case=case, private=False).order_by("-created_at", "-id")[:limit]
    )


# --- the practice admin's view ----------------------------------------------------------------


@dataclass(frozen=True)
class AdminRow:
    """One line of the admin's audit log."""

    when: datetime
    # False for clinical rows: only the day is shown.
    exact_time: bool
    actor_email: str
    kind: str
    kind_label: str
    # The action's name, for non-clinical rows only.
    action: str
    case_id: int | None
    details: dict[str, Any]


def for_admin(events: QuerySet[AuditEvent]) -> QuerySet[Any]:
    """The admin's rows, newest first: one per non-clinical event, one per person, case and day
    for clinical activity (placed at the start of its day, so that its position between
    exactly timed rows says nothing about when it happened).

    Give the page of rows to ``admin_rows``. Three queries whatever the size of the log
    (count, page, the page's events).
    """
    clinical = ~non_clinical_q()
    day = TruncDay("created_at", tzinfo=timezone.get_current_timezone())
    return (
        events.filter(private=False)
        .exclude(clinical & Q(actor__isnull=True))
        .annotate(
            clinical=Choose(When(clinical, then=Value(True)), default=Value(False)),
            shown_at=Choose(
                When(clinical, then=day), default=F("created_at"), output_field=DateTimeField()
            ),
            group=Choose(
                When(clinical, then=Value(0)), default=F("id"), output_field=BigIntegerField()
            ),
        )
        .values("shown_at", "clinical", "actor_email", "case_id", "group")
        .annotate(latest_id=Max("id"))
        .order_by("-shown_at", "clinical", "actor_email", "case_id", "-latest_id")
    )


def admin_rows(rows: Any) -> list[AdminRow]:
    """Turn one page of ``for_admin`` rows into what the page shows (one query)."""
    rows = list(rows)
    events = AuditEvent.objects.in_bulk([row["latest_id"] for row in rows if not row["clinical"]])
    shown = []
    for row in rows:
        if row["clinical"]:
            shown.append(
                AdminRow(
                    when=row["shown_at"],
                    exact_time=False,
                    actor_email=row["actor_email"],
                    kind=CLINICAL,
                    kind_label=KIND_LABELS[CLINICAL],
                    action="",
                    case_id=row["case_id"],
                    details={},
                )
            )
            continue
        event = events[row["latest_id"]]
        kind = kind_of(event.action)
        shown.append(
            AdminRow(
                when=event.created_at,
                exact_time=True,
                actor_email=event.actor_email,
                kind=kind,
                kind_label=KIND_LABELS[kind],
                action=event.action,
                case_id=event.case_id,
                details={k: event.details[k] for k in ADMIN_DETAIL_KEYS if k in event.details},
            )
        )
    return shown


# --- when a person's retention period ends ----------------------------------------------------


def forget_address(user: Any) -> int:
    """Blank a former partner's email address in the audit rows that carry it; returns how many.

    The one deliberate exception to "append-only": the rows stay (who did what kind of thing,
    and when, still reads as "a former partner"), only the address goes, once the practice's
    retention period for the person's records has ended. Rows they wrote (``actor_email``) and
    the rows of the invitations sent to them (``details.email``).
    """
    from retrust.core.models import Invitation

    rows = models.QuerySet(AuditEvent)  # the plain queryset: AuditQuerySet refuses updates
    changed = rows.filter(actor=user).exclude(actor_email="").update(actor_email="")
    invitations = Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email))
    targets = [str(pk) for pk in invitations.values_list("pk", flat=True)]
    for event in rows.filter(target_type="core.invitation", target_id__in=targets):
        if event.details.get("email"):
            details = {**event.details, "email": ""}
            changed += rows.filter(pk=event.pk).update(details=details)
    return changed
