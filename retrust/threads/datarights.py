"""Messages in a person's copy and in a deletion.

A copy holds the threads the person can read: their private thread with the clinician (both
sides, since the clinician wrote to them) and the couple's thread, where the other partner's
words are replaced by a line. When a partner leaves, their private thread with the clinician
is part of the clinical record and held for the retention period; what they wrote in the
couple's thread stays, attributed to a former partner; their read markers go.
"""

from __future__ import annotations

from typing import Any

from retrust.core.datarights import Exporter, Leaving, Sections, rows_shredder, when, words
from retrust.core.models import CaseMember
from retrust.threads.models import Message, ReadMarker, Thread, ThreadKind


def export(user: Any) -> Sections:
    members = CaseMember.objects.filter(case__members__user=user).values_list("case_id", "user_id")
    partners_by_case: dict[int, set[int]] = {}
    for case_id, user_id in members:
        partners_by_case.setdefault(case_id, set()).add(user_id)
    threads = Thread.objects.visible_to(user).filter(case_id__in=partners_by_case)
    messages = Message.objects.filter(thread__in=threads).order_by("thread_id", "created_at", "id")
    by_thread: dict[int, list[dict[str, Any]]] = {}
    kinds: dict[int, tuple[int, str]] = {t.pk: (t.case_id, t.kind) for t in threads}
    for message in messages:
        case_id, _ = kinds[message.thread_id]
        partner = message.sender_id in partners_by_case[case_id]
        by_thread.setdefault(message.thread_id, []).append(
            {
                "by": (
                    "you"
                    if message.sender_id == user.pk
                    else ("your partner" if partner else "your clinician")
                ),
                "text": words(message.body, message.sender_id, user) if partner else message.body,
                "sent": when(message.created_at),
            }
        )
    return {
        "messages": [
            {
                "case": case_id,
                "thread": (
                    "you and your clinician"
                    if kind == ThreadKind.PRIVATE
                    else "both of you and your clinician"
                ),
                "messages": by_thread.get(thread_id, []),
            }
            for thread_id, (case_id, kind) in kinds.items()
        ]
    }


def _goes(leaving: Leaving) -> dict[str, Any]:
    return {"message read markers": ReadMarker.objects.filter(user_id=leaving.user.pk)}


def _held(leaving: Leaving) -> dict[str, Any]:
    private = Thread.objects.filter(kind=ThreadKind.PRIVATE, author_id=leaving.user.pk)
    return {
        "messages with the clinician": Message.objects.filter(thread__in=private),
        "private threads with the clinician": private,
    }


EXPORTER = Exporter("threads", export)
SHREDDER = rows_shredder("threads", goes=_goes, held=_held)
