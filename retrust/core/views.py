"""Pages every person meets: the landing page, signing in, invitations, the partner home."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from retrust.core import actions, policy
from retrust.core.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    JournalForm,
    SignInForm,
    TwoFactorForm,
    VisibilityForm,
)
from retrust.core.models import ApiToken, CaseMember, JournalEntry, User
from retrust.notifications.health import queue_lag
from retrust.safety.models import CasePause, SafetyScreen

# --- public -------------------------------------------------------------------------------


def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "core/landing.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", **queue_lag()})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page their role starts on."""
    user = request.user
    if policy.is_clinician(user):
        return redirect("caseload")
    if policy.is_practice_admin(user):
        return redirect("practice")
    return redirect("partner_home")


# --- signing in and out -------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Second step of signing in for clinicians and admins; enrols an authenticator first time."""
    user = request.user
    next_url = _safe_next(request, reverse("home"))
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    assert device is not None
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", "Too many wrong codes. Wait a minute, then try the newest code.")
        elif device.verify_token(form.cleaned_data["code"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                actions.record_two_factor_enrolled(user)  # type: ignore[arg-type]
            otp_login(request, device)
            return redirect(next_url)
        else:
            form.add_error(
                "code", "That code didn't work. Codes change every 30 seconds — try the newest one."
            )
    context: dict[str, Any] = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
            scale=4, dark="#1f2d3d", light="#ffffff", title="QR code for your authenticator app"
        )
        context["secret"] = _base32_secret(device)
    return render(request, "registration/two_factor.html", context)


def _base32_secret(device: TOTPDevice) -> str:
    import base64

    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.info(request, "You are signed out. See you next time.")
    return redirect("login")


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    actions.sign_out_everywhere(request.user)  # type: ignore[arg-type]
    auth_logout(request)
    messages.info(request, "You are signed out on every device, including this one.")
    return redirect("login")


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    token_form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and token_form.is_valid():
        try:
            _, new_token = actions.create_api_token(user, token_form.cleaned_data["name"])  # type: ignore[arg-type]
        except actions.ActionError as exc:
            token_form.add_error(exc.field, exc.message)
        else:
            token_form = ApiTokenForm()
    context = {
        "token_form": token_form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
        "has_two_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    }
    return render(request, "core/account.html", context)


@require_POST
@login_required
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404("No such page.")
    actions.revoke_api_token(request.user, token)  # type: ignore[arg-type]
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("account")


# --- invitations --------------------------------------------------------------------------


def _invitation_problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "core/invitation_problem.html", {"message": message}, status=status)


@never_cache
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = actions.find_invitation(token)
    if invitation is None:
        return _invitation_problem(
            request, "This invitation link is not valid. Check that you copied all of it.", 404
        )
    user = request.user if request.user.is_authenticated else None
    if (
        invitation.accepted_at is not None
        and user is not None
        and invitation.accepted_by_id == user.pk
    ):
        return redirect("home")
    if invitation.state != "pending":
        messages_by_state = {
            "accepted": "This invitation has already been used. If it was you, sign in instead.",
            "revoked": "This invitation was withdrawn. Ask your clinician for a new one.",
            "expired": "This invitation has expired. Ask for a new one — it only takes a minute.",
        }
        return _invitation_problem(request, messages_by_state[invitation.state], 410)
    if user is not None and user.email.lower() != invitation.email.lower():
        return render(
            request,
            "core/invitation_wrong_person.html",
            {"invitation": invitation, "signed_in_as": user.email},
            status=409,
        )
    existing_account = user is None and User.objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(
        request.POST or None, initial={"display_name": invitation.display_name}
    )
    if request.method == "POST" and (
        user is not None or (not existing_account and form.is_valid())
    ):
        try:
            accepted = actions.accept_invitation(
                token,
                user=user,  # type: ignore[arg-type]
                password=form.cleaned_data.get("password", "") if user is None else "",
                display_name=form.cleaned_data.get("display_name", "") if user is None else "",
            )
        except actions.ActionError as exc:
            if exc.field:
                form.add_error(exc.field, exc.message)
            else:
                return _invitation_problem(request, exc.message, 400)
        else:
            if user is None:
                auth_login(request, accepted, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {accepted.name}. You're in.")
            return redirect("home")
    context = {
        "invitation": invitation,
        "form": form,
        "existing_account": existing_account,
        "signed_in": user is not None,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "core/accept_invitation.html", context, status=status)


# --- the partner's own pages --------------------------------------------------------------


@login_required
def partner_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = list(
        CaseMember.objects.filter(user=user).select_related("case", "case__practice")
    )
    if not memberships:
        # Clinicians and admins have their own start pages; anyone else simply has no case yet.
        if policy.is_practice_staff(user):
            return redirect("home")
        return render(request, "core/partner_home.html", {"cases": []})
    case_ids = [m.case_id for m in memberships]
    others = {
        (m.case_id): m
        for m in CaseMember.objects.filter(case_id__in=case_ids)
        .exclude(user=user)
        .select_related("user")
    }
    clinicians: dict[int, list[str]] = {}
    through = memberships[0].case.clinicians.through
    for row in through.objects.filter(case_id__in=case_ids).select_related("user"):
        clinicians.setdefault(row.case_id, []).append(row.user.name)
    entries = list(
        JournalEntry.objects.visible_to(user)
        .filter(case_id__in=case_ids)
        .select_related("author")
        .order_by("-created_at")[:50]
    )
    paused = set(
        CasePause.objects.filter(case_id__in=case_ids, lifted_at__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    screened = set(
        SafetyScreen.objects.filter(case_id__in=case_ids, respondent=user).values_list(
            "case_id", flat=True
        )
    )
    cases = [
        {
            "paused": m.case_id in paused,
            "screened": m.case_id in screened,
            "member": m,
            "case": m.case,
            "other": others.get(m.case_id),
            "clinicians": clinicians.get(m.case_id, []),
            "entries": [e for e in entries if e.case_id == m.case_id],
            "form": JournalForm(auto_id=f"journal-{m.case_id}-%s"),
        }
        for m in memberships
    ]
    return render(request, "core/partner_home.html", {"cases": cases})


@require_POST
@login_required
def write_journal(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = policy.partner_cases_for(user).filter(pk=case_id).first()
    if case is None:
        raise Http404("No such page.")
    form = JournalForm(request.POST, auto_id=f"journal-{case_id}-%s")
    if form.is_valid():
        try:
            actions.write_journal_entry(
                user,  # type: ignore[arg-type]
                case,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
            )
        except actions.ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Saved.")
            return redirect("partner_home")
    return render(request, "core/journal_form_page.html", {"form": form, "case": case}, status=400)


@login_required
def journal_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = request.user
    entry = policy.get_record_for(
        user, JournalEntry.objects.select_related("author", "case"), entry_id
    )
    is_author = entry.author_id == user.pk
    form = VisibilityForm(request.POST or None, initial={"visibility": entry.visibility})
    if request.method == "POST":
        if not is_author:
            raise Http404("No such page.")
        if form.is_valid():
            try:
                actions.change_journal_visibility(user, entry, form.cleaned_data["visibility"])  # type: ignore[arg-type]
            except actions.ActionError as exc:
                form.add_error("visibility", exc.message)
            else:
                messages.success(request, "Updated who can read this.")
                return redirect("journal_entry", entry_id=entry.pk)
    if not is_author and policy.caseload_for(user).filter(pk=entry.case_id).exists():
        actions.record_clinical_read(user, entry.case, "journal_entry", 1)
    return render(
        request,
        "core/journal_entry.html",
        {"entry": entry, "is_author": is_author, "form": form},
    )


@require_POST
@login_required
def delete_journal(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = policy.get_record_to_change(request.user, JournalEntry.objects.all(), entry_id)
    actions.delete_journal_entry(request.user, entry)  # type: ignore[arg-type]
    messages.success(request, "Deleted. It's gone for good.")
    return redirect("partner_home")


# --- error pages --------------------------------------------------------------------------


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
