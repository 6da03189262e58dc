"""Messages: a partner's private thread with the clinician, and the couple's thread.

Thin, like every page: ``case_view`` resolves the person's access once, ``queries`` reads (the
same builders as the API), and a message goes through ``submit`` to ``actions.send_message``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from retrust.core import policy
from retrust.core.decorators import case_view, staff_required
from retrust.core.policy import CaseAccess
from retrust.core.submission import submit
from retrust.threads import actions, queries
from retrust.threads.forms import MessageForm, SettingsForm, new_token
from retrust.threads.models import DEFAULT_NOTICE, DEFAULT_REPLY_TIME, ThreadSettings


@login_required
def messages_home(request: HttpRequest) -> HttpResponse:
    """The "Messages" menu entry: a partner's first case's messages."""
    first = policy.partner_cases_for(request.user).order_by("id").values_list("pk", flat=True)
    case_id = first.first()
    if case_id is None:
        raise Http404("No such page.")
    return redirect("case_messages", case_id=case_id)


@case_view(as_=policy.MEMBER)
def case_messages(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    rows = queries.threads_for(access)
    return render(
        request,
        "threads/threads.html",
        {"access": access, "case": access.case, "rows": rows},
    )


def _before(request: HttpRequest) -> int | None:
    try:
        value = int(request.GET.get("before", ""))
    except ValueError:
        return None
    return value if value > 0 else None


def _thread_page(
    request: HttpRequest,
    access: CaseAccess,
    key: str,
    form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    read = queries.thread_read(access, key, before=_before(request))
    if read.thread is not None and _before(request) is None:
        actions.mark_read(access.user, read.thread, read.newest_id)
    context = {
        "access": access,
        "case": access.case,
        "read": read,
        "writable": queries.may_write(access, read.spec),
        "form": form or MessageForm(initial={"client_token": new_token()}),
    }
    return render(request, "threads/thread.html", context, status=status)


@case_view(as_=policy.MEMBER)
def thread(request: HttpRequest, access: CaseAccess, key: str) -> HttpResponse:
    if request.method != "POST":
        return _thread_page(request, access, key)
    queries.spec_for(access, key)  # 404 before anything else for a thread not theirs
    url = reverse("message_thread", args=[access.case.pk, key]) + "#latest"
    return submit(
        request,
        MessageForm(request.POST),
        lambda data: actions.send_message(
            access.user,
            access.case,
            key,
            body=data["body"],
            client_token=data["client_token"],
        ),
        done=url,
        again=lambda form, status: _thread_page(request, access, key, form, status),
        message="Sent.",
    )


@staff_required
def message_settings(request: HttpRequest) -> HttpResponse:
    practice = policy.administered_practice_for(request.user)
    current = ThreadSettings.for_practice(practice)

    def page(form: Any, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "practice": practice,
            "current": current,
            "default_notice": DEFAULT_NOTICE,
            "default_reply_time": DEFAULT_REPLY_TIME,
        }
        return render(request, "threads/settings.html", context, status=status)

    if request.method != "POST":
        initial = {"notice": current.notice, "reply_time": current.reply_time}
        return page(SettingsForm(initial=initial))
    return submit(
        request,
        SettingsForm(request.POST),
        lambda data: actions.update_settings(request.user, practice, **data),
        done="message_settings",
        again=page,
        message="Saved. Every message box shows this from now on.",
    )
