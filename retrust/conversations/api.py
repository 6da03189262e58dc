"""JSON API for the coach, structured conversations and breaks. Reads through policy, like the
pages; a conversation on a break refuses new turns here too (HTTP 423)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from retrust.coach import analyse
from retrust.conversations import actions
from retrust.conversations.models import Conversation, Turn
from retrust.core import actions as core_actions
from retrust.core import policy

router = Router(tags=["conversations"])


class CoachIn(Schema):
    text: str = Field(max_length=20_000)


class SpanOut(Schema):
    label: str
    start: int
    end: int
    text: str


class CoachOut(Schema):
    text: str
    language: str
    labels: list[str]
    spans: list[SpanOut]
    explanations: dict[str, str]
    suggestion: str | None
    truncated: bool


class ConversationIn(Schema):
    topic: str = Field(min_length=1, max_length=200)
    creation_key: str = Field(default="", max_length=40)


class TurnIn(Schema):
    kind: str = Field(pattern="^(statement|summary|clarification|confirmation)$")
    body: str = Field(default="", max_length=5_000)
    expected_seq: int = Field(ge=0)


class BreakIn(Schema):
    minutes: int = Field(ge=1, le=10_000)


class TurnOut(Schema):
    seq: int
    kind: str
    author: str
    mine: bool
    body: str
    created_at: datetime


class ConversationOut(Schema):
    id: int
    case_id: int
    topic: str
    phase: str
    speaker: str
    listener: str
    turn_count: int
    locked_until: datetime | None
    locked: bool


class ConversationDetailOut(ConversationOut):
    turns: list[TurnOut]


class BreakOut(Schema):
    returns_at: datetime
    called_by: str


class LockedOut(Schema):
    detail: str
    locked_until: datetime


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _conversation_out(conversation: Conversation, now: datetime) -> dict[str, Any]:
    return {
        "id": conversation.pk,
        "case_id": conversation.case_id,
        "topic": conversation.topic,
        "phase": conversation.phase,
        "speaker": conversation.speaker.name,
        "listener": conversation.listener.name,
        "turn_count": conversation.turn_count,
        "locked_until": conversation.locked_until,
        "locked": conversation.is_locked(now),
    }


def _get_conversation(user: Any, pk: int) -> Conversation:
    return policy.get_record_for(
        user, Conversation.objects.select_related("case", "speaker", "listener"), pk
    )


@router.post("/coach", response=CoachOut, summary="Coach hints on a draft (nothing is stored)")
def coach(request: HttpRequest, payload: CoachIn) -> dict[str, Any]:
    if not policy.partner_cases_for(_user(request)).exists():
        raise Http404("Not found.")
    return analyse(payload.text).as_dict()


@router.get(
    "/cases/{case_id}/conversations",
    response=list[ConversationOut],
    summary="Conversations in a case",
)
def list_conversations(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    user = _user(request)
    case = policy.get_case_for(user, case_id)
    now = timezone.now()
    found = (
        Conversation.objects.visible_to(user)
        .filter(case=case)
        .select_related("speaker", "listener")
        .order_by("-updated_at")[:200]
    )
    return [_conversation_out(c, now) for c in found]


@router.post(
    "/cases/{case_id}/conversations",
    response={201: ConversationOut},
    summary="Open a conversation (partners only; you speak first)",
)
def open_conversation(request: HttpRequest, case_id: int, payload: ConversationIn) -> Status[Any]:
    user = _user(request)
    case = policy.partner_cases_for(user).filter(pk=case_id).first()
    if case is None:
        raise Http404("No such case.")
    conversation = actions.open_conversation(
        user, case, topic=payload.topic, creation_key=payload.creation_key
    )
    conversation = _get_conversation(user, conversation.pk)
    return Status(201, _conversation_out(conversation, timezone.now()))


@router.get(
    "/conversations/{pk}", response=ConversationDetailOut, summary="A conversation and its turns"
)
def conversation_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = _user(request)
    conversation = _get_conversation(user, pk)
    turns = list(
        Turn.objects.visible_to(user)
        .filter(conversation=conversation)
        .select_related("author")
        .order_by("seq")
    )
    if user.pk not in (conversation.speaker_id, conversation.listener_id):
        core_actions.record_clinical_read(user, conversation.case, "conversation", len(turns))
    out = _conversation_out(conversation, timezone.now())
    out["turns"] = [
        {
            "seq": t.seq,
            "kind": t.kind,
            "author": t.author.name,
            "mine": t.author_id == user.pk,
            "body": t.body,
            "created_at": t.created_at,
        }
        for t in turns
    ]
    return out


def _require_participant(user: Any, conversation: Conversation) -> None:
    if user.pk not in (conversation.speaker_id, conversation.listener_id):
        raise Http404("Not found.")


@router.post(
    "/conversations/{pk}/turns",
    response={201: TurnOut, 423: LockedOut},
    summary="Take your turn (refused with 423 during a break)",
)
def post_turn(request: HttpRequest, pk: int, payload: TurnIn) -> Status[Any]:
    user = _user(request)
    conversation = _get_conversation(user, pk)
    _require_participant(user, conversation)
    now = timezone.now()
    if conversation.is_locked(now):
        return Status(
            423,
            {
                "detail": "This conversation is on a break; it opens again at the return time.",
                "locked_until": conversation.locked_until,
            },
        )
    turn = actions.post_turn(
        user, conversation, kind=payload.kind, body=payload.body, expected_seq=payload.expected_seq
    )
    return Status(
        201,
        {
            "seq": turn.seq,
            "kind": turn.kind,
            "author": user.name,
            "mine": True,
            "body": turn.body,
            "created_at": turn.created_at,
        },
    )


@router.post(
    "/conversations/{pk}/breaks",
    response={201: BreakOut},
    summary="Call a break: the conversation locks for 20 minutes to 24 hours",
)
def call_break(request: HttpRequest, pk: int, payload: BreakIn) -> Status[Any]:
    user = _user(request)
    conversation = _get_conversation(user, pk)
    _require_participant(user, conversation)
    now = timezone.now()
    pause = actions.call_break(
        user, conversation, returns_at=now + timedelta(minutes=payload.minutes), now=now
    )
    return Status(201, {"returns_at": pause.returns_at, "called_by": pause.author.name})
