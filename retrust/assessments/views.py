"""Partners' check-ins and the clinician's measures page."""

from __future__ import annotations

import contextlib
import uuid
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from retrust.assessments import actions, registry
from retrust.assessments.chart import Series, trajectory_svg
from retrust.assessments.definitions import Instrument
from retrust.assessments.forms import ScheduleForm
from retrust.assessments.models import (
    MeasureResponse,
    MeasureSchedule,
    ResponseStatus,
    TotalsSharing,
)
from retrust.assessments.queries import due_for, item_answers, revealed_together
from retrust.assessments.reliable_change import NO_FIGURE, classify
from retrust.core import policy
from retrust.core.actions import ActionError, record_clinical_read
from retrust.core.decorators import staff_required
from retrust.core.models import CaseMember
from retrust.safety.queries import resources_for

# --- partners --------------------------------------------------------------------------------


def _score_range(instrument: Instrument, scale: Any) -> tuple[float, float]:
    """Lowest and highest possible score of a scale, for a chart's y axis (points)."""
    lows, highs = [], []
    for link_id in instrument.scale_items(scale):
        values = [o.value for o in instrument.options_for(link_id) if isinstance(o.value, int)]
        lows.append(min(values))
        highs.append(max(values))
    if not lows:
        return 0, 1
    if scale.method == "sum":
        return sum(lows), sum(highs)
    return min(lows), max(highs)


def _partner_schedule(user: Any, schedule_id: int) -> MeasureSchedule:
    """A schedule in one of this partner's cases; 404 for everyone else."""
    schedule = (
        MeasureSchedule.objects.filter(
            pk=schedule_id, case__in=policy.partner_cases_for(user), ended_at__isnull=True
        )
        .select_related("case")
        .first()
    )
    if schedule is None or registry.get(schedule.instrument_id) is None:
        raise Http404("No such check-in.")
    return schedule


@login_required
def my_checkins(request: HttpRequest) -> HttpResponse:
    user = request.user
    if policy.is_practice_staff(user) and not policy.partner_cases_for(user).exists():
        # Clinicians and admins have their own start pages.
        return redirect("home")
    history = list(
        MeasureResponse.objects.visible_to(user)
        .filter(author=user, status=ResponseStatus.SUBMITTED)
        .order_by("instrument_id", "submitted_at", "id")
    )
    by_instrument: dict[str, list[MeasureResponse]] = defaultdict(list)
    for response in history:
        by_instrument[response.instrument_id].append(response)
    mine = []
    for instrument_id, responses in by_instrument.items():
        instrument = registry.get(instrument_id)
        if instrument is None or not instrument.scales:
            continue
        scale = instrument.scales[0]
        latest = responses[-1]
        meaning = next((b.meaning for b in scale.bands if b.label == latest.band), "")
        low, high = _score_range(instrument, scale)
        svg = trajectory_svg(
            f"Your {instrument.short_title} over time",
            [Series("You", [(f"{r.submitted_at:%d %b}", r.total) for r in responses])],
            low=low,
            high=high,
            bands=[(b.min, b.max, b.label) for b in scale.bands],
            element_id=f"mine-{instrument.id}",
        )
        mine.append(
            {
                "svg": mark_safe(svg),  # noqa: S308 - numbers and escaped text only
                "instrument": instrument,
                "scale": scale,
                "responses": responses,
                "latest": latest,
                "meaning": meaning,
            }
        )
    context = {"due": due_for(user), "mine": mine, "shared": revealed_together(user, history)}
    return render(request, "assessments/my_checkins.html", context)


def _answers_from_post(instrument: Instrument, data: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in instrument.items:
        if item.type == "multi":
            answers[item.linkId] = data.getlist(item.linkId)
        elif item.type == "text":
            answers[item.linkId] = data.get(item.linkId, "").strip()
        else:
            raw = data.get(item.linkId, "")
            if raw == "":
                continue
            try:
                answers[item.linkId] = int(raw)
            except ValueError:
                answers[item.linkId] = raw
    return answers


def _form_items(instrument: Instrument, answers: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for number, item in enumerate(instrument.items, start=1):
        chosen = answers.get(item.linkId)
        options = [
            {
                "value": option.value,
                "label": option.label,
                "checked": option.value == chosen
                or (isinstance(chosen, list) and option.value in chosen),
            }
            for option in (instrument.options_for(item.linkId) if item.type != "text" else [])
        ]
        rows.append(
            {
                "item": item,
                "number": number,
                "options": options,
                "text": chosen if item.type == "text" else "",
            }
        )
    return rows


@login_required
def answer_checkin(request: HttpRequest, schedule_id: int) -> HttpResponse:
    user: Any = request.user
    schedule = _partner_schedule(user, schedule_id)
    instrument = registry.get(schedule.instrument_id)
    assert instrument is not None
    round_ = actions.current_round(schedule)
    draft = None
    if round_ is not None:
        draft = (
            MeasureResponse.objects.visible_to(user)
            .filter(
                author=user,
                schedule=schedule,
                round_key=round_.key,
                status=ResponseStatus.DRAFT,
            )
            .first()
        )
    already = None
    if round_ is not None and draft is None:
        already = (
            MeasureResponse.objects.visible_to(user)
            .filter(
                author=user,
                schedule=schedule,
                round_key=round_.key,
                status=ResponseStatus.SUBMITTED,
            )
            .first()
        )
    source = draft or already
    answers: dict[str, Any] = dict(source.answers) if source else {}
    error: ActionError | None = None
    status = 200
    submission_key = request.POST.get("submission_key") or uuid.uuid4().hex
    if request.method == "POST":
        answers = _answers_from_post(instrument, request.POST)
        try:
            if request.POST.get("action") == "save":
                actions.save_draft(user, schedule, answers)
                messages.info(request, "Saved. You can come back and finish any time.")
                return redirect("my_checkins")
            submitted = actions.submit_response(
                user, schedule, answers, submission_key=submission_key
            )
        except ActionError as exc:
            error = exc
            status = 400
            # Keep what they typed: a failed submit still saves the draft when it can.
            with contextlib.suppress(ActionError):
                actions.save_draft(user, schedule, answers)
        else:
            return redirect("checkin_done", response_id=submitted.response.pk)
    context = {
        "resources": resources_for(user) if instrument.touches_mood_or_safety else [],
        "schedule": schedule,
        "instrument": instrument,
        "round": round_,
        "items": _form_items(instrument, answers),
        "error": error,
        "already": already,
        "submission_key": submission_key,
    }
    return render(request, "assessments/answer.html", context, status=status)


@require_POST
@login_required
def save_checkin_draft(request: HttpRequest, schedule_id: int) -> HttpResponse:
    """Autosave target (htmx): answers so far, as a draft; replies with a short status line."""
    user: Any = request.user
    schedule = _partner_schedule(user, schedule_id)
    instrument = registry.get(schedule.instrument_id)
    assert instrument is not None
    try:
        actions.save_draft(user, schedule, _answers_from_post(instrument, request.POST))
    except OperationalError:
        # The database was busy (e.g. SQLite while the same person's submit is being written):
        # say so; the answers stay on the page and the next change saves them.
        return render(
            request,
            "assessments/answer.html#draft-status",
            {"draft_error": "the server was busy. Your answers are still here."},
        )
    except ActionError as exc:
        return render(
            request,
            "assessments/answer.html#draft-status",
            {"draft_error": exc.message},
            status=400,
        )
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("answer_checkin", schedule_id=schedule.pk)
    return render(
        request, "assessments/answer.html#draft-status", {"draft_saved_at": timezone.localtime()}
    )


@login_required
def checkin_done(request: HttpRequest, response_id: int) -> HttpResponse:
    user: Any = request.user
    response = (
        MeasureResponse.objects.visible_to(user)
        .filter(pk=response_id, author=user)
        .exclude(status=ResponseStatus.DRAFT)
        .first()
    )
    if response is None:
        raise Http404("No such check-in.")
    instrument = registry.get(response.instrument_id)
    flagged = actions._fires_alert(instrument, response.answers)
    context = {
        "response": response,
        "instrument": instrument,
        "flagged": flagged,
        "resources": resources_for(user) if flagged else [],
    }
    return render(request, "assessments/done.html", context)


# --- clinicians ------------------------------------------------------------------------------


def _trajectory(
    instrument: Instrument, partners: list[CaseMember], responses: list[MeasureResponse]
) -> dict[str, Any]:
    scale = instrument.scales[0] if instrument.scales else None
    by_author: dict[int, list[MeasureResponse]] = defaultdict(list)
    for response in responses:
        by_author[response.author_id].append(response)
    columns = []
    for member in partners:
        own = by_author.get(member.user_id, [])
        baseline = next((r for r in own if r.total is not None), None)
        latest = own[-1] if own else None
        change = None
        if (
            scale is not None
            and baseline is not None
            and latest is not None
            and latest.pk != baseline.pk
            and latest.total is not None
        ):
            change = classify(scale, baseline.total, latest.total)  # type: ignore[arg-type]
        columns.append(
            {
                "item_answers": item_answers(instrument, latest.answers) if latest else [],
                "member": member,
                "responses": own,
                "latest": latest,
                "baseline": baseline,
                "change": change,
            }
        )
    latest_totals = [
        c["latest"].total for c in columns if c["latest"] and c["latest"].total is not None
    ]
    gap = abs(latest_totals[0] - latest_totals[1]) if len(latest_totals) == 2 else None
    svg = ""
    if scale is not None:
        low, high = _score_range(instrument, scale)
        svg = trajectory_svg(
            f"{instrument.short_title} over time for both partners",
            [
                Series(
                    name=c["member"].user.name,
                    points=[(f"{r.submitted_at:%d %b}", r.total) for r in c["responses"]],
                )
                for c in columns
            ],
            low=low,
            high=high,
            bands=[(b.min, b.max, b.label) for b in scale.bands],
            element_id=f"chart-{instrument.id}",
        )
    rows = []
    longest = max((len(c["responses"]) for c in columns), default=0)
    for index in range(longest):
        rows.append(
            [c["responses"][index] if index < len(c["responses"]) else None for c in columns]
        )
    return {
        "instrument": instrument,
        "scale": scale,
        "columns": columns,
        "gap": gap,
        "svg": mark_safe(svg),  # noqa: S308 - built from numbers and escaped names only
        "rows": rows,
        "items": instrument.items,
    }


@staff_required
def case_measures(request: HttpRequest, case_id: int) -> HttpResponse:
    user: Any = request.user
    case = policy.get_clinician_case_for(user, case_id)
    form = ScheduleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                schedule, created = actions.schedule_measure(
                    user,
                    case,
                    instrument_id=data["instrument_id"],
                    kind=data["kind"],
                    starts_on=data["starts_on"],
                    every_weeks=data["every_weeks"],
                    next_session_on=data["next_session_on"],
                )
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                instrument = registry.get(schedule.instrument_id)
                title = instrument.short_title if instrument else schedule.instrument_id
                if created:
                    messages.success(request, f"{title} scheduled for both partners.")
                else:
                    messages.info(request, f"{title} was already scheduled; nothing changed.")
                return redirect("case_measures", case_id=case.pk)
    today = timezone.localdate()
    partners = list(CaseMember.objects.filter(case=case).select_related("user").order_by("role"))
    schedules = list(MeasureSchedule.objects.filter(case=case, ended_at__isnull=True))
    responses = list(
        MeasureResponse.objects.visible_to(user)
        .filter(case=case, status=ResponseStatus.SUBMITTED)
        .order_by("submitted_at", "id")
    )
    if responses:
        record_clinical_read(user, case, "measure_responses", len(responses))
    answered = {(r.schedule_id, r.author_id, r.round_key) for r in responses}
    schedule_rows = []
    for schedule in schedules:
        instrument = registry.get(schedule.instrument_id)
        round_ = actions.current_round(schedule, today)
        waiting = []
        if round_ is not None:
            waiting = [
                {"member": m, "overdue": round_.overdue(today)}
                for m in partners
                if (schedule.pk, m.user_id, round_.key) not in answered
            ]
        schedule_rows.append(
            {"schedule": schedule, "instrument": instrument, "round": round_, "waiting": waiting}
        )
    by_instrument: dict[str, list[MeasureResponse]] = defaultdict(list)
    for response in responses:
        by_instrument[response.instrument_id].append(response)
    trajectories = []
    for instrument_id in sorted(by_instrument):
        instrument = registry.get(instrument_id)
        if instrument is not None:
            trajectories.append(_trajectory(instrument, partners, by_instrument[instrument_id]))
    sharing = TotalsSharing.objects.filter(case=case).first()
    context = {
        "case": case,
        "sharing_on": bool(sharing and sharing.enabled),
        "form": form,
        "schedules": schedule_rows,
        "trajectories": trajectories,
        "partners": partners,
        "no_figure": NO_FIGURE,
    }
    return render(request, "assessments/case_measures.html", context, status=status)


@require_POST
@staff_required
def end_measure(request: HttpRequest, case_id: int, schedule_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    schedule = MeasureSchedule.objects.filter(pk=schedule_id, case=case).first()
    if schedule is None:
        raise Http404("No such measure.")
    actions.end_schedule(request.user, schedule)  # type: ignore[arg-type]
    messages.success(request, "Stopped. Earlier answers stay on this page.")
    return redirect("case_measures", case_id=case.pk)


@require_POST
@staff_required
def totals_sharing(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_clinician_case_for(request.user, case_id)
    enabled = request.POST.get("enabled") == "on"
    actions.set_totals_sharing(request.user, case, enabled)  # type: ignore[arg-type]
    if enabled:
        messages.success(request, "Partners now see each other's totals once both have answered.")
    else:
        messages.success(request, "Partners no longer see each other's totals.")
    return redirect("case_measures", case_id=case.pk)
