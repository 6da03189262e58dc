"""Pages every person meets: the landing page, signing in, invitations, the partner home."""

from __future__ import annotations

import logging
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from retrust.core import actions, heartbeat, policy, registry
from retrust.core.context_processors import leave_url
from retrust.core.decorators import case_view
from retrust.core.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    DeleteForm,
    JournalEditForm,
    JournalForm,
    SignInForm,
    TwoFactorForm,
    VisibilityForm,
)
from retrust.core.models import ApiToken, CaseMember, HeldRecord, JournalEntry, PracticeRole, User
from retrust.core.rules import Visibility
from retrust.core.submission import submit

logger = logging.getLogger(__name__)

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
    health: dict[str, object] = {"status": "ok", "database": "ok"}
    try:
        health.update(heartbeat.report())
    except Exception as error:  # e.g. migrations not applied yet: say so, stay up
        logger.warning("Heartbeats unreadable for /healthz: %s", type(error).__name__)
        health["background"] = "unreadable"
    for report in registry.HEALTH:
        health.update(report())
    return JsonResponse(health)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page their role starts on."""
    user = request.user
    roles = policy.roles(user)
    if PracticeRole.CLINICIAN in roles:
        return redirect("caseload")
    if PracticeRole.ADMIN in roles:
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


def _account_page(
    request: HttpRequest, token_form: ApiTokenForm, new_token: str | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    context = {
        "token_form": token_form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
        "token_days": settings.RETRUST_API_TOKEN_DAYS,
        "has_two_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    }
    return render(request, "core/account.html", context, status=status)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method != "POST":
        return _account_page(request, ApiTokenForm(user=user, request=request))
    # The raw token is shown once, on this page: a success renders rather than redirects.
    return submit(
        request,
        ApiTokenForm(request.POST, user=user, request=request),
        lambda data: actions.create_api_token(user, data["name"]),  # type: ignore[arg-type]
        done=lambda made: _account_page(
            request, ApiTokenForm(user=user, request=request), new_token=made[1]
        ),
        again=lambda form, status: _account_page(request, form, status=status),  # type: ignore[arg-type]
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password also revokes every API token (Django ends the other sessions)."""

    success_url = reverse_lazy("account")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            actions.record_password_changed(form.user, how="changed")
        messages.success(
            self.request,
            "Your password is changed. You're signed out on your other devices, "
            "and any API tokens you had no longer work.",
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password from a reset link also revokes every API token."""

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            actions.record_password_changed(form.user, how="reset")
        return response


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
    # Signed in with the invited email, accepting is one button: a form with no fields.
    data = request.POST if request.method == "POST" else None
    form: forms.Form = (
        forms.Form(data)
        if user is not None
        else AcceptInvitationForm(data, initial={"display_name": invitation.display_name})
    )

    def page(form: forms.Form, status: int) -> HttpResponse:
        if form.non_field_errors():
            # The invitation itself stopped working under us (used, withdrawn, a role taken).
            return _invitation_problem(request, " ".join(form.non_field_errors()), status)
        context = {
            "invitation": invitation,
            "form": form,
            "existing_account": existing_account,
            "signed_in": user is not None,
        }
        return render(request, "core/accept_invitation.html", context, status=status)

    if request.method != "POST" or existing_account:
        return page(form, 400 if request.method == "POST" else 200)

    def accept(data: dict[str, Any]) -> User:
        return actions.accept_invitation(
            token,
            user=user,  # type: ignore[arg-type]
            password=data.get("password", ""),
            display_name=data.get("display_name", ""),
        )

    def welcome(accepted: User) -> HttpResponse:
        if user is None:
            auth_login(request, accepted, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")

    return submit(
        request,
        form,
        accept,
        done=welcome,
        again=page,
        message=lambda accepted: f"Welcome, {accepted.name}. You're in.",
    )


# --- leaving quickly ------------------------------------------------------------------------


@require_POST
def leave_quickly(request: HttpRequest) -> HttpResponse:
    """End the session at once and hand over a neutral page.

    On every partner page the button's script sends this form as a beacon
    (``navigator.sendBeacon``, with the page's CSRF token in the body and ``beacon=1``) and
    replaces the page with the neutral one; the beacon's answer is an empty 204. Without
    JavaScript the same form is posted normally and answered with a redirect there. No message
    is left behind for the next visit, and the CSRF check stays, as on every other POST.
    """
    list(messages.get_messages(request))  # read, so nothing is shown on the next visit
    auth_logout(request)
    if request.POST.get("beacon"):
        return HttpResponse(status=204)
    return redirect(leave_url())


# --- the partner's own pages --------------------------------------------------------------


def _journal_form(access: policy.CaseAccess, solo: bool, data: Any = None) -> JournalForm:
    return JournalForm(
        data,
        auto_id=f"journal-{access.case.pk}-%s",
        solo=solo,
        paused=access.held,
    )


def _held_for(user: Any, accesses: list[policy.CaseAccess]) -> dict[int, list[dict[str, Any]]]:
    """What this author wrote for both before the other partner joined and has not shown since.

    One query for the list, then one per kind of record in it (never per record).
    """
    rows = list(
        HeldRecord.objects.filter(
            author=user,
            case_id__in=[access.case.pk for access in accesses],
            decided_at__isnull=True,
        ).select_related("newcomer")
    )
    by_type: dict[str, list[HeldRecord]] = {}
    for row in rows:
        by_type.setdefault(row.record_type, []).append(row)
    found: dict[int, list[dict[str, Any]]] = {}
    for held in by_type.values():
        model = actions.held_record_model(held[0])
        if model is None:
            continue
        records = {
            record.pk: record
            for record in policy.visible_in(accesses, model._default_manager.all())
            .filter(pk__in=[row.record_id for row in held], author=user)
            .exclude(visibility=Visibility.COUPLE.value)
        }
        for row in held:
            record = records.get(row.record_id)
            if record is None:
                continue  # deleted, or shown to both again elsewhere
            found.setdefault(row.case_id, []).append(
                {"held": row, "record": record, **registry.describe_record(record)}
            )
    for items in found.values():
        items.sort(key=lambda item: item["record"].created_at)
    return found


@never_cache
@login_required
def partner_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = policy.roles(user)
    if roles & policy.STAFF_ROLES and policy.PARTNER_ROLE not in roles:
        return redirect("home")  # clinicians and admins have their own start pages
    return _home_page(request)


def _home_page(request: HttpRequest, status: int = 200, problem: str = "") -> HttpResponse:
    """The partner's home: each of their cases, its journal and the panels apps register.

    ``problem``: why the last request was refused, said at the top (with ``status``).
    """
    user = request.user
    accesses = policy.accesses_for(user, as_=policy.PARTNER)
    if not accesses:
        return render(request, "core/partner_home.html", {"cases": []}, status=status)
    case_ids = [access.case.pk for access in accesses]
    others = {
        member.case_id: member
        for member in CaseMember.objects.filter(case_id__in=case_ids)
        .exclude(user=user)
        .select_related("user")
    }
    clinicians: dict[int, list[str]] = {}
    through = accesses[0].case.clinicians.through
    for row in through.objects.filter(case_id__in=case_ids).select_related("user"):
        clinicians.setdefault(row.case_id, []).append(row.user.name)
    entries = list(
        policy.visible_in(accesses, JournalEntry.objects.select_related("author"))
        .prefetch_related("read_marks")
        .order_by("-created_at")[:50]
    )
    held = _held_for(user, accesses)
    panels = registry.panels_for(user, {access.case.pk: access for access in accesses})
    cases = []
    # The open cases first, the newest first; closed ones (read-only) after them.
    for access in sorted(accesses, key=lambda a: (a.is_closed, -a.case.pk)):
        case_id = access.case.pk
        other = others.get(case_id)
        solo = not actions.offers_couple_choice(access.case, partners=2 if other else 1)
        cases.append(
            {
                "access": access,
                "case": access.case,
                "member": access.member,
                "held": access.held,
                "pause_message": access.pause_message,
                "panels": panels.get(case_id, []),
                "other": other,
                "solo": solo,
                "clinicians": clinicians.get(case_id, []),
                "entries": [e for e in entries if e.case_id == case_id],
                "held_records": held.get(case_id, []),
                "form": _journal_form(access, solo),
            }
        )
    context = {"cases": cases, "problem": problem}
    return render(request, "core/partner_home.html", context, status=status)


def _solo(access: policy.CaseAccess) -> bool:
    return not actions.offers_couple_choice(access.case)


@never_cache
@require_POST
@case_view(as_=policy.PARTNER)
def write_journal(request: HttpRequest, access: policy.CaseAccess) -> HttpResponse:
    form = _journal_form(access, _solo(access), request.POST)
    return submit(
        request,
        form,
        lambda data: actions.write_journal_entry(
            access.user, access.case, body=data["body"], visibility=data["visibility"]
        ),
        done=reverse("partner_home"),
        again=lambda form, status: journal_form_page(request, access, form=form, status=status),
        message="Saved.",
    )


def journal_form_page(
    request: HttpRequest,
    access: policy.CaseAccess,
    *,
    form: forms.Form | None = None,
    opening: str = "",
    status: int = 200,
) -> HttpResponse:
    """The journal form on a page of its own: a refused entry shown again, or a new private
    entry that starts with ``opening`` (another page's words, e.g. ticked feelings). Nothing
    is saved until the partner presses Save."""
    solo = _solo(access)
    if form is None:
        form = _journal_form(access, solo)
        form.initial = {"body": opening, "visibility": Visibility.PRIVATE.value}
    context = {"form": form, "case": access.case, "access": access, "solo": solo}
    return render(request, "core/journal_form_page.html", context, status=status)


def _entry_access(
    request: HttpRequest, entry_id: int, what: str | None = "journal_entry"
) -> tuple[policy.CaseAccess, JournalEntry]:
    return policy.record_access(
        request.user, JournalEntry.objects.select_related("author", "case"), entry_id, what=what
    )


def _entry_page(
    request: HttpRequest,
    access: policy.CaseAccess,
    entry: JournalEntry,
    *,
    form: forms.Form | None = None,
    edit_form: forms.Form | None = None,
    read_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    """One entry: its author changes who reads it and its words; the other partner may say
    "I read this" on an entry shared with both of them."""
    is_author = entry.author_id == access.user.pk
    solo = _solo(access) if is_author else False
    if form is None:
        form = VisibilityForm(
            initial={"visibility": entry.visibility}, solo=solo, paused=access.held
        )
    marks = list(entry.read_marks.select_related("reader"))
    mine = next((m for m in marks if m.reader_id == access.user.pk), None)
    held = (
        HeldRecord.objects.filter(
            record_type=JournalEntry._meta.label_lower,
            record_id=entry.pk,
            decided_at__isnull=True,
        )
        .select_related("newcomer")
        .first()
        if is_author
        else None
    )
    may_edit = is_author and not marks and entry.case.status != "closed"
    if may_edit and edit_form is None:
        edit_form = JournalEditForm(initial={"body": entry.body})
    context = {
        "entry": entry,
        "is_author": is_author,
        "form": form,
        "edit_form": edit_form
        if may_edit or (edit_form is not None and edit_form.errors)
        else None,
        "access": access,
        "solo": solo,
        "held": held,
        "read_marks": marks,
        "read_by_me": mine,
        "may_mark_read": (
            not is_author
            and access.is_partner
            and entry.visibility == Visibility.COUPLE.value
            and mine is None
            and not access.held
        ),
        "read_form": read_form,
    }
    return render(request, "core/journal_entry.html", context, status=status)


@never_cache
@login_required
def journal_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    access, entry = _entry_access(request, entry_id)
    is_author = entry.author_id == access.user.pk
    if request.method != "POST":
        return _entry_page(request, access, entry)
    if not is_author:
        raise Http404("No such page.")
    form = VisibilityForm(request.POST, solo=_solo(access), paused=access.held)
    return submit(
        request,
        form,
        lambda data: actions.change_journal_visibility(access.user, entry, data["visibility"]),
        done=reverse("journal_entry", args=[entry.pk]),
        again=lambda f, status: _entry_page(request, access, entry, form=f, status=status),
        message="Updated who can read this.",
    )


@never_cache
@require_POST
@login_required
def edit_journal(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The author rewords an entry, until the other partner has said they read it."""
    access, _ = _entry_access(request, entry_id, what=None)
    entry = access.get_to_change(JournalEntry.objects.select_related("case"), entry_id)
    form = JournalEditForm(request.POST)
    return submit(
        request,
        form,
        lambda data: actions.edit_journal_entry(access.user, entry, body=data["body"]),
        done=reverse("journal_entry", args=[entry.pk]),
        again=lambda f, status: _entry_page(request, access, entry, edit_form=f, status=status),
        message="Saved your changes.",
    )


@never_cache
@require_POST
@login_required
def mark_journal_read(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The other partner's "I read this" on an entry shared with both of them."""
    access, entry = _entry_access(request, entry_id)
    if entry.author_id == access.user.pk or not access.is_partner:
        raise Http404("No such page.")
    back = reverse("partner_home") if request.POST.get("from") == "home" else None
    return submit(
        request,
        forms.Form(request.POST),
        lambda data: actions.mark_journal_read(access.user, entry),
        done=back or reverse("journal_entry", args=[entry.pk]),
        again=lambda f, status: _entry_page(request, access, entry, read_form=f, status=status),
        message=f"Thank you. {entry.author.name} will see that you read it.",
    )


@never_cache
@login_required
def delete_journal(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Deleting takes two steps: this page asks, and only its own form deletes."""
    access, _ = _entry_access(request, entry_id, what=None)
    entry = access.get_to_change(JournalEntry.objects.select_related("case"), entry_id)
    form = DeleteForm(request.POST if request.method == "POST" else None)

    def page(form: forms.Form, status: int = 200) -> HttpResponse:
        context = {"entry": entry, "form": form}
        return render(request, "core/journal_delete.html", context, status=status)

    if request.method != "POST":
        return page(form)
    return submit(
        request,
        form,
        lambda data: actions.delete_journal_entry(access.user, entry, confirmed=data["confirm"]),
        done=reverse("partner_home"),
        again=page,
        message="Deleted. It's gone for good.",
    )


@require_POST
@case_view(as_=policy.PARTNER)
def show_held_record(request: HttpRequest, access: policy.CaseAccess, held_id: int) -> HttpResponse:
    """The author shows one record, held when the other partner joined, to both of them."""
    held = (
        HeldRecord.objects.filter(
            pk=held_id, case=access.case, author=access.user, decided_at__isnull=True
        )
        .select_related("newcomer")
        .first()
    )
    if held is None:
        raise Http404("No such record.")
    form = forms.Form(request.POST)

    def again(form: forms.Form, status: int) -> HttpResponse:
        # A refusal here (a pause, a record deleted meanwhile) is said on the home page.
        return _home_page(request, status, " ".join(form.non_field_errors()))

    return submit(
        request,
        form,
        lambda data: actions.show_held_record(access.user, held),
        done=reverse("partner_home"),
        again=again,
        message=f"{held.newcomer.name} can read it now.",
    )


# --- error pages --------------------------------------------------------------------------


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
