"""Private screening, crisis resources and the neutral "leave quickly" page."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from retrust.core import policy
from retrust.core.decorators import case_view, staff_required
from retrust.core.policy import CaseAccess
from retrust.core.submission import submit
from retrust.safety import actions
from retrust.safety.forms import CrisisResourceForm, ScreenForm
from retrust.safety.queries import resources_for


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "safety/help.html", {"resources": resources_for(request.user)})


def away(request: HttpRequest) -> HttpResponse:
    """A plain page with nothing about relationships or therapy on it."""
    response = render(request, "safety/away.html")
    response["Cache-Control"] = "no-store"
    return response


def _never_stored(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@case_view(as_=policy.PARTNER)
def safety_check(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    form = ScreenForm(request.POST or None, initial={"submission_key": uuid.uuid4().hex})

    def page(form: forms.BaseForm, status: int = 200) -> HttpResponse:
        context = {"case": access.case, "access": access, "form": form}
        return _never_stored(render(request, "safety/check.html", context, status=status))

    if request.method != "POST":
        return page(form)
    return submit(
        request,
        form,
        lambda data: actions.submit_screen(
            request.user,
            access.case,
            {k: v for k, v in data.items() if k != "submission_key"},
            data["submission_key"],
        ),
        done=reverse("safety_thanks", args=[access.case.pk]),
        again=page,
    )


@never_cache
@case_view(as_=policy.PARTNER)
def safety_thanks(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    context = {"case": access.case, "resources": resources_for(request.user)}
    return _never_stored(render(request, "safety/thanks.html", context))


@staff_required
def crisis_resources(request: HttpRequest) -> HttpResponse:
    practice = policy.administered_practice_for(request.user)
    form = CrisisResourceForm(request.POST or None)

    def page(form: forms.BaseForm, status: int = 200) -> HttpResponse:
        context = {
            "practice": practice,
            "resources": practice.crisis_resources.all(),
            "form": form,
        }
        return render(request, "safety/crisis_resources.html", context, status=status)

    if request.method != "POST":
        return page(form)
    return submit(
        request,
        form,
        lambda data: actions.add_crisis_resource(request.user, practice, **data),
        done=reverse("crisis_resources"),
        again=page,
        message="Added. It shows on the help page straight away.",
    )


@require_POST
@staff_required
def remove_crisis_resource(request: HttpRequest, resource_id: int) -> HttpResponse:
    practice = policy.administered_practice_for(request.user)
    resource = practice.crisis_resources.filter(pk=resource_id).first()
    if resource is None:
        raise Http404("No such resource.")
    actions.remove_crisis_resource(request.user, resource)
    messages.success(request, f"Removed {resource.name}.")
    return redirect("crisis_resources")
