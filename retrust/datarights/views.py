"""A partner's data page (a copy; leaving), the clinician's list of partners leaving, and the
practice admin's retention settings."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.core import policy
from retrust.core.decorators import staff_required
from retrust.core.exceptions import ActionConflict
from retrust.core.submission import submit
from retrust.datarights import actions, queries
from retrust.datarights.forms import DepartureForm, RetentionForm
from retrust.datarights.models import RetentionSettings

View = Callable[..., HttpResponse]


def partner_required(view: View) -> View:
    """A partner in at least one case; everyone else gets 404 (these pages are about a
    partner's own records)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.partner_cases_for(request.user).exists():
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


@partner_required
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    actions.expire_exports(user=user)  # the tick may not have run since it ran out
    departure = queries.own_departure(user)
    return render(
        request,
        "datarights/mine.html",
        {
            "export": queries.own_export(user),
            "departure": departure,
            "keep_days": actions.EXPORT_KEEP.days,
            "link_minutes": int(actions.LINK_LIFETIME.total_seconds() // 60),
            "now": timezone.now(),
        },
    )


@require_POST
@partner_required
def request_copy(request: HttpRequest) -> HttpResponse:
    actions.request_export(request.user)
    messages.success(
        request,
        "We're preparing your copy. It usually takes a minute or two: come back to this page "
        "to download it.",
    )
    return redirect("datarights:mine")


@require_POST
@partner_required
def make_link(request: HttpRequest, export_id: int) -> HttpResponse:
    try:
        token = actions.make_download_link(request.user, export_id)
    except ActionConflict as refusal:
        messages.error(request, refusal.message)
        return redirect("datarights:mine")
    return redirect("datarights:download", token=token)


@login_required
def download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = actions.download(request.user, token)
    except ActionConflict as refusal:
        return render(
            request, "datarights/link_gone.html", {"message": refusal.message}, status=410
        )
    if data is None:
        raise Http404("No such page.")
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="retrust-data-{stamp}.zip"'
    return response


@partner_required
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    if queries.own_departure(user) is not None:
        return redirect("datarights:mine")
    grace = actions.grace_for(user)

    def page(form: forms.Form, status: int = 200) -> HttpResponse:
        return render(
            request,
            "datarights/delete.html",
            {"form": form, "grace_days": grace},
            status=status,
        )

    if request.method != "POST":
        return page(DepartureForm(user=user, request=request))
    return submit(
        request,
        DepartureForm(request.POST, user=user, request=request),
        lambda data: actions.request_departure(user),
        done="datarights:mine",
        again=page,
        message=lambda d: (
            f"Your account will be deleted on {d.shred_after:%-d %B %Y}. "
            "Until then you can change your mind on this page."
        ),
    )


@require_POST
@partner_required
def cancel_deletion(request: HttpRequest) -> HttpResponse:
    form = forms.Form(request.POST)
    return submit(
        request,
        form,
        lambda data: actions.cancel_departure(request.user),
        done="datarights:mine",
        again=lambda form, status: redirect("datarights:mine"),
        message="Your account stays. Nothing was deleted.",
    )


@staff_required
def leaving(request: HttpRequest) -> HttpResponse:
    if not policy.is_clinician(request.user):
        raise Http404("No such page.")
    return render(
        request,
        "datarights/leaving.html",
        {
            "waiting": queries.waiting_for_clinician(request.user),
            "carried_out": queries.carried_out_for_clinician(request.user),
        },
    )


@staff_required
def retention(request: HttpRequest) -> HttpResponse:
    practice = policy.administered_practice_for(request.user)
    current = RetentionSettings.for_practice(practice)

    def page(form: forms.Form, status: int = 200) -> HttpResponse:
        return render(
            request,
            "datarights/retention.html",
            {"form": form, "practice": practice, "current": current},
            status=status,
        )

    if request.method != "POST":
        return page(
            RetentionForm(
                initial={
                    "grace_days": current.grace_days,
                    "retention_years": current.retention_years,
                }
            )
        )
    return submit(
        request,
        RetentionForm(request.POST),
        lambda data: actions.change_retention(
            request.user, practice, data["grace_days"], data["retention_years"]
        ),
        done="datarights:retention",
        again=page,
        message="Saved. New requests to delete an account follow these numbers.",
    )
