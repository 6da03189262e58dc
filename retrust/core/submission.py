"""The one shape of a form post: validate → action → refusal on its field → redirect or re-render.

Every view that changes state goes through ``submit``. An action's ``ActionError`` lands on the
form field it names when the form has that field, otherwise on the form as a whole, so an
action naming a field the form lacks never turns into a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from retrust.core.exceptions import ActionConflict, ActionError

T = TypeVar("T")


def refuse(form: forms.BaseForm, exc: ActionError) -> None:
    """Put an action's refusal on the field it names, or on the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[dict[str, Any]], T],
    *,
    done: str | Callable[[T], HttpResponse],
    again: Callable[[forms.BaseForm, int], HttpResponse],
    message: str | Callable[[T], str] = "",
) -> HttpResponse:
    """Run ``action`` on a valid form; redirect to ``done`` or re-render through ``again``.

    ``done`` is a URL (or a callable given the action's result); ``again(form, status)`` renders
    the page with the form's errors: 400 for a refusal, 409 when the state changed under it.
    """
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except ActionError as exc:
            refuse(form, exc)
            return again(form, 409 if isinstance(exc, ActionConflict) else 400)
        text = message(result) if callable(message) else message
        if text:
            messages.success(request, text)
        return done(result) if callable(done) else redirect(done)
    return again(form, 400)
