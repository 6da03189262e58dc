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

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import BigIntegerField, DateTimeField, F, Max, Q, QuerySet, Value, When
from django.db.models import Case as Choose
from django.db.models.functions import TruncDay
from django.utils import timezone

from retrust.core.models import AuditEvent, Case, Practice
from retrust.core.observability import request_id_var
from retrust.core.rules import Visibility

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


CONTENT_VIEWED = "retrust.case.content.viewed"
# A clinician's repeated read of the same kind of content in the same case within this window
# is covered by the row of the first read (see ``record_content_viewed``).
CONTENT_VIEWED_WINDOW = timedelta(minutes=10)
TIMELINE_PAGE = 25


def record_content_viewed(actor: Any, case: Case, what: str) -> AuditEvent | None:
    """A clinician read clinical content: one row per clinician, case, kind and 10 minutes.

    The audit promise is that every read of clinical content is on record: who, which case,
    what kind, when. A clinician moving between a case's pages reads the same kinds again and
    again; a second row for "Dana read the journal of case 12 at 10:04" when one says 10:01
    tells a reviewer nothing more, and on a busy caseload such rows outnumbered everything
    else. So a read within ten minutes of a recorded read of the same kind by the same
    person in the same case adds no row: each row stands for the reads of its ten minutes.
    Rows are still only ever added, never changed.
    """
    recent = AuditEvent.objects.filter(
        case=case,
        actor=actor,
        action=CONTENT_VIEWED,
        details__what=what,
        created_at__gte=timezone.now() - CONTENT_VIEWED_WINDOW,
    )
    if recent.exists():
        return None
    return record(actor, CONTENT_VIEWED, case=case, details={"what": what})


# What each action says on the case timeline, after the name of whoever did it ("Ari wrote a
# journal entry"); "retrust" stands for the system. Plain words for a busy clinician: no
# detail, no content, only what kind of thing happened. An action missing here is shown by
# its code (``tests/test_case_timeline.py`` fails when an action recorded on a case is missing).
TIMELINE_WORDS: dict[str, str] = {
    "retrust.agreement.accepted": "accepted an agreement",
    "retrust.agreement.amended": "proposed a change to an agreement",
    "retrust.agreement.annotated": "added a note to an agreement",
    "retrust.agreement.declined": "declined an agreement",
    "retrust.agreement.proposed": "proposed an agreement",
    "retrust.agreement.renegotiation_requested": "asked to talk an agreement over again",
    "retrust.alert.acknowledged": "acknowledged an alert",
    "retrust.alert.raised": "raised an alert",
    "retrust.appointment.attended": "recorded a session as attended",
    "retrust.appointment.booked": "booked a session",
    "retrust.appointment.cancelled": "cancelled a session",
    "retrust.appointment.change_requested": "asked for another time for a session",
    "retrust.appointment.joined": "joined a video session",
    "retrust.appointment.missed": "recorded a session as missed",
    "retrust.appointment.rescheduled": "moved a session",
    "retrust.breach.answered": "answered a note that an agreement did not hold",
    "retrust.breach.reported": "noted that an agreement did not hold",
    "retrust.case.created": "opened the case",
    "retrust.case.individual_session.recorded": "recorded an individual session",
    "retrust.case.member.joined": "joined the case",
    "retrust.case.pause.lifted": "lifted the pause on couple work",
    "retrust.case.pause.shown": "showed both partners that couple work is paused",
    "retrust.case.pause.started": "paused couple work",
    "retrust.case.record.shown": "shared an earlier record with both partners again",
    "retrust.case.records.held": "held earlier shared records back from a partner who joined",
    "retrust.case.status.changed": "changed the case's status",
    "retrust.case.track.changed": "changed the case's track",
    "retrust.commitment.ended": "stopped a commitment",
    "retrust.commitment.made": "made a commitment",
    "retrust.consultation.case_opened": "opened the case from a consultation request",
    "retrust.consultation.goals_carried": "carried the consultation's goals into the case",
    "retrust.contact.messages_unsafe.cleared": "said messages are safe to receive again",
    "retrust.contact.messages_unsafe.marked": "marked messages as not safe to receive",
    "retrust.contact.reset_link.handed_over": "made a password reset link to hand over",
    "retrust.conversation.break.called": "called a break in a conversation",
    "retrust.conversation.opened": "opened a conversation",
    "retrust.conversation.turn.posted": "took a turn in a conversation",
    "retrust.daily.answer.changed": "changed a daily answer",
    "retrust.daily.answered": "answered the daily question",
    "retrust.daily.settings.changed": "changed the daily question's settings",
    "retrust.datarights.departure.cancelled": "decided to stay after asking to leave",
    "retrust.datarights.departure.requested": "asked to leave and have their data removed",
    "retrust.datarights.departure.shredded": "removed the records of a person who left",
    "retrust.datarights.export.downloaded": "downloaded a copy of their data",
    "retrust.datarights.export.prepared": "prepared a copy of a person's data",
    "retrust.datarights.export.requested": "asked for a copy of their data",
    "retrust.datarights.hold.ended": "removed records held after a person left",
    "retrust.invitation.created": "invited a partner",
    "retrust.invitation.withdrawn": "withdrew an invitation",
    "retrust.journal.deleted": "deleted a journal entry",
    "retrust.journal.edited": "edited a journal entry",
    "retrust.journal.read_marked": "marked a journal entry as read",
    "retrust.journal.visibility_changed": "changed who can read a journal entry",
    "retrust.journal.written": "wrote a journal entry",
    "retrust.measure.fhir.exported": "exported measures (FHIR)",
    "retrust.measure.response.submitted": "answered a check-in",
    "retrust.measure.response.superseded": "answered a check-in again",
    "retrust.measure.schedule.created": "scheduled a check-in",
    "retrust.measure.schedule.ended": "ended a check-in schedule",
    "retrust.measure.sharing.suggested": "suggested sharing check-in totals",
    "retrust.measure.totals.shared": "shared check-in totals with their partner",
    "retrust.measure.totals.withdrawn": "stopped sharing check-in totals",
    "retrust.occurrence.corrected": "changed a day of a commitment",
    "retrust.occurrence.dispute.replied": "replied about a day seen differently",
    "retrust.occurrence.recorded": "recorded a day of a commitment",
    "retrust.program.appreciation.sent": "sent an appreciation",
    "retrust.program.case_goal.added": "added a goal",
    "retrust.program.case_goal.updated": "updated a goal",
    "retrust.program.comment.written": "commented on homework",
    "retrust.program.decision.recorded": "recorded a decision about the relationship",
    "retrust.program.homework.assigned": "assigned homework",
    "retrust.program.homework.revealed": "opened homework answers to both partners",
    "retrust.program.response.edited": "edited their homework",
    "retrust.program.response.submitted": "sent their homework",
    "retrust.program.response.visibility_changed": "changed who can read their homework",
    "retrust.program.stage.advanced": "moved the case to the next stage",
    "retrust.program.stage.confirmed": "agreed to move to the next stage",
    "retrust.program.stage.proposed": "suggested moving to the next stage",
    "retrust.program.stage.withdrawn": "withdrew a suggestion to move stage",
    "retrust.program.trust_goal.written": "wrote a trust goal",
    "retrust.report.downloaded": "downloaded a progress report",
    "retrust.report.fhir.exported": "exported a progress report (FHIR)",
    "retrust.report.requested": "asked for a progress report",
    "retrust.review.answer.finished": "finished their answers to a hurtful-moment review",
    "retrust.review.answer.saved": "saved an answer to a hurtful-moment review",
    "retrust.review.commented": "commented on a hurtful-moment review",
    "retrust.review.for_session": "took a hurtful-moment review to the next session",
    "retrust.review.opened": "opened a hurtful-moment review",
    "retrust.review.revealed": "opened a hurtful-moment review's answers to both",
    "retrust.review.talked_through": "noted that a hurtful-moment review was talked through",
    "retrust.safety.screen.submitted": "answered the private safety questions",
    "retrust.session_note.addendum_added": "added to a session note",
    "retrust.session_note.signed": "signed a session note",
    "retrust.thread.message.sent": "sent a secure message",
    "retrust.trigger.logged": "noted a trigger",
}


@dataclass(frozen=True)
class TimelineLine:
    """One event of the case timeline as the clinician reads it."""

    when: datetime
    sentence: str
    # The action's code, for an action ``TIMELINE_WORDS`` does not know yet.
    code: str


def timeline_lines(events: Any, names: dict[int, str]) -> list[TimelineLine]:
    """The events in plain words, each person by the name the case page already shows
    (``names``, by user id), else by the email kept on the row, else "retrust"."""
    lines = []
    for event in events:
        who = names.get(event.actor_id) or event.actor_email or "retrust"
        words = TIMELINE_WORDS.get(event.action)
        lines.append(
            TimelineLine(
                event.created_at, f"{who} {words}" if words else who, "" if words else event.action
            )
        )
    return lines


def case_timeline(case: Case, page_number: Any = 1) -> Page[AuditEvent]:
    """What happened in a case, newest first, a page at a time.

    Without the partners' private activity, and without the clinicians' own "content viewed"
    rows (they are for a governance review and the admin's log, not for the people who
    wrote them). Two queries (count, page) on the (case, created_at, id) index.
    """
    events = (
        AuditEvent.objects.filter(case=case, private=False)
        .exclude(action=CONTENT_VIEWED)
        .order_by("-created_at", "-id")
    )
    return Paginator(events, TIMELINE_PAGE).get_page(page_number)


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
