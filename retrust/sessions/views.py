"""Session pages: thin — fetch through policy and queries, change through actions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.core import policy
from retrust.core.decorators import case_view, staff_required
from retrust.core.exceptions import ActionError
from retrust.core.policy import CaseAccess
from retrust.core.submission import submit
from retrust.sessions import actions, ics, queries, video
from retrust.sessions.forms import (
    BookForm,
    DayOffForm,
    FeedForm,
    HoursForm,
    MoveForm,
    OutcomeForm,
    SessionSettingsForm,
    VideoLinkForm,
)
from retrust.sessions.models import (
    CalendarFeed,
    DayOff,
    Location,
    Status,
    VideoLink,
    WeeklyHours,
    hash_feed_token,
    settings_for,
)

CALENDAR = "text/calendar; charset=utf-8"


def _clinician_only(request: HttpRequest) -> None:
    if not policy.is_clinician(request.user):
        raise Http404("No such page.")


# --- partners ------------------------------------------------------------------------------


@login_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    if not policy.member_case_ids(request.user).exists():
        raise Http404("No such page.")
    context = queries.partner_page(request.user)
    return render(request, "sessions/my_sessions.html", context)


@login_required
def download(request: HttpRequest, appointment_id: int) -> HttpResponse:
    _, appointment = queries.appointment_for(request.user, appointment_id)
    response = HttpResponse(ics.download(appointment), content_type=CALENDAR)
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


def _back(request: HttpRequest, access: CaseAccess) -> str:
    if access.is_clinician and not access.is_partner:
        return reverse("sessions:week")
    return reverse("sessions:mine")


@require_POST
@login_required
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    access, appointment = queries.appointment_for(request.user, appointment_id)
    return _one_step(
        request,
        access,
        lambda: actions.cancel(request.user, appointment),
        "The session is cancelled. Everyone taking part gets a calendar update.",
    )


@require_POST
@login_required
def ask_change(request: HttpRequest, appointment_id: int) -> HttpResponse:
    access, appointment = queries.appointment_for(request.user, appointment_id)
    if not access.is_partner:
        raise Http404("No such session.")
    return _one_step(
        request,
        access,
        lambda: actions.request_change(request.user, appointment),
        "Your clinician can see that you would like another time and will be in touch.",
    )


def _one_step(request: HttpRequest, access: CaseAccess, step: Any, done: str) -> HttpResponse:
    """A button with no fields: run it, say how it went, go back."""
    from django.contrib import messages

    try:
        step()
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request, access))
    messages.success(request, done)
    return redirect(_back(request, access))


def _permissions_for_devices(response: HttpResponse) -> HttpResponse:
    """The waiting page checks the camera and microphone, so it allows them for this site."""
    response["Permissions-Policy"] = (
        "accelerometer=(), camera=(self), display-capture=(), geolocation=(), gyroscope=(), "
        "magnetometer=(), microphone=(self), midi=(), payment=(), usb=()"
    )
    return response


@login_required
def waiting(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Before the room: a device check, and the join step once the room is open."""
    access, appointment = queries.appointment_for(request.user, appointment_id)
    now = timezone.now()
    zone = actions.zone_for(request.user, appointment.case.practice_id)
    problem = ""
    if request.method == "POST":
        try:
            return redirect(actions.join_url(request.user, appointment, now))
        except ActionError as exc:
            problem = exc.message
    seen = queries.seen_by(
        appointment, request.user, zone, now, as_clinician=access.is_clinician, notice=timedelta(0)
    )
    response = render(
        request,
        "sessions/waiting.html",
        {
            "seen": seen,
            "appointment": appointment,
            "is_clinician": access.is_clinician and not access.is_partner,
            "problem": problem,
            "video": appointment.location == Location.VIDEO,
        },
        status=409 if problem else 200,
    )
    origin = video.room_origin(appointment) if seen.can_join else ""
    if origin:
        # The join form's answer is a redirect to the room: allow that one site for it.
        response._csp_update = {"form-action": [origin]}  # type: ignore[attr-defined]
    return _permissions_for_devices(response)


# --- clinicians ----------------------------------------------------------------------------


def _week_start(request: HttpRequest) -> date:
    raw = request.GET.get("week", "")
    try:
        day = date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return queries.week_of(day)


@staff_required
def week(request: HttpRequest) -> HttpResponse:
    _clinician_only(request)
    first = _week_start(request)
    context = queries.clinician_week(request.user, first)
    context.update(
        {
            "first": first,
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
            "outcome_form": OutcomeForm(),
        }
    )
    return render(request, "sessions/week.html", context)


@require_POST
@staff_required
def outcome(request: HttpRequest, appointment_id: int) -> HttpResponse:
    access, appointment = queries.appointment_for(request.user, appointment_id)
    if not access.is_clinician:
        raise Http404("No such session.")
    form = OutcomeForm(request.POST)
    attended = form.is_valid() and form.cleaned_data["outcome"] == "attended"
    return _one_step(
        request,
        access,
        lambda: actions.record_outcome(request.user, appointment, attended=attended),
        "Recorded as attended." if attended else "Recorded as missed.",
    )


# At most this many free times are offered on the booking page.
SLOTS_SHOWN = 120


def _slot_choices(
    request: HttpRequest, access: CaseAccess, minutes: int | None = None
) -> list[tuple[str, str]]:
    zone = settings_for(access.case.practice_id).zone
    found = actions.free_slots(
        request.user, access.case.practice, days=actions.HORIZON_DAYS, minutes=minutes
    )
    return [
        (start.isoformat(), f"{start.astimezone(zone):%A %-d %B|%H:%M}")
        for start in found[:SLOTS_SHOWN]
    ]


def _slot_days(slots: list[tuple[str, str]], chosen: str) -> list[dict[str, Any]]:
    """The free times grouped by day, for the booking page's radio buttons."""
    days: list[dict[str, Any]] = []
    for number, (value, label) in enumerate(slots):
        day, at = label.split("|")
        if not days or days[-1]["day"] != day:
            days.append({"day": day, "times": []})
        days[-1]["times"].append(
            {"value": value, "at": at, "id": f"slot-{number}", "checked": value == chosen}
        )
    return days


@case_view(as_=policy.CLINICIAN)
def book(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    partners = [(m.user_id, m.user.name) for m in access.case.members.select_related("user")]
    slots = _slot_choices(request, access)
    zone = settings_for(access.case.practice_id).zone

    def page(form: forms.BaseForm, status: int = 200) -> HttpResponse:
        chosen = str(form["start"].value() or "")
        return render(
            request,
            "sessions/book.html",
            {
                "case": access.case,
                "form": form,
                "slots": slots,
                "slot_days": _slot_days(slots, chosen),
                "zone": str(zone),
                "can_book": access.can_act_as_clinician,
                "held": access.held,
            },
            status=status,
        )

    if request.method != "POST":
        return page(BookForm(slots=slots, partners=partners))
    return submit(
        request,
        BookForm(request.POST, slots=slots, partners=partners),
        lambda data: actions.book(
            request.user,
            access.case,
            start=data["start"],
            kind=data["kind"],
            location=data["location"],
            partner=data["partner"],
            key=data["key"] or None,
        ),
        done=lambda appointment: redirect(
            f"{reverse('sessions:week')}?week={appointment.start.astimezone(zone).date()}"
        ),
        again=page,
        message="Booked. Everyone taking part gets a calendar invitation by email.",
    )


@staff_required
def move(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The clinician moves a booked session to another free time."""
    access, appointment = queries.appointment_for(request.user, appointment_id)
    if not access.is_clinician or appointment.status not in (Status.BOOKED, Status.PROPOSED):
        raise Http404("No such session.")
    slots = _slot_choices(request, access, minutes=appointment.minutes)
    zone = settings_for(access.case.practice_id).zone

    def page(form: forms.BaseForm, status: int = 200) -> HttpResponse:
        seen = queries.seen_by(
            appointment, request.user, zone, timezone.now(), as_clinician=True, notice=timedelta(0)
        )
        chosen = str(form["start"].value() or "")
        context = {
            "appointment": appointment,
            "seen": seen,
            "form": form,
            "slots": slots,
            "slot_days": _slot_days(slots, chosen),
            "zone": str(zone),
        }
        return render(request, "sessions/move.html", context, status=status)

    if request.method != "POST":
        return page(MoveForm(slots=slots))
    return submit(
        request,
        MoveForm(request.POST, slots=slots),
        lambda data: actions.reschedule(request.user, appointment, start=data["start"]),
        done=lambda moved: redirect(
            f"{reverse('sessions:week')}?week={moved.start.astimezone(zone).date()}"
        ),
        again=page,
        message="Moved. Everyone taking part gets an updated calendar invitation.",
    )


@staff_required
def availability(request: HttpRequest) -> HttpResponse:
    _clinician_only(request)
    user = request.user
    practice = policy.clinician_practice_for(user)
    hours = {h.weekday: h for h in WeeklyHours.objects.filter(clinician=user, practice=practice)}
    initial: dict[str, Any] = {}
    for weekday, block in hours.items():
        initial[f"start_{weekday}"] = block.start
        initial[f"end_{weekday}"] = block.end
    link = VideoLink.objects.filter(clinician=user).first()
    hours_form: forms.BaseForm = HoursForm(initial=initial)
    day_form: forms.BaseForm = DayOffForm()
    link_form: forms.BaseForm = VideoLinkForm(initial={"video_link": link.url if link else ""})
    here = reverse("sessions:availability")

    def page(status: int = 200) -> HttpResponse:
        return render(
            request,
            "sessions/availability.html",
            {
                "hours_form": hours_form,
                "day_form": day_form,
                "link_form": link_form,
                "days_off": DayOff.objects.filter(
                    clinician=user, practice=practice, day__gte=timezone.localdate()
                ),
                "zone": str(settings_for(practice).zone),
                "jitsi": video.jitsi_configured(),
            },
            status=status,
        )

    if request.method != "POST":
        return page()
    which = request.POST.get("form")
    if which == "hours":
        hours_form = HoursForm(request.POST)

        def again(form: forms.BaseForm, status: int) -> HttpResponse:
            return page(status)

        return submit(
            request,
            hours_form,
            lambda data: actions.set_weekly_hours(user, practice, hours_form.blocks()),  # type: ignore[attr-defined]
            done=here,
            again=again,
            message="Your weekly hours are saved.",
        )
    if which == "day":
        day_form = DayOffForm(request.POST)
        return submit(
            request,
            day_form,
            lambda data: actions.add_day_off(
                user, practice, day=data["day"], start=data["start"], end=data["end"]
            ),
            done=here,
            again=lambda form, status: page(status),
            message="That day is saved.",
        )
    if which == "link":
        link_form = VideoLinkForm(request.POST)
        return submit(
            request,
            link_form,
            lambda data: actions.set_video_link(user, data["video_link"]),
            done=here,
            again=lambda form, status: page(status),
            message="Your video link is saved.",
        )
    return page(400)


@require_POST
@staff_required
def remove_day_off(request: HttpRequest, day_off_id: int) -> HttpResponse:
    found = DayOff.objects.filter(pk=day_off_id, clinician=request.user).first()
    if found is None:
        raise Http404("No such day.")
    actions.remove_day_off(request.user, found)
    return redirect("sessions:availability")


# --- practice admin ------------------------------------------------------------------------


@staff_required
def practice_sessions(request: HttpRequest) -> HttpResponse:
    """The admin's session settings, and booked times — times only, nothing clinical."""
    if not policy.is_practice_admin(request.user):
        raise Http404("No such page.")
    practice = policy.administered_practice_for(request.user)
    rules = settings_for(practice)
    form: forms.BaseForm = SessionSettingsForm(
        initial={
            "time_zone": rules.time_zone,
            "notice_hours": rules.notice_hours,
            "default_minutes": rules.default_minutes,
        }
    )

    def page(form: forms.BaseForm, status: int = 200) -> HttpResponse:
        from retrust.sessions.models import Appointment

        booked = (
            Appointment.objects.filter(
                case__practice=practice, status=Status.BOOKED, start__gte=timezone.now()
            )
            .select_related("clinician")
            .order_by("start")[:100]
        )
        zone = rules.zone
        times = [
            {
                "clinician": a.clinician.name,
                "start": queries.wall(a.start, zone),
                "minutes": a.minutes,
            }
            for a in booked
        ]
        return render(
            request,
            "sessions/practice.html",
            {"form": form, "times": times, "zone": str(zone)},
            status=status,
        )

    if request.method != "POST":
        return page(form)
    return submit(
        request,
        SessionSettingsForm(request.POST),
        lambda data: actions.update_session_settings(request.user, practice, **data),
        done=reverse("sessions:practice"),
        again=page,
        message="Session settings saved.",
    )


# --- calendar feeds ------------------------------------------------------------------------


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    """Make, replace or stop a private calendar feed (partners opt in; clinicians too)."""
    user = request.user
    if not (policy.is_clinician(user) or policy.member_case_ids(user).exists()):
        raise Http404("No such page.")
    new_url = ""
    if request.method == "POST":
        form = FeedForm(request.POST)
        if form.is_valid() and form.cleaned_data["do"] == "make":
            token = actions.make_feed(user)
            new_url = request.build_absolute_uri(reverse("sessions:feed", args=[token]))
        elif form.is_valid():
            actions.revoke_feed(user)
            from django.contrib import messages

            messages.success(request, "The feed address no longer works.")
            return redirect("sessions:feed_settings")
    response = render(
        request,
        "sessions/feed_settings.html",
        {"has_feed": CalendarFeed.objects.filter(user=user).exists(), "new_url": new_url},
    )
    # The new address is shown once; keep it out of any cache.
    response["Cache-Control"] = "no-store"
    return response


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret feed address: no sign-in (calendar apps cannot), 404 for a wrong token."""
    found = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_feed_token(token), user__is_active=True)
        .first()
    )
    if found is None:
        raise Http404("No such feed.")
    CalendarFeed.objects.filter(pk=found.pk).update(last_read_at=timezone.now())
    user = found.user
    since = timezone.now() - timedelta(days=30)
    if policy.is_clinician(user):
        items = queries.for_clinician(user).filter(start__gte=since)
    else:
        items = queries.for_partner(user).filter(start__gte=since)
    response = HttpResponse(ics.feed(items.order_by("start")), content_type=CALENDAR)
    response["Cache-Control"] = "private, no-store"
    return response
