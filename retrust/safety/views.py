"""Private screening, crisis resources and the neutral "leave quickly" page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from retrust.core import policy
from retrust.core.actions import ActionError
from retrust.core.decorators import staff_required
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


@never_cache
@login_required
def safety_check(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.partner_cases_for(request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404("No such page.")
    form = ScreenForm(request.POST or None, initial={"submission_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        answers = {k: v for k, v in form.cleaned_data.items() if k != "submission_key"}
        try:
            actions.submit_screen(request.user, case, answers, form.cleaned_data["submission_key"])
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            return redirect("safety_thanks", case_id=case.pk)
    status = 400 if request.method == "POST" else 200
    response = render(request, "safety/check.html", {"case": case, "form": form}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def safety_thanks(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.partner_cases_for(request.user).filter(pk=case_id).first()
    if case is None:
        raise Http404("No such page.")
    response = render(
        request,
        "safety/thanks.html",
        {"case": case, "resources": resources_for(request.user)},
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def crisis_resources(request: HttpRequest) -> HttpResponse:
    practice = policy.administered_practice_for(request.user)
    form = CrisisResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_crisis_resource(request.user, practice, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Added. It shows on the help page straight away.")
            return redirect("crisis_resources")
    context = {
        "practice": practice,
        "resources": practice.crisis_resources.all(),
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "safety/crisis_resources.html", context, status=status)


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
