"""The clinician's workspace and the practice admin's pages."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.core import actions, policy
from retrust.core.decorators import staff_required
from retrust.core.forms import AuditFilterForm, CaseForm, InvitePartnerForm, InviteStaffForm
from retrust.core.models import (
    AuditEvent,
    CaseMember,
    CaseStatus,
    ClinicianMembership,
    Invitation,
    JournalEntry,
    Track,
)

CASELOAD_SORTS = {
    "recent": ("-updated_at", "Recently updated"),
    "name": ("label", "Name"),
    "status": ("status", "Status"),
    "opened": ("-created_at", "Newest first"),
}


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _say_invitation_sent(request: HttpRequest, issued: actions.IssuedInvitation) -> None:
    if issued.token is None:
        messages.info(request, f"{issued.invitation.email} already has an invitation.")
    else:
        messages.success(request, f"Invitation sent to {issued.invitation.email}.")


@staff_required
def caseload(request: HttpRequest) -> HttpResponse:
    practice = policy.clinician_practice_for(request.user)
    status = request.GET.get("status", "")
    track = request.GET.get("track", "")
    sort = request.GET.get("sort", "recent")
    cases = (
        policy.caseload_for(request.user)
        .prefetch_related(
            Prefetch("members", queryset=CaseMember.objects.select_related("user")),
        )
        .annotate(
            pending_invitations=Count(
                "invitations",
                filter=Q(
                    invitations__accepted_at__isnull=True,
                    invitations__revoked_at__isnull=True,
                    invitations__expires_at__gt=timezone.now(),
                ),
            )
        )
    )
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    if track in Track.values:
        cases = cases.filter(track=track)
    cases = cases.order_by(CASELOAD_SORTS.get(sort, CASELOAD_SORTS["recent"])[0], "id")
    context = {
        "practice": practice,
        "cases": cases,
        "status": status,
        "track": track,
        "sort": sort if sort in CASELOAD_SORTS else "recent",
        "statuses": CaseStatus.choices,
        "tracks": Track.choices,
        "sorts": [(key, label) for key, (_, label) in CASELOAD_SORTS.items()],
    }
    template = "clinic/caseload.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#case-table"
    return render(request, template, context)


@staff_required
def new_case(request: HttpRequest) -> HttpResponse:
    practice = policy.clinician_practice_for(request.user)
    form = CaseForm(request.POST or None, initial={"creation_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.create_case(
                request.user,  # type: ignore[arg-type]
                practice,
                label=data["label"],
                track=data["track"],
                partner_a_email=data["partner_a_email"],
                partner_a_name=data["partner_a_name"],
                partner_b_email=data["partner_b_email"] or "",
                partner_b_name=data["partner_b_name"],
                creation_key=data["creation_key"],
                base_url=_base_url(request),
            )
        except actions.ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Case opened. The invitations are on their way.")
            return redirect("case_detail", case_id=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "clinic/new_case.html", {"form": form}, status=status)


@staff_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    members = list(case.members.select_related("user"))
    invitations = list(case.invitations.pending().order_by("role"))
    clinicians = list(case.clinicians.all())
    entries = list(
        JournalEntry.objects.visible_to(request.user)
        .filter(case=case)
        .select_related("author")
        .order_by("-created_at")[:50]
    )
    if entries:
        actions.record_clinical_read(request.user, case, "journal_entries", len(entries))
    can_invite = len(members) + len(invitations) < 2 and case.status != CaseStatus.CLOSED
    context = {
        "case": case,
        "members": members,
        "invitations": invitations,
        "clinicians": clinicians,
        "entries": entries,
        "invite_form": InvitePartnerForm() if can_invite else None,
    }
    return render(request, "clinic/case_detail.html", context)


@require_POST
@staff_required
def invite_partner(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    form = InvitePartnerForm(request.POST)
    if form.is_valid():
        try:
            issued = actions.invite_partner(
                request.user,  # type: ignore[arg-type]
                case,
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                base_url=_base_url(request),
            )
        except actions.ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            _say_invitation_sent(request, issued)
            return redirect("case_detail", case_id=case.pk)
    return render(request, "clinic/invite_partner.html", {"case": case, "form": form}, status=400)


@require_POST
@staff_required
def withdraw_invitation(request: HttpRequest, case_id: int, invitation_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    invitation = Invitation.objects.filter(pk=invitation_id, case=case).first()
    if invitation is None:
        raise Http404("No such invitation.")
    actions.withdraw_invitation(request.user, invitation)  # type: ignore[arg-type]
    messages.success(request, f"The invitation to {invitation.email} no longer works.")
    return redirect("case_detail", case_id=case.pk)


# --- practice admin -----------------------------------------------------------------------


@staff_required
def practice(request: HttpRequest) -> HttpResponse:
    the_practice = policy.administered_practice_for(request.user)
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = actions.invite_staff(
                request.user,  # type: ignore[arg-type]
                the_practice,
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                role=form.cleaned_data["role"],
                base_url=_base_url(request),
            )
        except actions.ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            _say_invitation_sent(request, issued)
            return redirect("practice")
    memberships = ClinicianMembership.objects.filter(practice=the_practice).select_related("user")
    context = {
        "practice": the_practice,
        "memberships": memberships.order_by("user__email"),
        "invitations": Invitation.objects.pending().filter(practice=the_practice, case=None),
        "case_counts": the_practice.cases.values("status")
        .annotate(n=Count("id"))
        .order_by("status"),
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "clinic/practice.html", context, status=status)


@staff_required
def audit_log(request: HttpRequest) -> HttpResponse:
    the_practice = policy.administered_practice_for(request.user)
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.filter(practice=the_practice).select_related("actor", "case")
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["actor"]:
            events = events.filter(actor_email__icontains=data["actor"].strip())
        if data["case"]:
            events = events.filter(case_id=data["case"])
        tz = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(
                created_at__gte=datetime.combine(data["since"], time.min, tzinfo=tz)
            )
        if data["until"]:
            events = events.filter(
                created_at__lte=datetime.combine(data["until"], time.max, tzinfo=tz)
            )
    page = Paginator(events.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"practice": the_practice, "form": form, "page": page, "query": query.urlencode()}
    template = "clinic/audit_log.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#audit-table"
    return render(request, template, context)
