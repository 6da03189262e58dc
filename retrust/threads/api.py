"""JSON API for messages: the same door, reads and actions as the pages.

Threads are addressed by their key in the case (``partner_a``, ``partner_b``, ``together``);
the other partner's private thread answers 404 like a stranger's. Reading a thread here does
not mark it read: a client says how far its person has read with the read route.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from retrust.core import policy
from retrust.threads import actions, queries
from retrust.threads.models import MESSAGE_MAX, Message, Thread

router = Router(tags=["messages"])

Key = Literal["partner_a", "partner_b", "together"]


class ThreadOut(Schema):
    key: str
    kind: str
    title: str
    audience: str
    unread: int
    last_message_at: datetime | None
    waiting_for_reply: bool = Field(description="A partner wrote and no clinician has answered.")


class MessageOut(Schema):
    id: int
    sender: str
    mine: bool
    body: str
    created_at: datetime


class ThreadDetailOut(Schema):
    key: str
    kind: str
    title: str
    audience: str
    can_write: bool
    notice: str
    reply_time: str
    messages: list[MessageOut]
    earlier: int | None = Field(description="Pass as `before` for the page before this one.")


class MessageIn(Schema):
    body: str = Field(
        max_length=4 * MESSAGE_MAX,
        description=f"Up to {MESSAGE_MAX:,} characters once spaces around it are trimmed.",
    )
    client_token: str = Field(
        default="",
        max_length=40,
        description="Any unique string: sending the same one twice writes one message.",
    )


class ReadIn(Schema):
    up_to: int = Field(ge=1, description="The id of the newest message the person has read.")


class ReadOut(Schema):
    changed: bool
    unread: int


class BeforeQuery(Schema):
    before: int | None = Field(default=None, ge=1)


def _access(request: HttpRequest, case_id: int) -> policy.CaseAccess:
    return policy.case_access(request.auth, case_id, as_=policy.MEMBER)  # type: ignore[attr-defined]


def _message_out(message: Message, user: Any) -> dict[str, Any]:
    return {
        "id": message.pk,
        "sender": message.sender.name,
        "mine": message.sender_id == user.pk,
        "body": message.body,
        "created_at": message.created_at,
    }


@router.get(
    "/cases/{case_id}/threads", response=list[ThreadOut], summary="Message threads I may read"
)
def list_threads(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    access = _access(request, case_id)
    return [
        {
            "key": row.key,
            "kind": row.spec.kind,
            "title": row.title,
            "audience": row.audience,
            "unread": row.unread,
            "last_message_at": row.last_message_at,
            "waiting_for_reply": row.waiting_since is not None,
        }
        for row in queries.threads_for(access)
    ]


@router.get(
    "/cases/{case_id}/threads/{key}", response=ThreadDetailOut, summary="A thread's messages"
)
def read_thread(
    request: HttpRequest, case_id: int, key: Key, query: Query[BeforeQuery]
) -> dict[str, Any]:
    access = _access(request, case_id)
    read = queries.thread_read(access, key, before=query.before)
    return {
        "key": read.spec.key,
        "kind": read.spec.kind,
        "title": read.title,
        "audience": read.audience,
        "can_write": queries.may_write(access, read.spec),
        "notice": read.settings.notice_text,
        "reply_time": read.settings.reply_time_text,
        "messages": [_message_out(m, access.user) for m in read.messages],
        "earlier": read.earlier,
    }


@router.post(
    "/cases/{case_id}/threads/{key}/messages",
    response={201: MessageOut},
    summary="Send a message (never emailed: the email says only that something waits)",
)
def send_message(request: HttpRequest, case_id: int, key: Key, payload: MessageIn) -> Status[Any]:
    access = _access(request, case_id)
    queries.spec_for(access, key)
    message = actions.send_message(
        access.user, access.case, key, body=payload.body, client_token=payload.client_token
    )
    return Status(201, _message_out(message, access.user))


@router.post(
    "/cases/{case_id}/threads/{key}/read",
    response=ReadOut,
    summary="Mark a thread read up to a message",
)
def mark_read(request: HttpRequest, case_id: int, key: Key, payload: ReadIn) -> dict[str, Any]:
    access = _access(request, case_id)
    spec = queries.spec_for(access, key)
    thread = queries.stored(access.visible(Thread.objects.all()), spec).first()
    changed = actions.mark_read(access.user, thread, payload.up_to)
    unread = queries.unread_messages(access.user, [thread.pk] if thread else []).count()
    return {"changed": changed, "unread": unread}
