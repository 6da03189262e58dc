"""The JSON API, version 1. Every route reads through the policy module, like the pages do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Schema, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import Field

from retrust.api.openapi import DocumentedAPI
from retrust.core import actions, policy
from retrust.core.models import ApiToken, CaseStatus, JournalEntry, hash_token
from retrust.core.rules import Visibility


class VerifiedSessionAuth(SessionAuth):
    """The browser session, with CSRF; clinicians and admins must have passed two-factor."""

    def __call__(self, request: HttpRequest) -> Any:
        # No signed-in session means no session credentials to forge: skip the CSRF check so
        # that an anonymous caller, or one with a wrong token, gets 401 rather than a CSRF 403.
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        if policy.roles(user) & policy.STAFF_ROLES and not user.is_verified():
            return None
        return user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(
                token_hash=hash_token(token), user__is_active=True, expires_at__gt=timezone.now()
            )
            .first()
        )
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


api = DocumentedAPI(
    title="retrust API",
    version="1",
    urls_namespace="api-v1",
    auth=[TokenAuth(), VerifiedSessionAuth()],
    docs_url="/docs",
)


@api.exception_handler(actions.ActionError)
def action_error(request: HttpRequest, exc: actions.ActionError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": [{"loc": ["body", exc.field] if exc.field else ["body"], "msg": exc.message}]},
        status=exc.status_code,
    )


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"loc": [part for part in error.get("loc", []) if part != "payload"], "msg": error["msg"]}
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": details}, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Sign in, or send an API token as 'Authorization: Bearer ...'."},
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    roles: list[str]


class CaseOut(Schema):
    id: int
    label: str
    status: str
    track: str
    stage: int
    my_role: str


class MemberOut(Schema):
    role: str
    display_name: str
    email: str | None
    joined_at: datetime


class JournalIn(Schema):
    body: str = Field(min_length=1, max_length=10_000)
    visibility: Visibility = Visibility.PRIVATE


class ReadMarkOut(Schema):
    reader: str
    at: datetime


class JournalOut(Schema):
    id: int
    author: str
    mine: bool
    body: str
    visibility: str
    created_at: datetime
    updated_at: datetime
    read_by: list[ReadMarkOut] = Field(
        description="The other partner's 'I read this', on an entry shared with both"
    )
    can_edit: bool = Field(
        description="The author may reword it until the other partner has read it"
    )


class JournalEditIn(Schema):
    body: str = Field(min_length=1, max_length=10_000)


def _roles(user: Any) -> list[str]:
    roles = sorted(
        set(user.memberships.values_list("role", flat=True))
        | set(user.case_memberships.values_list("role", flat=True))
    )
    return roles


def _case_out(access: policy.CaseAccess) -> dict[str, Any]:
    case = access.case
    return {
        "id": case.pk,
        "label": case.label,
        "status": case.status,
        "track": case.track,
        "stage": case.stage,
        "my_role": access.role,
    }


@api.get("/me", response=MeOut, summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.auth  # type: ignore[attr-defined]
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "roles": _roles(user),
    }


@api.get("/cases", response=list[CaseOut], summary="My cases")
def my_cases(request: HttpRequest) -> list[dict[str, Any]]:
    return [_case_out(access) for access in policy.accesses_for(request.auth)]  # type: ignore[attr-defined]


@api.get("/cases/{case_id}", response=CaseOut, summary="One case")
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _case_out(policy.case_access(request.auth, case_id))  # type: ignore[attr-defined]


@api.get("/cases/{case_id}/members", response=list[MemberOut], summary="Partners in a case")
def case_members(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    access = policy.case_access(request.auth, case_id)  # type: ignore[attr-defined]
    return [
        {
            "role": member.role,
            "display_name": member.user.name,
            # Partners see each other's names; only the clinician sees contact details.
            "email": (
                member.user.email
                if access.is_clinician or member.user_id == access.user.pk
                else None
            ),
            "joined_at": member.joined_at,
        }
        for member in access.case.members.select_related("user")
    ]


def _journal_out(entry: JournalEntry, user: Any) -> dict[str, Any]:
    """``entry`` comes with its ``read_marks`` (and their readers) prefetched."""
    marks = list(entry.read_marks.all())
    mine = entry.author_id == user.pk
    return {
        "id": entry.pk,
        "author": entry.author.name,
        "mine": mine,
        "body": entry.body,
        "visibility": entry.visibility,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "read_by": [{"reader": mark.reader.name, "at": mark.created_at} for mark in marks],
        "can_edit": mine and not marks and entry.case.status != CaseStatus.CLOSED,
    }


def _journal_entries() -> QuerySet[JournalEntry]:
    return JournalEntry.objects.select_related("author", "case").prefetch_related(
        "read_marks__reader"
    )


def _one_entry(access: policy.CaseAccess, entry_id: int) -> dict[str, Any]:
    return _journal_out(_journal_entries().get(pk=entry_id), access.user)


@api.get(
    "/cases/{case_id}/journal", response=list[JournalOut], summary="Journal entries I may read"
)
def case_journal(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    access = policy.case_access(request.auth, case_id)  # type: ignore[attr-defined]
    entries = access.read(_journal_entries(), "journal_entries")
    return [_journal_out(entry, access.user) for entry in entries.order_by("-created_at")[:200]]


@api.post(
    "/cases/{case_id}/journal",
    response={201: JournalOut},
    summary="Write a journal entry (partners only)",
)
def write_journal(request: HttpRequest, case_id: int, payload: JournalIn) -> Status[Any]:
    access = policy.case_access(request.auth, case_id, as_=policy.PARTNER)  # type: ignore[attr-defined]
    entry = actions.write_journal_entry(
        access.user, access.case, body=payload.body, visibility=payload.visibility.value
    )
    return Status(201, _one_entry(access, entry.pk))


@api.get("/journal/{entry_id}", response=JournalOut, summary="One journal entry I may read")
def journal_entry(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    access, entry = policy.record_access(
        request.auth,  # type: ignore[attr-defined]
        _journal_entries(),
        entry_id,
        what="journal_entry",
    )
    return _journal_out(entry, access.user)


@api.post(
    "/journal/{entry_id}/edit",
    response=JournalOut,
    summary="Reword my entry, until the other partner has said they read it (the author only)",
)
def edit_journal(request: HttpRequest, entry_id: int, payload: JournalEditIn) -> dict[str, Any]:
    access, _ = policy.record_access(
        request.auth,  # type: ignore[attr-defined]
        JournalEntry.objects.select_related("case"),
        entry_id,
        what=None,
    )
    entry = access.get_to_change(JournalEntry.objects.select_related("case"), entry_id)
    actions.edit_journal_entry(access.user, entry, body=payload.body)
    return _one_entry(access, entry.pk)


@api.post(
    "/journal/{entry_id}/read",
    response=JournalOut,
    summary="Say 'I read this' on an entry shared with both of you; saying it twice is one "
    "mark (the other partner only)",
)
def mark_journal_read(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    access, entry = policy.record_access(
        request.auth,  # type: ignore[attr-defined]
        JournalEntry.objects.select_related("author", "case"),
        entry_id,
        what="journal_entry",
    )
    if entry.author_id == access.user.pk or not access.is_partner:
        raise Http404("No such record.")
    actions.mark_journal_read(access.user, entry)
    return _one_entry(access, entry.pk)


# Every app's routes, mounted from this one list.
ROUTERS = [
    ("", "retrust.agreements.api.router"),
    ("/", "retrust.assessments.api.router"),
    ("/", "retrust.conversations.api.router"),
    ("/program", "retrust.program.api.router"),
    ("/", "retrust.threads.api.router"),
    ("/", "retrust.sessions.api.router"),
]
for prefix, router in ROUTERS:
    api.add_router(prefix, router)
