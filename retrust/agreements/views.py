"""Pages for agreements, commitments and the follow-through ledger.

Partners and the case's clinicians read the same pages; only partners consent, record and
confirm, only clinicians annotate. Everything is fetched through ``retrust.core.policy`` and
``visible_to``; anyone else gets 404. Each page runs a fixed number of queries however many
occurrences lie behind it: the ledger loads one flat list and does the maths in Python.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.agreements import actions, chart, ledger
from retrust.agreements import schedule as schedules
from retrust.agreements.forms import (
    AcceptForm,
    AmendForm,
    AnswerForm,
    BreachForm,
    BreachResponseForm,
    CommitmentForm,
    DeclineForm,
    NoteForm,
    ProposeForm,
    RecordForm,
    SettingsForm,
)
from retrust.agreements.models import (
    Agreement,
    AgreementNote,
    AgreementSettings,
    AgreementVersion,
    BreachReport,
    Commitment,
    Consent,
    Occurrence,
)
from retrust.agreements.queries import (
    as_observation,
    observations_by_author,
    observations_by_commitment,
    occurrence_rows,
)
from retrust.core import policy
from retrust.core.actions import ActionError, record_clinical_read
from retrust.core.decorators import staff_required
from retrust.core.models import Case, CaseMember, CaseStatus, Track

RECENT_OCCURRENCES = 30
UNRECORDED_WINDOW_DAYS = 14
CHART_POINTS = 26

# --- fetching ------------------------------------------------------------------------------


def _member(request: HttpRequest, case: Case) -> CaseMember | None:
    return policy.membership(request.user, case)


def _partner_or_404(request: HttpRequest, case: Case) -> CaseMember:
    member = _member(request, case)
    if member is None:
        raise Http404("No such page.")
    return member


def _agreement(request: HttpRequest, pk: int) -> Agreement:
    queryset = Agreement.objects.select_related("case__practice", "author", "active_version")
    return policy.get_record_for(request.user, queryset, pk)  # type: ignore[no-any-return]


def _commitment(request: HttpRequest, pk: int) -> Commitment:
    queryset = Commitment.objects.select_related(
        "case__practice", "author", "agreement__active_version"
    )
    return policy.get_record_for(request.user, queryset, pk)  # type: ignore[no-any-return]


def _is_clinician(request: HttpRequest, case: Case) -> bool:
    return policy.clinician_case_ids(request.user).filter(case_id=case.pk).exists()  # type: ignore[arg-type]


def _error(form: Any, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- the ledger, from one flat query -------------------------------------------------------


@dataclass
class Ledger:
    estimate: ledger.Estimate
    streak: int
    chart: chart.Chart
    points: list[ledger.Estimate]


def _chart_days(first: date | None, today: date) -> list[date]:
    """Daily points for the first four weeks, weekly after that, at most ``CHART_POINTS``."""
    if first is None:
        return [today]
    span = (today - first).days
    step = 1 if span <= 28 else 7
    days = [today - timedelta(days=step * i) for i in range(CHART_POINTS)]
    return sorted(day for day in days if day >= first - timedelta(days=step - 1))


def build_ledger(observations: list[ledger.Observation], today: date) -> Ledger:
    first = min((obs.on for obs in observations), default=None)
    points = ledger.series(observations, _chart_days(first, today))
    return Ledger(
        estimate=points[-1],
        streak=ledger.current_streak(observations),
        chart=chart.follow_through_chart(points),
        points=points,
    )


# --- partner index -------------------------------------------------------------------------


@login_required
def agreements_home(request: HttpRequest) -> HttpResponse:
    """The nav entry: straight to the agreements of a partner's case, or a choice of cases."""
    cases = list(policy.partner_cases_for(request.user).order_by("-created_at"))
    if not cases:
        raise Http404("No such page.")
    open_cases = [case for case in cases if case.status != CaseStatus.CLOSED]
    if len(cases) == 1 or len(open_cases) == 1:
        return redirect("case_agreements", case_id=(open_cases or cases)[0].pk)
    return render(request, "agreements/home.html", {"cases": cases})


# --- a case's agreements and commitments ---------------------------------------------------


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    propose_form: ProposeForm | None = None,
    commitment_form: CommitmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    member = _member(request, case)
    versions = AgreementVersion.objects.prefetch_related(
        Prefetch("consents", queryset=Consent.objects.select_related("partner"))
    ).select_related("proposed_by")
    agreements = list(
        Agreement.objects.visible_to(user)
        .filter(case=case)
        .select_related("active_version", "renegotiation_requested_by")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("-updated_at", "-id")
    )
    for agreement in agreements:
        every = list(agreement.versions.all())
        agreement.latest = every[-1] if every else None  # type: ignore[attr-defined]
        consents = agreement.latest.consents.all() if agreement.latest else []  # type: ignore[attr-defined]
        agreement.waiting_for_me = bool(  # type: ignore[attr-defined]
            member is not None
            and agreement.status == "proposed"
            and not any(c.partner_id == user.pk for c in consents)
        )
    commitments = list(
        Commitment.objects.visible_to(user)
        .filter(case=case, ended_at__isnull=True)
        .select_related("author", "agreement__active_version")
        .order_by("created_at", "id")
    )
    rows = occurrence_rows(Occurrence.objects.visible_to(user).filter(case=case))
    today = timezone.localdate()
    by_commitment = observations_by_commitment(rows)
    for commitment in commitments:
        observations = by_commitment.get(commitment.pk, [])
        commitment.estimate = ledger.estimate(observations, today)  # type: ignore[attr-defined]
        commitment.streak = ledger.current_streak(observations)  # type: ignore[attr-defined]
    is_partner = member is not None
    can_write = is_partner and case.status != CaseStatus.CLOSED
    active = [a for a in agreements if a.active_version_id]
    if can_write and propose_form is None and case.track != Track.INDIVIDUAL:
        propose_form = ProposeForm(initial={"creation_key": uuid.uuid4().hex})
    if can_write and commitment_form is None:
        commitment_form = CommitmentForm(
            agreements=active,
            initial={"creation_key": uuid.uuid4().hex, "starts_on": today},
        )
    elif commitment_form is not None:
        commitment_form.fields["agreement"].choices = (
            CommitmentForm(  # type: ignore[attr-defined]
                agreements=active
            )
            .fields["agreement"]
            .choices
        )  # type: ignore[attr-defined]
    if not is_partner and (agreements or commitments):
        record_clinical_read(user, case, "agreements", len(agreements) + len(commitments))
    context = {
        "case": case,
        "is_partner": is_partner,
        "agreements": agreements,
        "commitments": commitments,
        "propose_form": propose_form if can_write else None,
        "commitment_form": commitment_form if can_write else None,
        "today": today,
        "individual": case.track == Track.INDIVIDUAL,
    }
    return render(request, "agreements/case_agreements.html", context, status=status)


@login_required
def case_agreements(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_case_for(request.user, case_id)
    return _case_page(request, case)


@require_POST
@login_required
def propose(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_case_for(request.user, case_id)
    _partner_or_404(request, case)
    form = ProposeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            agreement = actions.propose_agreement(
                request.user,
                case,
                category=data["category"],
                title=data["title"],
                text=data["text"],
                review_on=data["review_on"],
                creation_key=data["creation_key"],
            )
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Proposed. Your partner can now accept, decline or amend it.")
            return redirect("agreement_detail", agreement_id=agreement.pk)
    return _case_page(request, case, propose_form=form, status=400)


@require_POST
@login_required
def new_commitment(request: HttpRequest, case_id: int) -> HttpResponse:
    case = policy.get_case_for(request.user, case_id)
    _partner_or_404(request, case)
    active = list(
        Agreement.objects.visible_to(request.user)
        .filter(case=case, active_version__isnull=False)
        .select_related("active_version")
    )
    form = CommitmentForm(request.POST, agreements=active)
    if form.is_valid():
        data = form.cleaned_data
        chosen = next((a for a in active if a.pk == data["agreement"]), None)
        try:
            commitment = actions.make_commitment(
                request.user,
                case,
                action=data["action"],
                schedule=data["schedule"],
                weekdays=",".join(data["weekdays"]),
                starts_on=data["starts_on"],
                agreement=chosen,
                creation_key=data["creation_key"],
            )
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Commitment added. Record how it goes as the days come.")
            return redirect("commitment_detail", commitment_id=commitment.pk)
    return _case_page(request, case, commitment_form=form, status=400)


# --- one agreement -------------------------------------------------------------------------


def _agreement_page(
    request: HttpRequest,
    agreement: Agreement,
    *,
    forms: dict[str, Any] | None = None,
    conflict: AgreementVersion | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    case = agreement.case
    member = _member(request, case)
    versions = list(
        AgreementVersion.objects.filter(agreement=agreement)
        .select_related("proposed_by")
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.select_related("partner")))
        .order_by("-number")
    )
    latest = versions[0]
    my_answer = next((c for c in latest.consents.all() if c.partner_id == user.pk), None)
    notes = list(AgreementNote.objects.filter(agreement=agreement).select_related("author"))
    breaches = list(
        BreachReport.objects.visible_to(user)
        .filter(agreement=agreement)
        .select_related("author", "responded_by")
        .order_by("-happened_on", "-id")[:50]
    )
    open_case = case.status != CaseStatus.CLOSED
    is_partner = member is not None
    forms = dict(forms or {})
    if is_partner and open_case:
        if my_answer is None:
            forms.setdefault("accept", AcceptForm(initial={"version": latest.number}))
            forms.setdefault("decline", DeclineForm(initial={"version": latest.number}))
        forms.setdefault(
            "amend",
            AmendForm(
                initial={"based_on": latest.number, "title": latest.title, "text": latest.text}
            ),
        )
        if agreement.active_version_id:
            forms.setdefault(
                "breach",
                BreachForm(
                    initial={
                        "submission_key": uuid.uuid4().hex,
                        "happened_on": timezone.localdate(),
                    }
                ),
            )
    for report in breaches:
        report.can_answer = (  # type: ignore[attr-defined]
            is_partner and open_case and report.author_id != user.pk and not report.responded_at
        )
    is_clinician = not is_partner and _is_clinician(request, case)
    if is_clinician:
        forms.setdefault("note", NoteForm())
        record_clinical_read(user, case, "agreement", 1)
    context = {
        "agreement": agreement,
        "case": case,
        "versions": versions,
        "latest": latest,
        "my_answer": my_answer,
        "notes": notes,
        "breaches": breaches,
        "forms": forms,
        "response_form": BreachResponseForm(),
        "conflict": conflict,
        "is_partner": is_partner,
        "is_clinician": is_clinician,
        "today": timezone.localdate(),
    }
    return render(request, "agreements/agreement_detail.html", context, status=status)


@login_required
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _agreement_page(request, _agreement(request, agreement_id))


@require_POST
@login_required
def accept(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    _partner_or_404(request, agreement.case)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _agreement_page(request, agreement, status=400)
    try:
        agreement = actions.accept_version(
            request.user, agreement, version_number=form.cleaned_data["version"]
        )
    except actions.AgreementConflict as exc:
        return _agreement_page(request, agreement, conflict=exc.newer, status=409)
    except ActionError as exc:
        messages.error(request, exc.message)
        return _agreement_page(request, agreement, status=400)
    if agreement.status == "active":
        messages.success(request, "You both agree. This agreement is now active.")
    else:
        messages.success(request, "Accepted. It becomes active once you both have.")
    return redirect("agreement_detail", agreement_id=agreement.pk)


@require_POST
@login_required
def decline(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    _partner_or_404(request, agreement.case)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            actions.decline_version(
                request.user,
                agreement,
                version_number=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except actions.AgreementConflict as exc:
            return _agreement_page(request, agreement, conflict=exc.newer, status=409)
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.info(
                request, "Declined, with your reason. Either of you can propose a new version."
            )
            return redirect("agreement_detail", agreement_id=agreement.pk)
    return _agreement_page(request, agreement, forms={"decline": form}, status=400)


@require_POST
@login_required
def amend(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    _partner_or_404(request, agreement.case)
    form = AmendForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.amend_agreement(
                request.user,
                agreement,
                based_on=data["based_on"],
                title=data["title"],
                text=data["text"],
            )
        except actions.AgreementConflict as exc:
            # Keep what they wrote in the form, on top of the newer version, so nothing is lost.
            kept = AmendForm(
                initial={"based_on": exc.newer.number, "title": data["title"], "text": data["text"]}
            )
            return _agreement_page(
                request, agreement, forms={"amend": kept}, conflict=exc.newer, status=409
            )
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(
                request, "Your version is proposed. Your partner can accept it or reply."
            )
            return redirect("agreement_detail", agreement_id=agreement.pk)
    return _agreement_page(request, agreement, forms={"amend": form}, status=400)


@require_POST
@login_required
def renegotiate(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    _partner_or_404(request, agreement.case)
    try:
        actions.request_renegotiation(request.user, agreement)
    except ActionError as exc:
        messages.error(request, exc.message)
        return _agreement_page(request, agreement, status=400)
    messages.info(
        request, "Noted: you'd like to talk this over again. It stays in force until then."
    )
    return redirect("agreement_detail", agreement_id=agreement.pk)


@require_POST
@login_required
def annotate(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    if not _is_clinician(request, agreement.case):
        raise Http404("No such page.")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.annotate_agreement(request.user, agreement, text=form.cleaned_data["text"])
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Note added. Both partners can read it.")
            return redirect("agreement_detail", agreement_id=agreement.pk)
    return _agreement_page(request, agreement, forms={"note": form}, status=400)


@require_POST
@login_required
def report_breach(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement(request, agreement_id)
    _partner_or_404(request, agreement.case)
    form = BreachForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.report_breach(
                request.user,
                agreement,
                what_happened=data["what_happened"],
                happened_on=data["happened_on"],
                submission_key=data["submission_key"],
            )
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.info(request, "Thank you for saying so. Your partner can now respond.")
            return redirect("agreement_detail", agreement_id=agreement.pk)
    return _agreement_page(request, agreement, forms={"breach": form}, status=400)


@require_POST
@login_required
def respond_to_breach(request: HttpRequest, breach_id: int) -> HttpResponse:
    queryset = BreachReport.objects.select_related("case__practice", "agreement")
    report: BreachReport = policy.get_record_for(request.user, queryset, breach_id)
    _partner_or_404(request, report.case)
    if report.author_id == request.user.pk:
        raise Http404("No such page.")
    form = BreachResponseForm(request.POST)
    if form.is_valid():
        try:
            actions.respond_to_breach(
                request.user,
                report,
                response=form.cleaned_data["response"],
                text=form.cleaned_data["text"],
            )
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Thank you. Your answer is with your partner and clinician.")
            return redirect("agreement_detail", agreement_id=report.agreement_id)
    else:
        messages.error(request, "Choose how you want to answer.")
    agreement = _agreement(request, report.agreement_id)
    return _agreement_page(request, agreement, status=400)


# --- one commitment ------------------------------------------------------------------------


def _commitment_page(
    request: HttpRequest,
    commitment: Commitment,
    *,
    record_form: RecordForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    case = commitment.case
    member = _member(request, case)
    today = timezone.localdate()
    visible = Occurrence.objects.visible_to(user).filter(commitment=commitment)
    observations = [as_observation(row) for row in occurrence_rows(visible)]
    recent = list(
        visible.select_related("confirmation").order_by("-due_on", "-id")[:RECENT_OCCURRENCES]
    )
    mine = commitment.author_id == user.pk
    open_case = case.status != CaseStatus.CLOSED and commitment.ended_at is None
    for occurrence in recent:
        answer = getattr(occurrence, "confirmation", None)
        occurrence.answer = answer  # type: ignore[attr-defined]
        occurrence.can_answer = (  # type: ignore[attr-defined]
            member is not None and not mine and open_case and answer is None
        )
    kind = schedules.Kind(commitment.schedule)
    due = schedules.due_dates(
        kind,
        commitment.starts_on,
        schedules.parse_weekdays(commitment.weekdays),
        today - timedelta(days=UNRECORDED_WINDOW_DAYS - 1),
        today,
    )
    recorded = set(
        visible.filter(due_on__gte=today - timedelta(days=UNRECORDED_WINDOW_DAYS)).values_list(
            "due_on", flat=True
        )
    )
    unrecorded = [day for day in reversed(due) if day not in recorded]
    if mine and open_case and record_form is None:
        first = unrecorded[0] if unrecorded else today
        record_form = RecordForm(initial={"due_on": first, "submission_key": uuid.uuid4().hex})
    if member is None:
        record_clinical_read(user, case, "commitment", 1)
    context = {
        "commitment": commitment,
        "case": case,
        "mine": mine,
        "is_partner": member is not None,
        "record_form": record_form if mine and open_case else None,
        "recent": recent,
        "unrecorded": unrecorded if mine else [],
        "ledger": build_ledger(observations, today),
        "answer_form": AnswerForm(),
        "each_time": kind is schedules.Kind.EACH_TIME,
    }
    return render(request, "agreements/commitment_detail.html", context, status=status)


@login_required
def commitment_detail(request: HttpRequest, commitment_id: int) -> HttpResponse:
    return _commitment_page(request, _commitment(request, commitment_id))


@require_POST
@login_required
def record(request: HttpRequest, commitment_id: int) -> HttpResponse:
    queryset = Commitment.objects.select_related("case__practice", "author")
    commitment: Commitment = policy.get_record_to_change(request.user, queryset, commitment_id)
    form = RecordForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            occurrence = actions.record_occurrence(
                request.user,
                commitment,
                due_on=data["due_on"],
                outcome=data["outcome"],
                note=data["note"],
                submission_key=data["submission_key"],
            )
        except ActionError as exc:
            _error(form, exc)
        else:
            day = occurrence.due_on.strftime("%-d %b")
            messages.success(
                request, f"Recorded {day} as {occurrence.get_outcome_display().lower()}."
            )
            return redirect("commitment_detail", commitment_id=commitment.pk)
    return _commitment_page(request, commitment, record_form=form, status=400)


@require_POST
@login_required
def end_commitment(request: HttpRequest, commitment_id: int) -> HttpResponse:
    queryset = Commitment.objects.select_related("case__practice", "author")
    commitment: Commitment = policy.get_record_to_change(request.user, queryset, commitment_id)
    try:
        actions.end_commitment(request.user, commitment)
    except ActionError as exc:
        messages.error(request, exc.message)
        return _commitment_page(request, commitment, status=400)
    messages.info(request, "Stopped. What you recorded stays, and still counts.")
    return redirect("case_agreements", case_id=commitment.case_id)


@require_POST
@login_required
def answer(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    queryset = Occurrence.objects.select_related("case__practice", "commitment")
    occurrence: Occurrence = policy.get_record_for(request.user, queryset, occurrence_id)
    _partner_or_404(request, occurrence.case)
    if occurrence.author_id == request.user.pk:
        raise Http404("No such page.")
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            actions.answer_occurrence(
                request.user,
                occurrence,
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
            )
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            if form.cleaned_data["verdict"] == "confirmed":
                messages.success(request, "Confirmed. Thank you for noticing.")
            else:
                messages.info(
                    request, "Noted. Your clinician will see that you saw it differently."
                )
            return redirect("commitment_detail", commitment_id=occurrence.commitment_id)
    else:
        messages.error(request, "Choose confirm or “I saw it differently”.")
    commitment = _commitment(request, occurrence.commitment_id)
    return _commitment_page(request, commitment, status=400)


# --- the case's ledger ---------------------------------------------------------------------


@login_required
def case_ledger(request: HttpRequest, case_id: int) -> HttpResponse:
    """Follow-through per partner and per commitment, as a chart and a table."""
    user: Any = request.user
    case = policy.get_case_for(user, case_id)
    commitments = list(
        Commitment.objects.visible_to(user)
        .filter(case=case)
        .select_related("author")
        .order_by("created_at", "id")
    )
    members = list(case.members.select_related("user"))
    rows = occurrence_rows(Occurrence.objects.visible_to(user).filter(case=case))
    today = timezone.localdate()
    by_author = observations_by_author(rows)
    by_commitment = observations_by_commitment(rows)
    partners = [
        {"member": m, "ledger": build_ledger(by_author.get(m.user_id, []), today)}
        for m in members
        if m.user_id in by_author
    ]
    for commitment in commitments:
        commitment.ledger = build_ledger(by_commitment.get(commitment.pk, []), today)  # type: ignore[attr-defined]
    if not _member(request, case) and rows:
        record_clinical_read(user, case, "ledger", len(rows))
    context = {
        "case": case,
        "partners": partners,
        "commitments": commitments,
        "minimum": ledger.MINIMUM_OCCURRENCES,
        "half_life": int(ledger.DEFAULT_HALF_LIFE_DAYS),
        "self_weight": "half" if ledger.SELF_REPORTED_WEIGHT == 0.5 else "less",
    }
    return render(request, "agreements/ledger.html", context)


# --- practice settings ---------------------------------------------------------------------


@staff_required
def practice_settings(request: HttpRequest) -> HttpResponse:
    practice = policy.administered_practice_for(request.user)
    rules = AgreementSettings.for_practice(practice)
    form = SettingsForm(
        request.POST or None,
        initial={
            "breach_threshold": rules.breach_threshold,
            "breach_period_days": rules.breach_period_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_agreement_settings(
                request.user,
                practice,
                breach_threshold=form.cleaned_data["breach_threshold"],
                breach_period_days=form.cleaned_data["breach_period_days"],
            )
        except ActionError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("agreement_settings")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "agreements/settings.html", {"form": form, "practice": practice}, status=status
    )
