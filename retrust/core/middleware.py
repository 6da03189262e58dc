from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from retrust.core import policy
from retrust.core.observability import request_id_var

_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,40}$")


request_log = logging.getLogger("retrust.request")


class RequestIdMiddleware:
    """Tag each request with an id (from X-Request-ID when sane) for logs and audit rows.

    Also logs one line per request on ``retrust.request`` (on in production's JSON logs): the
    method, the path without its query string, the status and the time taken.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` → ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PrivacyHeadersMiddleware:
    """No copy of anything personal stays in a browser or proxy cache; no device features.

    Every response to a signed-in person, and every API response (exports included), says
    ``Cache-Control: no-store``: a shared or borrowed computer must not keep a partner's pages
    for the next person to find with Back or in the cache. Static files never reach this
    middleware (WhiteNoise answers them first), so they stay cacheable. Every response also
    carries the ``Permissions-Policy`` from ``RETRUST_PERMISSIONS_POLICY``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header(settings.RETRUST_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith("/api/"):
            add_never_cache_headers(response)
        if self.permissions_policy:
            response.setdefault("Permissions-Policy", self.permissions_policy)
        return response


# Paths a signed-in clinician may reach before the second factor: the factor itself,
# signing out (and leaving quickly), static files and the health check.
_OPEN_PATHS = (
    "/accounts/login",
    "/accounts/logout",
    "/accounts/two-factor",
    "/accounts/password-reset",
    "/static/",
    "/healthz",
    "/help/",
    "/away/",
    "/leave/",
    "/api/",
)


class TwoFactorRequiredMiddleware:
    """Clinicians and practice admins must finish two-factor sign-in before anything else.

    The API checks this itself (token or verified session), so it is left to its own auth.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PATHS)
            and not user.is_verified()  # type: ignore[union-attr]
            and policy.roles(user) & policy.STAFF_ROLES
        ):
            return redirect(
                f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)
