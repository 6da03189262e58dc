"""JSON API for the coach, structured conversations and breaks.

The same door as the pages: ``policy.case_access``/``record_access``, the reads of
``conversations.queries`` and the same actions. A conversation on a break refuses new turns here
too (HTTP 423); a refused action answers 400, a pause 409, a body that breaks the schema 422.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import BeforeValidator, Field

from retrust.coach import analyse, offer
from retrust.conversations import actions, flow, queries
from retrust.conversations.models import Conversation, Turn
from retrust.core import policy

router = Router(tags=["conversations"])


class CoachIn(Schema):
    text: str = Field(max_length=20_000)
    role: Literal["speaker", "listener"] = Field(
        default="speaker",
        description="Who is writing: the listener (summing up) is offered the listener's "
        "template; a speaker, a gentle start-up for a harsh draft.",
    )


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
    suggestion: str | None = Field(description="What the coach offers this role, as text.")
    truncated: bool


class ConversationIn(Schema):
    topic: str = Field(min_length=1, max_length=200)
    creation_key: str = Field(default="", max_length=40)


class TurnIn(Schema):
    kind: str = Field(pattern="^(statement|summary|clarification|confirmation)$")
    body: str = Field(default="", max_length=5_000)
    expected_seq: int = Field(ge=0)


BREAK_MINUTES_MIN = int(flow.BREAK_MIN.total_seconds() // 60)
BREAK_MINUTES_MAX = int(flow.BREAK_MAX.total_seconds() // 60)


def _a_json_number(value: Any) -> Any:
    """JSON Schema's integer: 30 or 30.0, never ``true`` or "30"."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Give the number of minutes as a whole number, like 30.")
    return value


WholeMinutes = Annotated[int, BeforeValidator(_a_json_number)]


class BreakIn(Schema):
    # The schema states the server's own limits (``flow.break_problem``): a whole number of
    # minutes, 20 to 1440; ``true`` or "30" is not a number of minutes.
    minutes: WholeMinutes = Field(
        ge=BREAK_MINUTES_MIN,
        le=BREAK_MINUTES_MAX,
        description="How long the break lasts, in minutes: at least 20, at most 24 hours.",
    )


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


def _turn_out(turn: Turn, user: Any) -> dict[str, Any]:
    return {
        "seq": turn.seq,
        "kind": turn.kind,
        "author": turn.author.name,
        "mine": turn.author_id == user.pk,
        "body": turn.body,
        "created_at": turn.created_at,
    }


def _conversation(
    request: HttpRequest, pk: int, as_: policy.As
) -> tuple[policy.CaseAccess, Conversation]:
    return policy.record_access(
        _user(request),
        Conversation.objects.select_related("speaker", "listener"),
        pk,
        as_=as_,
        what=queries.CONVERSATION,
    )


@router.post("/coach", response=CoachOut, summary="Coach hints on a draft (nothing is stored)")
def coach(request: HttpRequest, payload: CoachIn) -> dict[str, Any]:
    if not policy.partner_cases_for(_user(request)).exists():
        raise Http404("Not found.")
    analysis = analyse(payload.text)
    offered = offer(analysis, payload.role)
    return {**analysis.as_dict(), "suggestion": offered.text if offered else None}


@router.get(
    "/cases/{case_id}/conversations",
    response=list[ConversationOut],
    summary="Conversations in a case",
)
def list_conversations(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    access = policy.case_access(_user(request), case_id, as_=policy.MEMBER)
    now = timezone.now()
    return [_conversation_out(c, now) for c in queries.conversations(access, limit=200)]


@router.post(
    "/cases/{case_id}/conversations",
    response={201: ConversationOut},
    summary="Open a conversation (partners only; you speak first)",
)
def open_conversation(request: HttpRequest, case_id: int, payload: ConversationIn) -> Status[Any]:
    user = _user(request)
    access = policy.case_access(user, case_id, as_=policy.PARTNER)
    opened = actions.open_conversation(
        user, access.case, topic=payload.topic, creation_key=payload.creation_key
    )
    found = access.get(Conversation.objects.select_related("speaker", "listener"), opened.pk)
    return Status(201, _conversation_out(found, timezone.now()))


@router.get(
    "/conversations/{pk}", response=ConversationDetailOut, summary="A conversation and its turns"
)
def conversation_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    access, conversation = _conversation(request, pk, policy.MEMBER)
    out = _conversation_out(conversation, timezone.now())
    out["turns"] = [_turn_out(t, access.user) for t in queries.turns(access, conversation)]
    return out


@router.post(
    "/conversations/{pk}/turns",
    response={201: TurnOut, 423: LockedOut},
    summary="Take your turn (refused with 423 during a break)",
)
def post_turn(request: HttpRequest, pk: int, payload: TurnIn) -> Status[Any]:
    access, conversation = _conversation(request, pk, policy.PARTNER)
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
        access.user,
        conversation,
        kind=payload.kind,
        body=payload.body,
        expected_seq=payload.expected_seq,
        now=now,
    )
    return Status(201, _turn_out(turn, access.user))


@router.post(
    "/conversations/{pk}/breaks",
    response={201: BreakOut},
    summary="Call a break: the conversation locks for 20 minutes to 24 hours",
)
def call_break(request: HttpRequest, pk: int, payload: BreakIn) -> Status[Any]:
    access, conversation = _conversation(request, pk, policy.PARTNER)
    # One clock reading for the return time and the action's check of it.
    now = timezone.now()
    taken = actions.call_break(
        access.user, conversation, returns_at=now + timedelta(minutes=payload.minutes), now=now
    )
    return Status(201, {"returns_at": taken.returns_at, "called_by": taken.author.name})
