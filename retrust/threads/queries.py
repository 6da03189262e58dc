"""What the Messages pages and the messages API read, built once for both.

A thread is addressed by its key in the case, never by a number: ``partner_a`` and
``partner_b`` are the partners' private threads with the clinician, ``together`` is the
couple's. A thread nobody has written in yet has no row, but whether a person may open it is
the same rule table that decides once it exists (``rules.may_see`` with the thread's audience),
so an empty thread and a busy one answer alike, and the other partner's private thread answers
404 whether or not anything was ever written in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import CharField, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from retrust.core.models import CaseMember, PartnerRole
from retrust.core.policy import CaseAccess
from retrust.core.rules import Relation, Visibility, may_see
from retrust.threads.models import Message, ReadMarker, Thread, ThreadKind, ThreadSettings

# The kind of content a clinician's read is recorded under (``retrust.case.content.viewed``).
MESSAGES = "messages"
TOGETHER = "together"
KEYS = (PartnerRole.PARTNER_A.value, PartnerRole.PARTNER_B.value, TOGETHER)
# Messages shown on one page of a thread (newest last); earlier ones are a link away.
PAGE = 50


@dataclass(frozen=True)
class Spec:
    """One thread of a case as the rule table sees it, whether or not anyone wrote in it."""

    key: str
    kind: str
    visibility: Visibility
    owner: CaseMember | None  # the partner whose private thread it is


def specs(members: list[CaseMember]) -> list[Spec]:
    specs = [
        Spec(member.role, ThreadKind.PRIVATE, Visibility.CLINICIAN, member)
        for member in sorted(members, key=lambda m: m.role)
    ]
    if len(members) >= 2:
        specs.append(Spec(TOGETHER, ThreadKind.COUPLE, Visibility.COUPLE, None))
    return specs


def relation(user_id: int, *, partner: bool, clinician: bool, spec: Spec) -> Relation:
    """How a person stands to this thread: the input of the one rule table."""
    if partner:
        if spec.owner is not None and spec.owner.user_id == user_id:
            return Relation.AUTHOR
        return Relation.OTHER_PARTNER
    return Relation.CASE_CLINICIAN if clinician else Relation.STRANGER


def may_open(access: CaseAccess, spec: Spec) -> bool:
    how = relation(
        access.user.pk, partner=access.is_partner, clinician=access.is_clinician, spec=spec
    )
    return may_see(how, spec.visibility)


def may_write(access: CaseAccess, spec: Spec) -> bool:
    """The same rule the action enforces, so the box shows only where a message would go."""
    if spec.key == TOGETHER:
        if access.is_partner:
            return access.can_share
        return access.can_act_as_clinician and not access.held
    return access.can_write or access.can_act_as_clinician


def members(access: CaseAccess) -> list[CaseMember]:
    return list(CaseMember.objects.filter(case_id=access.case.pk).select_related("user"))


def spec_for(access: CaseAccess, key: str, found: list[CaseMember] | None = None) -> Spec:
    """The thread ``key`` of this case if this person may open it; 404 otherwise."""
    for spec in specs(found if found is not None else members(access)):
        if spec.key == key and may_open(access, spec):
            return spec
    raise Http404("No such thread.")


def stored(queryset: Any, spec: Spec) -> Any:
    """The row of ``spec`` among ``queryset`` (threads of one case)."""
    if spec.owner is not None:
        return queryset.filter(kind=ThreadKind.PRIVATE, author_id=spec.owner.user_id)
    return queryset.filter(kind=ThreadKind.COUPLE)


def _unread_after(user: Any) -> Coalesce:
    marker = ReadMarker.objects.filter(thread_id=OuterRef("thread_id"), user_id=user.pk)
    return Coalesce(
        Subquery(marker.values("last_read_id")[:1], output_field=IntegerField()), Value(0)
    )


def unread_messages(user: Any, threads: Any) -> Any:
    """Messages of others in ``threads`` that ``user`` has not read yet."""
    return (
        Message.objects.filter(thread__in=threads)
        .exclude(sender_id=user.pk)
        .annotate(read_up_to=_unread_after(user))
        .filter(pk__gt=F("read_up_to"))
    )


@dataclass(frozen=True)
class ThreadRow:
    """One line of the Messages page: which thread, for whom, and what is new in it."""

    spec: Spec
    title: str
    audience: str
    unread: int
    last_message_at: datetime | None
    waiting_since: datetime | None

    @property
    def key(self) -> str:
        return self.spec.key


def _title(access: CaseAccess, spec: Spec, clinician_name: str) -> tuple[str, str]:
    """What a thread is called, and who reads it, in the reader's own words."""
    if spec.owner is None:
        if access.is_partner:
            return "Both of you", f"You, your partner and {clinician_name} read this."
        return "Both partners", "Both partners and you read this."
    if access.is_partner:
        return (
            f"You and {clinician_name}",
            f"Only you and {clinician_name} read this. Your partner never sees it, nor whether you "
            "have written.",
        )
    name = spec.owner.user.name
    return f"{name}, privately", f"Only {name} and you read this. Their partner never sees it."


def clinician_name(access: CaseAccess) -> str:
    first = access.case.clinicians.order_by("pk").first()
    return first.name if first is not None else "your clinician"


def threads_for(access: CaseAccess) -> list[ThreadRow]:
    """Every thread this person may open in the case, with what is new in each.

    Counts and dates only (``access.visible``), no message text, so no clinical read is
    recorded. Four queries whatever the number of messages.
    """
    found = members(access)
    name = clinician_name(access)
    rows_by_id = {
        thread.pk: thread
        for thread in access.visible(Thread.objects.filter(case_id=access.case.pk))
    }
    unread = dict(
        unread_messages(access.user, list(rows_by_id))
        .values("thread_id")
        .annotate(n=Count("pk"))
        .values_list("thread_id", "n")
    )
    result = []
    for spec in specs(found):
        if not may_open(access, spec):
            continue
        thread = _match(rows_by_id.values(), spec)
        title, audience = _title(access, spec, name)
        result.append(
            ThreadRow(
                spec=spec,
                title=title,
                audience=audience,
                unread=unread.get(thread.pk, 0) if thread else 0,
                last_message_at=thread.last_message_at if thread else None,
                waiting_since=thread.waiting_since if thread else None,
            )
        )
    # A partner reads their private thread first: it is how they reach the clinician safely.
    return result


def _match(threads: Any, spec: Spec) -> Thread | None:
    for thread in threads:
        if spec.owner is not None:
            if thread.kind == ThreadKind.PRIVATE and thread.author_id == spec.owner.user_id:
                return thread
        elif thread.kind == ThreadKind.COUPLE:
            return thread
    return None


@dataclass(frozen=True)
class ThreadRead:
    spec: Spec
    thread: Thread | None
    title: str
    audience: str
    messages: list[Message]
    earlier: int | None  # the ``before`` of the previous page, when there is one
    newest_id: int
    first_unread_id: int | None
    settings: ThreadSettings


def thread_read(access: CaseAccess, key: str, before: int | None = None) -> ThreadRead:
    """One thread's latest messages (or those before ``before``), oldest first.

    A clinician's read is recorded (``access.read``). Five queries however long the thread.
    """
    found = members(access)
    spec = spec_for(access, key, found)
    thread = stored(
        access.read(Thread.objects.filter(case_id=access.case.pk), MESSAGES), spec
    ).first()
    messages: list[Message] = []
    earlier = None
    first_unread = None
    if thread is not None:
        query = Message.objects.filter(thread=thread).select_related("sender")
        if before is not None:
            query = query.filter(pk__lt=before)
        page = list(query.order_by("-pk")[: PAGE + 1])
        if len(page) > PAGE:
            page = page[:PAGE]
            earlier = page[-1].pk
        messages = page[::-1]
        marker = ReadMarker.objects.filter(thread=thread, user_id=access.user.pk).first()
        read_up_to = marker.last_read_id if marker else 0
        first_unread = next(
            (m.pk for m in messages if m.pk > read_up_to and m.sender_id != access.user.pk), None
        )
    title, audience = _title(access, spec, clinician_name(access))
    return ThreadRead(
        spec=spec,
        thread=thread,
        title=title,
        audience=audience,
        messages=messages,
        earlier=earlier,
        newest_id=messages[-1].pk if messages else 0,
        first_unread_id=first_unread,
        settings=ThreadSettings.for_practice(access.case.practice),
    )


# --- across cases ---------------------------------------------------------------------------


def unread_count(user: Any) -> int:
    """New messages for a partner across all their threads (the menu's badge). One query.

    Only threads this person may read are counted, so the other partner's private thread adds
    nothing, whatever happens in it.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    threads = Thread.objects.visible_to(user).filter(
        case_id__in=CaseMember.objects.filter(user=user).values("case_id")
    )
    return unread_messages(user, threads).count()


def waiting_for_reply(clinician: Any, case_ids: list[int]) -> list[Thread]:
    """Threads of these cases where a partner's words wait for a clinician. One query."""
    role = CaseMember.objects.filter(
        case_id=OuterRef("case_id"), user_id=OuterRef("author_id")
    ).values("role")[:1]
    return list(
        Thread.objects.visible_to(clinician)
        .filter(case_id__in=case_ids, waiting_since__isnull=False)
        .filter(~Q(case__status="closed"))
        .annotate(
            key=DbCase(
                When(kind=ThreadKind.COUPLE, then=Value(TOGETHER)),
                default=Subquery(role),
                output_field=CharField(),
            )
        )
        .select_related("case", "author")
        .order_by("waiting_since", "pk")
    )
