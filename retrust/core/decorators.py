from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from retrust.core import policy

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Signed in as a clinician or practice admin (two-factor is enforced by middleware).

    Anyone else gets 404: partners never learn that these pages exist.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.roles(request.user) & policy.STAFF_ROLES:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def case_view(as_: policy.As = policy.MEMBER) -> Callable[[View], View]:
    """A page about one case: resolves ``policy.case_access`` once and passes it on.

    The view receives ``(request, access, ...)`` instead of ``(request, case_id, ...)``; anyone
    the capacity ``as_`` leaves out gets 404, and anonymous visitors are sent to sign in.
    """

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, case_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
            access = policy.case_access(request.user, case_id, as_=as_)
            request.access = access  # type: ignore[attr-defined]
            return view(request, access, *args, **kwargs)

        return wrapper

    return decorate


def partner_case_index(title: str, url_name: str) -> View:
    """A partner's menu entry: straight to the page ``url_name`` of their case (the one still
    open, if several), or a choice of cases. People in no case as a partner get 404."""

    @login_required
    def view(request: HttpRequest) -> HttpResponse:
        cases = list(policy.partner_cases_for(request.user).order_by("-created_at"))
        if not cases:
            raise Http404("No such page.")
        open_cases = [case for case in cases if case.status != "closed"]
        if len(cases) == 1 or len(open_cases) == 1:
            return redirect(url_name, case_id=(open_cases or cases)[0].pk)
        context = {"cases": cases, "title": title, "url_name": url_name}
        return render(request, "core/choose_case.html", context)

    return view
