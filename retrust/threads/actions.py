"""The only code that changes messages: sending, marking read, and a practice's message box.

Each action is one transaction with its audit row; the emails it causes are outbox rows
written in the same transaction and queued once it commits. An email says only that something
waits (``notifications.mail``); a message's words never leave retrust.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from retrust.core import audit, pause, policy
from retrust.core.exceptions import ActionError
from retrust.core.models import Case, CaseMember, CaseStatus, Practice, PracticeRole
from retrust.core.rules import may_see
from retrust.notifications.models import Notification, Status
from retrust.notifications.sources import Due
from retrust.notifications.tick import write_outbox
from retrust.threads import kinds
from retrust.threads.models import (
    MESSAGE_MAX,
    Message,
    ReadMarker,
    Thread,
    ThreadKind,
    ThreadSettings,
)
from retrust.threads.queries import TOGETHER, Spec, relation, specs

NOTICE_MAX = 600
REPLY_TIME_MAX = 200


def _spec(case: Case, actor: Any, key: str) -> tuple[Spec, list[CaseMember], bool]:
    """The thread ``key`` if ``actor`` may write in it, the case's partners, and whether the
    actor writes as the case's clinician. The same rule table as reading."""
    found = list(CaseMember.objects.filter(case=case).select_related("user"))
    me = next((m for m in found if m.user_id == actor.pk), None)
    as_clinician = me is None and policy.is_case_clinician(actor, case)
    for spec in specs(found):
        how = relation(actor.pk, partner=me is not None, clinician=as_clinician, spec=spec)
        if spec.key == key and may_see(how, spec.visibility):
            return spec, found, as_clinician
    raise ActionError("There is no such conversation here.")


def _thread(case: Case, spec: Spec, actor: Any) -> Thread:
    """The thread's row, locked; made on the first message (two first messages at once: one
    row, the other waits for it)."""
    rows = Thread.objects.select_for_update().filter(case=case)
    if spec.owner is not None:
        rows = rows.filter(kind=ThreadKind.PRIVATE, author_id=spec.owner.user_id)
    else:
        rows = rows.filter(kind=ThreadKind.COUPLE)
    found = rows.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Thread.objects.create(
                case=case,
                # A private thread is its partner's; the couple's is whoever opens it.
                author_id=spec.owner.user_id if spec.owner is not None else actor.pk,
                visibility=spec.visibility.value,
                kind=ThreadKind.PRIVATE if spec.owner is not None else ThreadKind.COUPLE,
            )
    except IntegrityError:
        return rows.get()


def clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ActionError("Write your message before sending it.", "body")
    if len(text) > MESSAGE_MAX:
        raise ActionError(
            f"That is {len(text):,} characters; a message can be up to {MESSAGE_MAX:,}. You "
            "could send it in two parts.",
            "body",
        )
    return text


def _already_sent(actor: Any, token: str | None) -> Message | None:
    if token is None:
        return None
    return Message.objects.select_related("thread").filter(sender=actor, client_token=token).first()


@transaction.atomic
def send_message(actor: Any, case: Case, key: str, *, body: str, client_token: str = "") -> Message:
    """Add a message to thread ``key`` of ``case``. Sending the same ``client_token`` twice
    writes one message and returns it both times."""
    token = (client_token or "").strip()[:40] or None
    already = _already_sent(actor, token)
    if already is not None:
        if already.thread.case_id != case.pk:
            raise ActionError("This message was already sent somewhere else.", "body")
        return already
    text = clean_body(body)
    spec, found, as_clinician = _spec(case, actor, key)
    case.refresh_from_db(fields=["status"])
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed, so its messages are read-only now.")
    if spec.key == TOGETHER:
        # The couple's thread is shared work: it rests while a pause holds the writer.
        pause.require_couple_work_allowed(case, actor)
    thread = _thread(case, spec, actor)
    now = timezone.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                thread=thread, sender=actor, body=text, client_token=token, created_at=now
            )
    except IntegrityError:
        # The same form sent twice at once: the other request wrote it.
        return Message.objects.get(sender=actor, client_token=token)
    thread.last_message_at = now
    if as_clinician:
        thread.waiting_since = None
    elif thread.waiting_since is None:
        thread.waiting_since = now
    thread.save(update_fields=["last_message_at", "waiting_since", "updated_at"])
    _mark(thread, actor, message.pk, now)
    audit.record(
        actor,
        "retrust.thread.message.sent",
        target=thread,
        case=case,
        details={"thread": thread.kind, "as": "clinician" if as_clinician else "partner"},
    )
    _notify(case, thread, spec, found, actor, now)
    return message


def _recipients(
    case: Case, spec: Spec, found: list[CaseMember], actor: Any
) -> list[tuple[int, str]]:
    """Who hears that something waits: everyone the thread's audience includes but the writer."""
    clinicians = list(
        Case.clinicians.through.objects.filter(
            case_id=case.pk,
            user__memberships__practice_id=case.practice_id,
            user__memberships__role=PracticeRole.CLINICIAN,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    people = [(user_id, kinds.FOR_CLINICIAN.key) for user_id in clinicians]
    if spec.owner is not None:
        people.append((spec.owner.user_id, kinds.FOR_PARTNER.key))
    else:
        # A partner a pause holds is not chased for shared work (as the tick does).
        people += [
            (m.user_id, kinds.FOR_PARTNER.key) for m in found if not pause.is_held(case, m.user)
        ]
    return [(user_id, kind) for user_id, kind in people if user_id != actor.pk]


def _notify(
    case: Case, thread: Thread, spec: Spec, found: list[CaseMember], actor: Any, now: Any
) -> None:
    people = _recipients(case, spec, found, actor)
    if not people:
        return
    read = dict(
        ReadMarker.objects.filter(thread=thread, user_id__in=[p for p, _ in people]).values_list(
            "user_id", "last_read_id"
        )
    )
    subject = f"threads.thread:{thread.pk}"
    # One email until the person reads the thread: later messages share its occasion.
    items = [
        Due(user_id, kind, subject, f"after-{read.get(user_id, 0)}", case.practice_id)
        for user_id, kind in people
    ]
    write_outbox(items, now)
    transaction.on_commit(lambda: _queue(subject, now))


def _queue(subject: str, now: Any) -> None:
    from retrust.notifications.tasks import enqueue_sending

    ids = list(
        Notification.objects.filter(
            subject=subject,
            status=Status.PENDING,
            enqueued_at__isnull=True,
            next_attempt_at__lte=now,
        ).values_list("pk", flat=True)
    )
    if ids:
        enqueue_sending(ids, now)


def _mark(thread: Thread, user: Any, up_to: int, now: Any) -> bool:
    marker, created = ReadMarker.objects.get_or_create(
        thread=thread, user=user, defaults={"last_read_id": up_to, "read_at": now}
    )
    if created:
        return True
    # Only ever forwards: an old tab marking read must not make newer messages new again.
    return bool(
        ReadMarker.objects.filter(pk=marker.pk, last_read_id__lt=up_to).update(
            last_read_id=up_to, read_at=now
        )
    )


@transaction.atomic
def mark_read(actor: Any, thread: Thread | None, up_to: int) -> bool:
    """``actor`` has read ``thread`` up to message ``up_to``. Returns whether anything changed.

    Not audited: a read marker is where the person's eyes have been, not a record of care, and
    the clinician's reading of the words is already recorded when the thread is opened.
    """
    if thread is None or up_to <= 0:
        return False
    newest = Message.objects.filter(thread=thread).order_by("-pk").values_list("pk", flat=True)
    latest = newest.first() or 0
    return _mark(thread, actor, min(up_to, latest), timezone.now())


@transaction.atomic
def update_settings(
    actor: Any, practice: Practice, *, notice: str, reply_time: str
) -> ThreadSettings:
    """A practice admin sets what every message box says above it."""
    if not policy.is_practice_admin(actor) or practice != policy.administered_practice_for(actor):
        raise ActionError("Only a practice admin can change these settings.")
    notice, reply_time = (notice or "").strip(), (reply_time or "").strip()
    if len(notice) > NOTICE_MAX:
        raise ActionError(f"Keep this to {NOTICE_MAX} characters, so it is read.", "notice")
    if len(reply_time) > REPLY_TIME_MAX:
        raise ActionError(f"Keep this to {REPLY_TIME_MAX} characters.", "reply_time")
    found, _ = ThreadSettings.objects.select_for_update().get_or_create(practice=practice)
    before = {"notice": bool(found.notice), "reply_time": bool(found.reply_time)}
    found.notice, found.reply_time = notice, reply_time
    found.save()
    audit.record(
        actor,
        "retrust.practice.message_box.changed",
        target=found,
        practice=practice,
        details={
            "before": before,
            "after": {"notice": bool(notice), "reply_time": bool(reply_time)},
        },
    )
    return found
