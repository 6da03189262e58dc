from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from retrust.core import policy

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Signed in as a clinician or practice admin (two-factor is enforced by middleware).

    Anyone else gets 404: partners never learn that these pages exist.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.is_practice_staff(request.user):
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
