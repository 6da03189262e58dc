"""The clinician's workspace and the practice admin's pages."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.assessments import registry
from retrust.assessments.models import MeasureResponse, ResponseStatus
from retrust.assessments.queries import item_answers
from retrust.assessments.summary import measures_for_cases
from retrust.clinic import actions as clinic_actions
from retrust.clinic.forms import AddendumForm, SessionNoteForm, TrackForm
from retrust.clinic.models import SessionNote, TrackChange
from retrust.core import actions, audit, policy
from retrust.core.decorators import staff_required
from retrust.core.forms import AuditFilterForm, CaseForm, InvitePartnerForm, InviteStaffForm
from retrust.core.models import (
    AuditEvent,
    Case,
    CaseMember,
    CaseStatus,
    ClinicianMembership,
    Invitation,
    JournalEntry,
    Track,
)
from retrust.safety import actions as safety
from retrust.safety import screen as screen_module
from retrust.safety.forms import AcknowledgeForm, IndividualSessionForm, LiftPauseForm
from retrust.safety.models import Alert, CasePause, SafetyScreen

CASELOAD_SORTS: dict[str, tuple[tuple[str, ...], str]] = {
    "attention": (("-paused", "-open_high", "-open_other", "-updated_at"), "Needs attention"),
    "recent": (("-updated_at",), "Recently updated"),
    "name": (("label",), "Name"),
    "status": (("status",), "Status"),
    "opened": (("-created_at",), "Newest first"),
}


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _say_invitation_sent(request: HttpRequest, issued: actions.IssuedInvitation) -> None:
    email = issued.invitation.email
    if issued.token is None:
        messages.info(request, f"{email} already has an invitation.")
    elif not issued.emailed and _treats(request.user, email):
        # Only a clinician who already knows (from the person's own case) hears why; anyone
        # else sees the usual words, and the person is protected either way.
        messages.info(
            request,
            f"Nothing was emailed: {email} told retrust that email isn't safe for them. "
            f"Give them this link yourself, in session: {issued.link(_base_url(request))}",
        )
    else:
        messages.success(request, f"Invitation sent to {email}.")


def _treats(clinician: Any, email: str) -> bool:
    """Whether ``email`` belongs to a partner in one of this clinician's cases."""
    return policy.caseload_for(clinician).filter(members__user__email__iexact=email).exists()


@staff_required
def caseload(request: HttpRequest) -> HttpResponse:
    practice = policy.clinician_practice_for(request.user)
    status = request.GET.get("status", "")
    track = request.GET.get("track", "")
    sort = request.GET.get("sort", "attention")
    cases = (
        policy.caseload_for(request.user)
        .prefetch_related(
            Prefetch("members", queryset=CaseMember.objects.select_related("user")),
        )
        .annotate(
            paused=ExpressionWrapper(Q(paused_since__isnull=False), output_field=BooleanField()),
            open_high=Count(
                "alerts",
                filter=Q(alerts__acknowledged_at__isnull=True, alerts__priority="high"),
                distinct=True,
            ),
            open_other=Count(
                "alerts",
                filter=Q(alerts__acknowledged_at__isnull=True) & ~Q(alerts__priority="high"),
                distinct=True,
            ),
            pending_invitations=Count(
                "invitations",
                filter=Q(
                    invitations__accepted_at__isnull=True,
                    invitations__revoked_at__isnull=True,
                    invitations__expires_at__gt=timezone.now(),
                ),
                distinct=True,
            ),
        )
    )
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    if track in Track.values:
        cases = cases.filter(track=track)
    cases = list(cases.order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["attention"])[0], "id"))
    _attach_measures(cases)
    context = {
        "practice": practice,
        "cases": cases,
        "status": status,
        "track": track,
        "sort": sort if sort in CASELOAD_SORTS else "attention",
        "statuses": CaseStatus.choices,
        "tracks": Track.choices,
        "sorts": [(key, label) for key, (_, label) in CASELOAD_SORTS.items()],
    }
    template = "clinic/caseload.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#case-table"
    return render(request, template, context)


def _attach_measures(cases: list[Case]) -> None:
    """Give each case its partners' latest scores and due/overdue check-ins (4 queries)."""
    summaries = measures_for_cases(cases)
    for case in cases:
        names = {m.user_id: m.user.name for m in case.members.all()}
        summary = summaries[case.pk]
        case.measure_lines = [  # type: ignore[attr-defined]
            f"{score.short_title} {names.get(score.partner_id, '')}: {score.latest:g} {score.trend}"
            for score in summary.scores
        ]
        case.checkins_due = summary.due  # type: ignore[attr-defined]
        case.checkins_overdue = summary.overdue  # type: ignore[attr-defined]


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


def _case_page_context(request: HttpRequest, case: Case) -> dict[str, object]:
    """Everything the case view shows: a fixed number of queries whatever the case holds."""
    members = list(case.members.select_related("user"))
    invitations = list(case.invitations.pending().order_by("role"))
    entries = list(
        JournalEntry.objects.visible_to(request.user)
        .filter(case=case)
        .select_related("author")
        .order_by("-created_at")[:50]
    )
    screens = {}
    for screen_row in SafetyScreen.objects.filter(case=case).order_by("-created_at"):
        screens.setdefault(screen_row.respondent_id, screen_row)
    pause = CasePause.objects.filter(case=case, lifted_at__isnull=True).first()
    unseen = safety.partners_not_yet_seen(case, pause) if pause else []
    alerts = list(
        Alert.objects.filter(case=case)
        .select_related("partner", "acknowledged_by")
        .order_by(F("acknowledged_at").asc(nulls_first=True), "priority", "-created_at")[:30]
    )
    summary = measures_for_cases([case])[case.pk]
    intakes: dict[int, Any] = {}
    for response in MeasureResponse.objects.filter(
        case=case, instrument_id="intake", status=ResponseStatus.SUBMITTED
    ).order_by("-submitted_at", "-id"):
        intakes.setdefault(response.author_id, response)
    intake_form = registry.get("intake")
    partners = [
        {
            "scores": [score for score in summary.scores if score.partner_id == m.user_id],
            "intake": intakes.get(m.user_id),
            "intake_answers": item_answers(intake_form, intakes[m.user_id].answers)
            if intake_form is not None and m.user_id in intakes
            else [],
            "member": m,
            "screen": screens.get(m.user_id),
            "questions": [
                (
                    question.text,
                    dict(screen_module.ANSWERS).get(
                        screens[m.user_id].answers.get(question.id, ""), "—"
                    ),
                )
                for question in screen_module.QUESTIONS
            ]
            if m.user_id in screens
            else [],
        }
        for m in members
    ]
    shown = len(entries) + len(screens) + len(intakes)
    if shown:
        actions.record_clinical_read(request.user, case, "case_view", shown)
    can_invite = len(members) + len(invitations) < 2 and case.status != CaseStatus.CLOSED
    return {
        "case": case,
        "partners": partners,
        "members": members,
        "invitations": invitations,
        "clinicians": list(case.clinicians.all()),
        "entries": entries,
        "alerts": alerts,
        "pause": pause,
        "unseen": unseen,
        "notes": list(SessionNote.objects.filter(case=case).select_related("author")[:20]),
        "track_changes": list(
            TrackChange.objects.filter(case=case).select_related("changed_by")[:10]
        ),
        "timeline": audit.case_timeline(case),
        "checkins_due": summary.due,
        "checkins_overdue": summary.overdue,
        "invite_form": InvitePartnerForm() if can_invite else None,
        "ack_form": AcknowledgeForm(),
        "session_form": IndividualSessionForm(
            partners=[(m.user_id, m.user.name) for m in members],
            initial={"seen_on": timezone.localdate()},
        ),
        "lift_form": LiftPauseForm(),
        "track_form": TrackForm(initial={"track": case.track}),
    }


@staff_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    return render(request, "clinic/case_detail.html", _case_page_context(request, case))


def _case_form_failed(request: HttpRequest, case: Case, **forms: object) -> HttpResponse:
    """Re-render the case page with the failing form (and its message) in place."""
    context = _case_page_context(request, case)
    context.update(forms)
    return render(request, "clinic/case_detail.html", context, status=400)


@require_POST
@staff_required
def acknowledge_alert(request: HttpRequest, case_id: int, alert_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    alert = Alert.objects.filter(pk=alert_id, case=case).first()
    if alert is None:
        raise Http404("No such alert.")
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            safety.acknowledge_alert(request.user, alert, form.cleaned_data["note"])
        except actions.ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Alert acknowledged.")
            return redirect("case_detail", case_id=case.pk)
    return _case_form_failed(request, case, ack_form=form, ack_alert_id=alert.pk)


@require_POST
@staff_required
def record_individual_session(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    members = {m.user_id: m.user for m in case.members.select_related("user")}
    form = IndividualSessionForm(
        request.POST, partners=[(uid, user.name) for uid, user in members.items()]
    )
    if form.is_valid():
        try:
            safety.record_individual_session(
                request.user,
                case,
                members[form.cleaned_data["partner"]],
                form.cleaned_data["seen_on"],
            )
        except actions.ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Individual session recorded.")
            return redirect("case_detail", case_id=case.pk)
    return _case_form_failed(request, case, session_form=form)


@require_POST
@staff_required
def lift_pause(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    form = LiftPauseForm(request.POST)
    if form.is_valid():
        try:
            safety.lift_pause(request.user, case, form.cleaned_data["reason"])
        except actions.ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Shared work can resume.")
            return redirect("case_detail", case_id=case.pk)
    return _case_form_failed(request, case, lift_form=form)


@require_POST
@staff_required
def switch_track(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    form = TrackForm(request.POST)
    if form.is_valid():
        try:
            clinic_actions.switch_track(
                request.user, case, form.cleaned_data["track"], form.cleaned_data["reason"]
            )
        except actions.ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Track updated.")
            return redirect("case_detail", case_id=case.pk)
    return _case_form_failed(request, case, track_form=form)


@require_POST
@staff_required
def messages_safe_again(request: HttpRequest, case_id: int, user_id: int) -> HttpResponse:
    """With the partner in session: email is safe for them again, so retrust may send it."""
    case = policy.get_clinician_case_for(request.user, case_id)
    member = CaseMember.objects.filter(case=case, user_id=user_id).select_related("user").first()
    if member is None:
        raise Http404("No such partner.")
    actions.clear_messages_unsafe(request.user, case, member.user)  # type: ignore[arg-type]
    messages.success(
        request, f"retrust may email {member.user.name} again: invitations, resets, reminders."
    )
    return redirect("case_detail", case_id=case.pk)


@require_POST
@staff_required
def reset_link_in_session(request: HttpRequest, case_id: int, user_id: int) -> HttpResponse:
    """A one-time password-reset link, shown on screen for a partner retrust may not email."""
    case = policy.get_clinician_case_for(request.user, case_id)
    member = CaseMember.objects.filter(case=case, user_id=user_id).select_related("user").first()
    if member is None:
        raise Http404("No such partner.")
    try:
        path = actions.issue_reset_link_in_session(request.user, case, member.user)  # type: ignore[arg-type]
    except actions.ActionError as exc:
        messages.info(request, exc.message)
        return redirect("case_detail", case_id=case.pk)
    link = _base_url(request) + path
    context = {
        "case": case,
        "partner": member.user,
        "link": link,
        "qr_svg": segno.make(link, error="m").svg_inline(
            scale=4, dark="#1f2d3d", light="#ffffff", title="QR code of the reset link"
        ),
    }
    return render(request, "clinic/reset_link.html", context)


# --- session notes ------------------------------------------------------------------------


@staff_required
def session_note(request: HttpRequest, case_id: int, note_id: int | None = None) -> HttpResponse:
    """Write a new note, or edit or sign a draft; a signed note shows with its addenda."""
    case = policy.get_clinician_case_for(request.user, case_id)
    note = None
    if note_id is not None:
        note = SessionNote.objects.filter(pk=note_id, case=case).select_related("author").first()
        if note is None:
            raise Http404("No such note.")
        actions.record_clinical_read(request.user, case, "session_note", 1)
    initial = {"session_date": timezone.localdate()}
    if note is not None:
        initial = {
            "session_date": note.session_date,
            "data": note.data,
            "assessment": note.assessment,
            "plan": note.plan,
        }
    form = SessionNoteForm(request.POST or None, initial=initial)
    addendum_form = AddendumForm()
    note_error = ""
    if request.method == "POST":
        if note is not None and note.is_signed:
            # Refused with a reason (the note exists and this clinician may read it).
            note_error = "This note is signed and can't change. Add an addendum instead."
        elif form.is_valid():
            try:
                note = clinic_actions.save_note(
                    request.user,
                    case,
                    note=note,
                    sign="sign" in request.POST,
                    **form.cleaned_data,
                )
            except actions.ActionError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, "Note signed." if note.is_signed else "Draft saved.")
                return redirect("session_note", case_id=case.pk, note_id=note.pk)
    context = {
        "case": case,
        "note": note,
        "form": form,
        "addendum_form": addendum_form,
        "addenda": list(note.addenda.select_related("author")) if note else [],
        "note_error": note_error,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "clinic/session_note.html", context, status=status)


@require_POST
@staff_required
def add_addendum(request: HttpRequest, case_id: int, note_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    note = SessionNote.objects.filter(pk=note_id, case=case).first()
    if note is None:
        raise Http404("No such note.")
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            clinic_actions.add_addendum(request.user, note, form.cleaned_data["body"])
        except actions.ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Addendum added.")
            return redirect("session_note", case_id=case.pk, note_id=note.pk)
    note_form = SessionNoteForm(
        initial={
            "session_date": note.session_date,
            "data": note.data,
            "assessment": note.assessment,
            "plan": note.plan,
        }
    )
    context = {
        "case": case,
        "note": note,
        "form": note_form,
        "addendum_form": form,
        "addenda": list(note.addenda.select_related("author")),
        # A draft shows its own form, not the addendum form: say why nothing was added.
        "note_error": "" if note.is_signed else "This note is still a draft: edit it directly.",
    }
    return render(request, "clinic/session_note.html", context, status=400)


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
    events = AuditEvent.objects.filter(practice=the_practice)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            events = audit.of_kind(events, data["kind"])
        if data["action"]:
            events = audit.with_action_prefix(events, data["action"].strip())
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
    page = Paginator(audit.for_admin(events), 50).get_page(request.GET.get("page"))
    page.object_list = audit.admin_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"practice": the_practice, "form": form, "page": page, "query": query.urlencode()}
    template = "clinic/audit_log.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#audit-table"
    return render(request, template, context)
