"""The clinician's workspace and the practice admin's pages.

A page about one case is a ``@case_view(as_=policy.CLINICIAN)``: the access object is the way
into the case, every read of clinical content goes through it (which writes the clinical-read
audit), and every form goes through ``submit``. The buttons and forms on the case page come
from the same rules the actions enforce (``access.can_act_as_clinician``, the status table, the
pause). Pages about the practice as a whole (caseload, practice settings) keep role checks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
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
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.assessments import registry
from retrust.assessments.models import MeasureResponse, ResponseStatus
from retrust.assessments.queries import item_answers
from retrust.assessments.summary import measures_for_cases
from retrust.clinic import actions as clinic_actions
from retrust.clinic import case_status
from retrust.clinic.forms import (
    AddendumForm,
    PauseWordingForm,
    SessionNoteForm,
    StatusForm,
    TrackForm,
)
from retrust.clinic.models import CaseStatusChange, SessionNote, TrackChange
from retrust.core import actions, audit, links, messaging, pause, policy
from retrust.core import registry as core_registry
from retrust.core.decorators import case_view, staff_required
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
from retrust.core.policy import CaseAccess
from retrust.core.submission import submit
from retrust.safety import actions as safety
from retrust.safety import screen as screen_module
from retrust.safety.forms import (
    AcknowledgeForm,
    IndividualSessionForm,
    LiftPauseForm,
    MoveToIndividualForm,
)
from retrust.safety.models import Alert, CasePause, SafetyScreen
from retrust.safety.queries import shown_pause_wording

# What the case page's clinical reads are recorded as (once per request).
CASE_VIEW = "case_view"
SESSION_NOTE = "session_note"

CASELOAD_SORTS: dict[str, tuple[tuple[str, ...], str]] = {
    "attention": (("-paused", "-open_high", "-open_other", "-updated_at"), "Needs attention"),
    "recent": (("-updated_at",), "Recently updated"),
    "name": (("label",), "Name"),
    "status": (("status",), "Status"),
    "opened": (("-created_at",), "Newest first"),
}

Again = Callable[[forms.BaseForm, int], HttpResponse]


def _base_url(request: HttpRequest) -> str:
    return links.base_url(request)


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


CASELOAD_PAGE = 50


@staff_required
def caseload(request: HttpRequest) -> HttpResponse:
    practice = policy.clinician_practice_for(request.user)
    status = request.GET.get("status", "")
    track = request.GET.get("track", "")
    sort = request.GET.get("sort", "attention")
    chosen = policy.caseload_for(request.user)
    if status in CaseStatus.values:
        chosen = chosen.filter(status=status)
    if track in Track.values:
        chosen = chosen.filter(track=track)
    cases = chosen.prefetch_related(
        Prefetch("members", queryset=CaseMember.objects.select_related("user")),
    ).annotate(
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
    ordered = cases.order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["attention"])[0], "id")
    # 50 rows a page; the measures are computed for the rows shown only.
    paginator = Paginator(ordered, CASELOAD_PAGE)
    # Counted without the alert and invitation joins the sort needs (Django keeps aggregate
    # annotations in a count).
    paginator.count = chosen.count()
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    _attach_measures(shown)
    filters = {key: value for key, value in (("status", status), ("track", track)) if value}
    if sort != "attention" and sort in CASELOAD_SORTS:
        filters["sort"] = sort
    context = {
        "practice": practice,
        "cases": shown,
        "page": page,
        "query": urlencode(filters),
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

    def page(form: forms.BaseForm, status: int = 200) -> HttpResponse:
        return render(request, "clinic/new_case.html", {"form": form}, status=status)

    if request.method != "POST":
        return page(form)
    return submit(
        request,
        form,
        lambda data: actions.create_case(
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
        ),
        done=lambda case: redirect("case_detail", case_id=case.pk),
        again=page,
        message="Case opened. The invitations are on their way.",
    )


# --- the case page ---------------------------------------------------------------------------


def _pause_now(access: CaseAccess, members: list[CaseMember]) -> dict[str, Any] | None:
    """Who sees what about the pause right now, for the clinician's explanation."""
    case = access.case
    if case.paused_since is None:
        return None
    held = next((m.user for m in members if m.user_id == case.pause_held_for_id), None)
    return {
        "shown": case.pause_shown_at is not None,
        "held": held,
        "others": [m.user for m in members if m.user_id != case.pause_held_for_id],
        "held_message": pause.HELD_MESSAGE,
        "shown_message": shown_pause_wording(case.practice),
    }


def _case_page_context(request: HttpRequest, access: CaseAccess) -> dict[str, object]:
    """Everything the case view shows: a fixed number of queries whatever the case holds."""
    case = access.case
    members = list(case.members.select_related("user"))
    invitations = list(case.invitations.pending().order_by("role"))
    entries = list(
        access.read(JournalEntry.objects.select_related("author"), CASE_VIEW).order_by(
            "-created_at"
        )[:50]
    )
    # Safety answers are for the case's clinician, always: the access is the check; reading
    # them is a clinical read like the rest of the page.
    access.record_read(CASE_VIEW)
    screens = {}
    for screen_row in SafetyScreen.objects.filter(case=case).order_by("-created_at"):
        screens.setdefault(screen_row.respondent_id, screen_row)
    open_pause = CasePause.objects.filter(case=case, lifted_at__isnull=True).first()
    unseen = safety.partners_not_yet_seen(case, open_pause) if open_pause else []
    alerts = list(
        Alert.objects.filter(case=case)
        .select_related("partner", "acknowledged_by")
        .order_by(F("acknowledged_at").asc(nulls_first=True), "priority", "-created_at")[:30]
    )
    summary = measures_for_cases([case])[case.pk]
    intakes: dict[int, Any] = {}
    submitted_intakes = MeasureResponse.objects.filter(
        instrument_id="intake", status=ResponseStatus.SUBMITTED
    )
    for response in access.read(submitted_intakes, CASE_VIEW).order_by("-submitted_at", "-id"):
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
    clinicians = list(case.clinicians.all())
    # The timeline names people as the page does, from the rows it already read.
    names = {m.user_id: m.user.name for m in members} | {u.pk: u.name for u in clinicians}
    timeline = audit.case_timeline(case, request.GET.get("timeline"))
    can_act = access.can_act_as_clinician
    can_invite = can_act and len(members) + len(invitations) < 2
    status_moves = case_status.moves(case.status, case_status.Actor.CLINICIAN)
    # Each form shows only where its action would accept it (the same rules as the actions).
    show = {
        "ack_form": can_act,
        "session_form": can_act and open_pause is not None,
        "lift_form": can_act and open_pause is not None and not unseen,
        "frame_form": can_act and safety.awaiting_framing(case),
        "track_form": can_act,
        "status_form": bool(status_moves),
    }
    return {
        "case": case,
        "access": access,
        "can_act": can_act,
        "show": show,
        "partners": partners,
        "members": members,
        "invitations": invitations,
        "clinicians": clinicians,
        "entries": entries,
        "alerts": alerts,
        "pause": open_pause,
        "pause_now": _pause_now(access, members),
        "unseen": unseen,
        "notes": list(SessionNote.objects.filter(case=case).select_related("author")[:20]),
        "track_changes": list(
            TrackChange.objects.filter(case=case).select_related("changed_by")[:10]
        ),
        "status_changes": list(
            CaseStatusChange.objects.filter(case=case).select_related("changed_by")[:10]
        ),
        "timeline": timeline,
        "timeline_lines": audit.timeline_lines(timeline, names),
        "case_links": core_registry.CASE_LINKS,
        "checkins_due": summary.due,
        "checkins_overdue": summary.overdue,
        "invite_form": InvitePartnerForm() if can_invite else None,
        "ack_form": AcknowledgeForm(),
        "session_form": IndividualSessionForm(
            partners=[(m.user_id, m.user.name) for m in members],
            initial={"seen_on": timezone.localdate()},
        ),
        "lift_form": LiftPauseForm(),
        "frame_form": MoveToIndividualForm(),
        "track_form": TrackForm(initial={"track": case.track}),
        "status_form": StatusForm(status=case.status),
        # Blocks other apps register for this page (the next session, …).
        "case_panels": core_registry.case_panels_for(access),
    }


def _case_page(
    request: HttpRequest, access: CaseAccess, status: int = 200, **extra: object
) -> HttpResponse:
    context = _case_page_context(request, access)
    context.update(extra)
    return render(request, "clinic/case_detail.html", context, status=status)


def _on_case_page(request: HttpRequest, access: CaseAccess, name: str, **extra: object) -> Again:
    """Re-render the case page with the failing form in place and its refusal at the top.

    A form the page no longer shows (the state changed under it: the pause was lifted in
    another tab, the case was closed) has all its messages at the top instead.
    """

    def again(form: forms.BaseForm, status: int) -> HttpResponse:
        context = _case_page_context(request, access)
        context.update({name: form, "refused": form, **extra})
        context["refused_in_place"] = context["show"].get(name, False)  # type: ignore[attr-defined]
        return render(request, "clinic/case_detail.html", context, status=status)

    return again


def _case_url(access: CaseAccess) -> str:
    return reverse("case_detail", args=[access.case.pk])


@case_view(as_=policy.CLINICIAN)
def case_detail(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _case_page(request, access)


@require_POST
@case_view(as_=policy.CLINICIAN)
def acknowledge_alert(request: HttpRequest, access: CaseAccess, alert_id: int) -> HttpResponse:
    alert = Alert.objects.filter(pk=alert_id, case=access.case).first()
    if alert is None:
        raise Http404("No such alert.")
    return submit(
        request,
        AcknowledgeForm(request.POST),
        lambda data: safety.acknowledge_alert(request.user, alert, data["note"]),
        done=_case_url(access),
        again=_on_case_page(request, access, "ack_form", ack_alert_id=alert.pk),
        message="Alert acknowledged.",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def record_individual_session(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    members = {m.user_id: m.user for m in access.case.members.select_related("user")}
    form = IndividualSessionForm(
        request.POST, partners=[(uid, user.name) for uid, user in members.items()]
    )
    return submit(
        request,
        form,
        lambda data: safety.record_individual_session(
            request.user, access.case, members[data["partner"]], data["seen_on"]
        ),
        done=_case_url(access),
        again=_on_case_page(request, access, "session_form"),
        message="Individual session recorded.",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def move_to_individual_sessions(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return submit(
        request,
        MoveToIndividualForm(request.POST),
        lambda data: safety.move_to_individual_sessions(request.user, access.case),
        done=_case_url(access),
        again=_on_case_page(request, access, "frame_form"),
        message="Both partners now see that individual sessions come next.",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def lift_pause(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return submit(
        request,
        LiftPauseForm(request.POST),
        lambda data: safety.lift_pause(request.user, access.case, data["reason"]),
        done=_case_url(access),
        again=_on_case_page(request, access, "lift_form"),
        message="Shared work can resume.",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def switch_track(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return submit(
        request,
        TrackForm(request.POST),
        lambda data: clinic_actions.switch_track(
            request.user, access.case, data["track"], data["reason"]
        ),
        done=_case_url(access),
        again=_on_case_page(request, access, "track_form"),
        message="Track updated.",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def change_status(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return submit(
        request,
        StatusForm(request.POST, status=access.case.status),
        lambda data: clinic_actions.change_status(
            request.user, access.case, data["move"], data["reason"]
        ),
        done=_case_url(access),
        again=_on_case_page(request, access, "status_form"),
        message=lambda case: f"The case is now {case.get_status_display().lower()}.",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def messages_safe_again(request: HttpRequest, access: CaseAccess, user_id: int) -> HttpResponse:
    """With the partner in session: email is safe for them again, so retrust may send it."""
    case = access.case
    member = CaseMember.objects.filter(case=case, user_id=user_id).select_related("user").first()
    if member is None:
        raise Http404("No such partner.")
    actions.clear_messages_unsafe(request.user, case, member.user)  # type: ignore[arg-type]
    messages.success(
        request, f"retrust may email {member.user.name} again: invitations, resets, reminders."
    )
    return redirect("case_detail", case_id=case.pk)


@require_POST
@case_view(as_=policy.CLINICIAN)
def reset_link_in_session(request: HttpRequest, access: CaseAccess, user_id: int) -> HttpResponse:
    """A one-time password-reset link, shown on screen for a partner retrust may not email."""
    case = access.case
    member = CaseMember.objects.filter(case=case, user_id=user_id).select_related("user").first()
    if member is None:
        raise Http404("No such partner.")
    if messaging.may_email(member.user):
        # The button only shows for a partner retrust may not email; this is a stale page.
        messages.info(
            request, "retrust can email them a reset link; they can ask for one themselves."
        )
        return redirect("case_detail", case_id=case.pk)
    path = actions.issue_reset_link_in_session(request.user, case, member.user)  # type: ignore[arg-type]
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


def _note_of(access: CaseAccess, note_id: int) -> SessionNote:
    note = (
        SessionNote.objects.filter(pk=note_id, case=access.case)
        .select_related("author", "appointment")
        .first()
    )
    if note is None:
        raise Http404("No such note.")
    return note


def _note_sessions(access: CaseAccess) -> list[tuple[int, str]]:
    """The case's sessions that have started (newest first), for linking a note to one."""
    return [
        (a.pk, f"{a.start:%a %d %b %Y, %H:%M} ({a.get_kind_display().lower()})")
        for a in access.case.appointments.filter(start__lte=timezone.now())
        .exclude(status="cancelled")
        .order_by("-start")[:30]
    ]


def _note_initial(note: SessionNote | None, request: HttpRequest | None = None) -> dict[str, Any]:
    if note is None:
        linked = request.GET.get("appointment", "") if request is not None else ""
        return {
            "session_date": timezone.localdate(),
            "appointment": int(linked) if linked.isdigit() else None,
        }
    return {
        "appointment": note.appointment_id,
        "session_date": note.session_date,
        "data": note.data,
        "assessment": note.assessment,
        "plan": note.plan,
    }


def _note_page(
    request: HttpRequest,
    access: CaseAccess,
    note: SessionNote | None,
    *,
    form: forms.BaseForm | None = None,
    addendum_form: forms.BaseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if note is not None:
        access.record_read(SESSION_NOTE)
    context = {
        "case": access.case,
        "access": access,
        "can_act": access.can_act_as_clinician,
        "note": note,
        "form": form
        or SessionNoteForm(initial=_note_initial(note), appointments=_note_sessions(access)),
        "session": note.appointment if note is not None else None,
        "attendees": list(note.appointment.participants.all())
        if note is not None and note.appointment is not None
        else [],
        "addendum_form": addendum_form or AddendumForm(),
        "addenda": list(note.addenda.select_related("author")) if note else [],
    }
    return render(request, "clinic/session_note.html", context, status=status)


@case_view(as_=policy.CLINICIAN)
def session_note(
    request: HttpRequest, access: CaseAccess, note_id: int | None = None
) -> HttpResponse:
    """Write a new note, or edit or sign a draft; a signed note shows with its addenda."""
    note = _note_of(access, note_id) if note_id is not None else None
    form = SessionNoteForm(
        request.POST or None,
        initial=_note_initial(note, request),
        appointments=_note_sessions(access),
    )
    if request.method != "POST":
        return _note_page(request, access, note, form=form)
    return submit(
        request,
        form,
        lambda data: clinic_actions.save_note(
            request.user, access.case, note=note, sign="sign" in request.POST, **data
        ),
        done=lambda saved: redirect("session_note", case_id=access.case.pk, note_id=saved.pk),
        again=lambda form, status: _note_page(request, access, note, form=form, status=status),
        message=lambda saved: "Note signed." if saved.is_signed else "Draft saved.",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def add_addendum(request: HttpRequest, access: CaseAccess, note_id: int) -> HttpResponse:
    note = _note_of(access, note_id)
    return submit(
        request,
        AddendumForm(request.POST),
        lambda data: clinic_actions.add_addendum(request.user, note, data["body"]),
        done=reverse("session_note", args=[access.case.pk, note.pk]),
        again=lambda form, status: _note_page(
            request, access, note, addendum_form=form, status=status
        ),
        message="Addendum added.",
    )


# --- invitations from the case page ---------------------------------------------------------


@require_POST
@case_view(as_=policy.CLINICIAN)
def invite_partner(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    def sent(issued: actions.IssuedInvitation) -> HttpResponse:
        _say_invitation_sent(request, issued)
        return redirect("case_detail", case_id=access.case.pk)

    def again(form: forms.BaseForm, status: int) -> HttpResponse:
        context = {"case": access.case, "form": form}
        return render(request, "clinic/invite_partner.html", context, status=status)

    return submit(
        request,
        InvitePartnerForm(request.POST),
        lambda data: actions.invite_partner(
            request.user,  # type: ignore[arg-type]
            access.case,
            email=data["email"],
            display_name=data["display_name"],
            base_url=_base_url(request),
        ),
        done=sent,
        again=again,
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def withdraw_invitation(
    request: HttpRequest, access: CaseAccess, invitation_id: int
) -> HttpResponse:
    invitation = Invitation.objects.filter(pk=invitation_id, case=access.case).first()
    if invitation is None:
        raise Http404("No such invitation.")
    actions.withdraw_invitation(request.user, invitation)  # type: ignore[arg-type]
    messages.success(request, f"The invitation to {invitation.email} no longer works.")
    return redirect("case_detail", case_id=access.case.pk)


# --- practice admin -----------------------------------------------------------------------


def _practice_page(
    request: HttpRequest,
    the_practice: Any,
    *,
    form: forms.BaseForm | None = None,
    wording_form: forms.BaseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    memberships = ClinicianMembership.objects.filter(practice=the_practice).select_related("user")
    context = {
        "practice": the_practice,
        "memberships": memberships.order_by("user__email"),
        "invitations": Invitation.objects.pending().filter(practice=the_practice, case=None),
        "case_counts": the_practice.cases.values("status")
        .annotate(n=Count("id"))
        .order_by("status"),
        "form": form or InviteStaffForm(),
        "wording_form": wording_form
        or PauseWordingForm(initial={"wording": the_practice.pause_wording}),
        "shown_wording": shown_pause_wording(the_practice),
    }
    return render(request, "clinic/practice.html", context, status=status)


@staff_required
def practice(request: HttpRequest) -> HttpResponse:
    the_practice = policy.administered_practice_for(request.user)
    form = InviteStaffForm(request.POST or None)
    if request.method != "POST":
        return _practice_page(request, the_practice, form=form)

    def sent(issued: actions.IssuedInvitation) -> HttpResponse:
        _say_invitation_sent(request, issued)
        return redirect("practice")

    return submit(
        request,
        form,
        lambda data: actions.invite_staff(
            request.user,  # type: ignore[arg-type]
            the_practice,
            email=data["email"],
            display_name=data["display_name"],
            role=data["role"],
            base_url=_base_url(request),
        ),
        done=sent,
        again=lambda form, status: _practice_page(request, the_practice, form=form, status=status),
    )


@require_POST
@staff_required
def pause_wording(request: HttpRequest) -> HttpResponse:
    the_practice = policy.administered_practice_for(request.user)
    return submit(
        request,
        PauseWordingForm(request.POST),
        lambda data: clinic_actions.set_pause_wording(request.user, the_practice, data["wording"]),
        done=reverse("practice") + "#pause-wording",
        again=lambda form, status: _practice_page(
            request, the_practice, wording_form=form, status=status
        ),
        message="Saved. Partners read this wording whenever shared work rests from now on.",
    )


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
