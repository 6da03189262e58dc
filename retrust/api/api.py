"""The JSON API, version 1. Every route reads through the policy module, like the pages do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Schema, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import Field

from retrust.api.openapi import DocumentedAPI
from retrust.core import actions, policy
from retrust.core.models import ApiToken, JournalEntry, hash_token
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


class JournalOut(Schema):
    id: int
    author: str
    mine: bool
    body: str
    visibility: str
    created_at: datetime


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
    return {
        "id": entry.pk,
        "author": entry.author.name,
        "mine": entry.author_id == user.pk,
        "body": entry.body,
        "visibility": entry.visibility,
        "created_at": entry.created_at,
    }


@api.get(
    "/cases/{case_id}/journal", response=list[JournalOut], summary="Journal entries I may read"
)
def case_journal(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    access = policy.case_access(request.auth, case_id)  # type: ignore[attr-defined]
    entries = access.read(JournalEntry.objects.select_related("author"), "journal_entries")
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
    return Status(201, _journal_out(entry, access.user))


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
