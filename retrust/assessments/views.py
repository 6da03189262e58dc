"""Partners' check-ins and the clinician's measures page.

Every page resolves its access once (``case_view`` or the partner's own accesses in
``queries``), reads through ``queries`` and changes state through ``submit`` and an action.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from retrust.assessments import actions, queries, registry
from retrust.assessments.chart import Series, trajectory_svg
from retrust.assessments.definitions import Instrument
from retrust.assessments.forms import (
    AnswersForm,
    ConsentForm,
    EndMeasureForm,
    ScheduleForm,
    SuggestionForm,
)
from retrust.assessments.models import MeasureResponse, MeasureSchedule, ResponseStatus
from retrust.assessments.reliable_change import NO_FIGURE
from retrust.assessments.scoring import missing_required
from retrust.assessments.trajectories import score_range, trajectory
from retrust.core import policy
from retrust.core.decorators import case_view
from retrust.core.policy import CaseAccess
from retrust.core.submission import submit
from retrust.safety.queries import resources_for

# --- partners --------------------------------------------------------------------------------


def _crisis_items(instrument: Instrument | None, answers: dict[str, Any]) -> list[int]:
    """Question numbers whose answer met an alert rule (PHQ-9 item 9 above 0)."""
    if instrument is None or not actions.fires_alert(instrument, answers):
        return []
    numbers = {item.linkId: n for n, item in enumerate(instrument.items, start=1)}
    return sorted(
        numbers[rule.item]
        for rule in instrument.alerts
        if isinstance(answers.get(rule.item), int) and answers[rule.item] > rule.above
    )


def _my_scores(by_instrument: dict[str, list[MeasureResponse]]) -> list[dict[str, Any]]:
    mine = []
    for instrument_id, responses in sorted(by_instrument.items()):
        instrument = registry.get(instrument_id)
        if instrument is None or not instrument.scales:
            continue
        scale = instrument.scales[0]
        latest = responses[-1]
        meaning = next((b.meaning for b in scale.bands if b.label == latest.band), "")
        low, high = score_range(instrument, scale)
        svg = trajectory_svg(
            f"Your {instrument.short_title} over time",
            [Series("You", [(timezone.localdate(r.submitted_at), r.total) for r in responses])],
            low=low,
            high=high,
            bands=[(b.min, b.max, b.label) for b in scale.bands],
            element_id=f"mine-{instrument.id}",
        )
        flagged = (
            scale.cutoff is not None and not scale.bands and scale.cutoff.reached_by(latest.total)
        )
        mine.append(
            {
                "svg": mark_safe(svg),  # noqa: S308 - numbers and escaped text only
                "instrument": instrument,
                "scale": scale,
                "responses": responses,
                "latest": latest,
                "meaning": meaning,
                # The latest answers met an alert rule: the card leads with help, not a band.
                "crisis_items": _crisis_items(instrument, latest.answers),
                # A cut-off without bands (AUDIT-C): say it is flagged, else keep the note.
                "cutoff": scale.cutoff.label if flagged and scale.cutoff else "",
            }
        )
    return mine


def _checkins_page(
    request: HttpRequest, consent_form: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    user: Any = request.user
    accesses = queries.partner_accesses(user)
    if not accesses and policy.is_practice_staff(user):
        # Clinicians and admins have their own start pages.
        return redirect("home")
    by_instrument: dict[str, list[MeasureResponse]] = defaultdict(list)
    shared: list[dict[str, Any]] = []
    choices = []
    for access in accesses:
        history = list(
            queries.own_responses(access, ResponseStatus.SUBMITTED).order_by(
                "instrument_id", "submitted_at", "id"
            )
        )
        for response in history:
            by_instrument[response.instrument_id].append(response)
        shared += queries.revealed_together(access, history)
        choices.append(queries.sharing_choices(access))
    mine = _my_scores(by_instrument)
    context = {
        "due": queries.due_for(accesses),
        "mine": mine,
        "shared": shared,
        "choices": [c for c in choices if c["rows"]],
        "consent_form": consent_form,
        "resources": resources_for(user) if any(m["crisis_items"] for m in mine) else [],
    }
    return render(request, "assessments/my_checkins.html", context, status=status)


@login_required
def my_checkins(request: HttpRequest) -> HttpResponse:
    return _checkins_page(request)


def _form_items(
    instrument: Instrument, answers: dict[str, Any], errors: Any = None
) -> list[dict[str, Any]]:
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
                "error": bool(errors and item.linkId in errors),
            }
        )
    return rows


def _flagged(
    instrument: Instrument, form: AnswersForm | None, answers: dict[str, Any]
) -> dict[str, Any] | None:
    """The items to mark on a refused form: those with an error, and every required question
    still unanswered when it was sent, so all of them show at once."""
    if form is None or not form.is_bound:
        return None
    flagged: dict[str, Any] = dict(form.errors)
    if form.errors and form.data.get("action") != "save":
        for link_id in missing_required(instrument, answers):
            flagged.setdefault(link_id, True)
    return flagged


@login_required
def answer_checkin(request: HttpRequest, schedule_id: int) -> HttpResponse:
    user: Any = request.user
    access, schedule, instrument = queries.partner_schedule(user, schedule_id)
    round_ = actions.current_round(schedule)
    draft = already = None
    if round_ is not None:
        for response in queries.own_responses(
            access, ResponseStatus.DRAFT, ResponseStatus.SUBMITTED
        ).filter(schedule=schedule, round_key=round_.key):
            if response.status == ResponseStatus.DRAFT:
                draft = response
            else:
                already = response
    if draft is not None:
        already = None
    submission_key = request.POST.get("submission_key") or uuid.uuid4().hex

    def page(form: AnswersForm | None, status: int = 200) -> HttpResponse:
        if form is not None:
            answers = form.answers()
            errors = [e for field_errors in form.errors.values() for e in field_errors]
        else:
            source = draft or already
            answers = dict(source.answers) if source else {}
            errors = []
        context = {
            "resources": resources_for(user) if instrument.asks_about_self_harm else [],
            "schedule": schedule,
            "instrument": instrument,
            "round": round_,
            "items": _form_items(instrument, answers, _flagged(instrument, form, answers)),
            "errors": errors,
            "already": already,
            "submission_key": submission_key,
            "statement": queries.statement_for(access, instrument),
        }
        return render(request, "assessments/answer.html", context, status=status)

    if request.method != "POST":
        return page(None)
    form = AnswersForm(instrument, request.POST)
    saving = request.POST.get("action") == "save"

    def send(data: dict[str, Any]) -> Any:
        if saving:
            return actions.save_draft(user, schedule, form.answers())
        return actions.submit_keeping_draft(
            user, schedule, form.answers(), submission_key=submission_key
        )

    def done(result: Any) -> HttpResponse:
        if saving:
            return redirect("my_checkins")
        return redirect("checkin_done", response_id=result.response.pk)

    return submit(
        request,
        form,
        send,
        done=done,
        again=lambda f, status: page(f, status),  # type: ignore[arg-type]
        message="Saved. You can come back and finish any time." if saving else "",
    )


@require_POST
@login_required
def save_checkin_draft(request: HttpRequest, schedule_id: int) -> HttpResponse:
    """Autosave target (htmx): answers so far, as a draft; replies with a short status line."""
    user: Any = request.user
    access, schedule, instrument = queries.partner_schedule(user, schedule_id)
    form = AnswersForm(instrument, request.POST)
    partial = "assessments/answer.html#draft-status"

    def saved(_: Any) -> HttpResponse:
        if not request.htmx:  # type: ignore[attr-defined]
            return redirect("answer_checkin", schedule_id=schedule.pk)
        return render(request, partial, {"draft_saved_at": timezone.localtime()})

    def refused(f: forms.BaseForm, status: int) -> HttpResponse:
        message = next((e for errors in f.errors.values() for e in errors), "")
        return render(request, partial, {"draft_error": message}, status=status)

    try:
        return submit(
            request,
            form,
            lambda data: actions.save_draft(user, schedule, form.answers()),
            done=saved,
            again=refused,
        )
    except OperationalError:
        # The database was busy (e.g. SQLite while the same person's submit is being written):
        # say so; the answers stay on the page and the next change saves them.
        return render(
            request, partial, {"draft_error": "the server was busy. Your answers are still here."}
        )


@login_required
def checkin_done(request: HttpRequest, response_id: int) -> HttpResponse:
    user: Any = request.user
    access, response = policy.record_access(
        user,
        MeasureResponse.objects.exclude(status=ResponseStatus.DRAFT),
        response_id,
        as_=policy.PARTNER,
        what="measure_responses",
    )
    if response.author_id != user.pk:
        raise Http404("No such check-in.")
    instrument = registry.get(response.instrument_id)
    crisis_items = _crisis_items(instrument, response.answers)
    scale = instrument.scales[0] if instrument and instrument.scales else None
    cutoff = ""
    if scale is not None and scale.cutoff is not None and not scale.bands:
        cutoff = scale.cutoff.label if scale.cutoff.reached_by(response.total) else ""
    context = {
        "response": response,
        "instrument": instrument,
        "scale": scale,
        "cutoff": cutoff,
        "crisis_items": crisis_items,
        "resources": resources_for(user) if crisis_items else [],
        "statement": queries.statement_for(access, instrument) if instrument else "",
    }
    return render(request, "assessments/done.html", context)


@require_POST
@case_view(as_=policy.PARTNER)
def share_totals(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    """A partner shares, or stops sharing, their totals on one relationship measure."""
    form = ConsentForm(request.POST)

    def change(data: dict[str, Any]) -> Any:
        return actions.set_totals_consent(
            request.user,  # type: ignore[arg-type]
            access.case,
            data["instrument_id"],
            share=data["share"] == "yes",
            wording=data["wording"],
        )

    def said(consent: Any) -> str:
        instrument = registry.get(form.cleaned_data["instrument_id"])
        title = instrument.short_title if instrument else "these"
        if consent is None:
            return f"You have stopped sharing your {title} totals."
        return f"You are sharing your {title} totals, for the rounds you have both answered."

    return submit(
        request,
        form,
        change,
        done=reverse("my_checkins") + "#sharing",
        again=lambda f, status: _checkins_page(request, consent_form=f, status=status),  # type: ignore[arg-type]
        message=said,
    )


# --- clinicians ------------------------------------------------------------------------------


def _measures_page(
    request: HttpRequest,
    access: CaseAccess,
    form: forms.BaseForm | None = None,
    refusal: forms.BaseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    read = queries.case_measures_for(access)
    trajectories = []
    for instrument_id, responses in read["by_instrument"].items():
        instrument = registry.get(instrument_id)
        if instrument is not None:
            trajectories.append(trajectory(instrument, read["partners"], responses))
    context = {
        **read,
        "access": access,
        "case": access.case,
        "form": form if form is not None else ScheduleForm(),
        "refusal": refusal,
        "trajectories": trajectories,
        "no_figure": NO_FIGURE,
    }
    return render(request, "assessments/case_measures.html", context, status=status)


@case_view(as_=policy.CLINICIAN)
def case_measures(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    if request.method != "POST":
        return _measures_page(request, access)
    form = ScheduleForm(request.POST)

    def schedule(data: dict[str, Any]) -> tuple[MeasureSchedule, bool]:
        return actions.schedule_measure(
            request.user,  # type: ignore[arg-type]
            access.case,
            instrument_id=data["instrument_id"],
            kind=data["kind"],
            starts_on=data["starts_on"],
            every_weeks=data["every_weeks"],
            next_session_on=data["next_session_on"],
        )

    def said(result: tuple[MeasureSchedule, bool]) -> str:
        scheduled, created = result
        instrument = registry.get(scheduled.instrument_id)
        title = instrument.short_title if instrument else scheduled.instrument_id
        if created:
            return f"{title} scheduled for both partners."
        return f"{title} was already scheduled; nothing changed."

    return submit(
        request,
        form,
        schedule,
        done=reverse("case_measures", args=[access.case.pk]),
        again=lambda f, status: _measures_page(request, access, form=f, status=status),
        message=said,
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def end_measure(request: HttpRequest, access: CaseAccess, schedule_id: int) -> HttpResponse:
    schedule = MeasureSchedule.objects.filter(pk=schedule_id, case=access.case).first()
    if schedule is None:
        raise Http404("No such measure.")
    schedule.case = access.case
    return submit(
        request,
        EndMeasureForm(request.POST),
        lambda data: actions.end_schedule(request.user, schedule),  # type: ignore[arg-type]
        done=reverse("case_measures", args=[access.case.pk]),
        again=lambda f, status: _measures_page(request, access, refusal=f, status=status),
        message="Stopped. Earlier answers stay on this page.",
    )


@require_POST
@case_view(as_=policy.CLINICIAN)
def totals_sharing(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    """The clinician suggests that partners share relationship totals; each partner decides."""
    form = SuggestionForm(request.POST)

    def said(suggestion: Any) -> str:
        if suggestion.suggested:
            return "Suggested. Each partner sees your suggestion and decides for themselves."
        return "Suggestion withdrawn. What each partner chose to share stays as they chose it."

    return submit(
        request,
        form,
        lambda data: actions.suggest_sharing(
            request.user,  # type: ignore[arg-type]
            access.case,
            data["suggested"] == "yes",
        ),
        done=reverse("case_measures", args=[access.case.pk]),
        again=lambda f, status: _measures_page(request, access, refusal=f, status=status),
        message=said,
    )
