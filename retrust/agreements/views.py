"""Pages for agreements, commitments and the follow-through ledger.

Partners and the case's clinicians read the same pages; only partners consent, record and
confirm, only clinicians annotate. Every page starts from the person's ``CaseAccess``
(``case_view`` for a page about a case, ``policy.record_access`` for a page about one record):
anyone the page is not for gets 404. Pages read through the builders in ``queries``, which the
API uses too, show a form only where the action behind it would accept it (``access.can_share``
and friends), and show the pause's message instead of the forms that share something while
this person is held. Every form post goes through ``submit``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.agreements import actions, ledger, queries
from retrust.agreements.forms import (
    AcceptForm,
    AmendForm,
    AnswerForm,
    BreachForm,
    BreachResponseForm,
    CommitmentForm,
    ConfirmDaysForm,
    DeclineForm,
    NoteForm,
    ProposeForm,
    RecordDaysForm,
    RecordForm,
    RenegotiateForm,
    ReplyForm,
    SettingsForm,
    StopForm,
)
from retrust.agreements.models import (
    Agreement,
    AgreementSettings,
    BreachReport,
    Commitment,
    Occurrence,
)
from retrust.core import policy
from retrust.core.decorators import case_view, partner_case_index, staff_required
from retrust.core.models import Track
from retrust.core.policy import CLINICIAN, MEMBER, PARTNER, As, CaseAccess
from retrust.core.submission import submit

RECENT_OCCURRENCES = 30

# --- fetching ------------------------------------------------------------------------------


def _open_record(
    request: HttpRequest, queryset: QuerySet[Any], pk: int, as_: As = MEMBER, what: str = ""
) -> tuple[CaseAccess, Any]:
    """A page about one record: the access to its case and the record, or 404."""
    access, record = policy.record_access(request.user, queryset, pk, as_=as_, what=what or None)
    request.access = access  # type: ignore[attr-defined]
    return access, record


def _agreement(request: HttpRequest, pk: int, as_: As = MEMBER) -> tuple[CaseAccess, Agreement]:
    queryset = Agreement.objects.select_related(
        "case__practice", "active_version", "renegotiation_requested_by"
    )
    return _open_record(request, queryset, pk, as_)


def _commitments() -> QuerySet[Commitment]:
    return Commitment.objects.select_related(
        "case__practice", "author", "agreement__active_version"
    )


def _commitment(request: HttpRequest, pk: int, as_: As = MEMBER) -> tuple[CaseAccess, Commitment]:
    return _open_record(request, _commitments(), pk, as_, what=queries.COMMITMENT)


def _own_commitment(request: HttpRequest, pk: int) -> tuple[CaseAccess, Commitment]:
    """Only the committer records or stops a commitment; the other partner gets 404 too."""
    access, commitment = _commitment(request, pk, PARTNER)
    if commitment.author_id != access.user.pk:
        raise Http404("No such page.")
    return access, commitment


def _pause_message(access: CaseAccess) -> str:
    """Shown instead of the forms that share something, to a partner whose shared work waits."""
    return access.pause_message if access.can_write else ""


def _new_key() -> str:
    return uuid.uuid4().hex


# --- partner index -------------------------------------------------------------------------


agreements_home = partner_case_index("Agreements", "case_agreements")


# --- a case's agreements and commitments ---------------------------------------------------


def _case_page(
    request: HttpRequest,
    access: CaseAccess,
    *,
    propose_form: ProposeForm | None = None,
    commitment_form: CommitmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    case = access.case
    today = timezone.localdate()
    agreements = queries.agreements(access)
    commitments = queries.commitments(access, today, current_only=True)
    individual = case.track == Track.INDIVIDUAL
    if access.can_share:
        if propose_form is None and not individual:
            propose_form = ProposeForm(initial={"creation_key": _new_key()})
        if commitment_form is None:
            commitment_form = CommitmentForm(
                agreements=[a for a in agreements if a.active_version_id],
                initial={"creation_key": _new_key(), "starts_on": today},
            )
    context = {
        "access": access,
        "case": case,
        "is_partner": access.is_partner,
        "agreements": agreements,
        "commitments": commitments,
        "propose_form": propose_form,
        "commitment_form": commitment_form,
        "pause_message": _pause_message(access),
        "today": today,
        "individual": individual,
    }
    return render(request, "agreements/case_agreements.html", context, status=status)


@case_view(MEMBER)
def case_agreements(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _case_page(request, access)


@require_POST
@case_view(PARTNER)
def propose(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    form = ProposeForm(request.POST)
    return submit(
        request,
        form,
        lambda data: actions.propose_agreement(access.user, access.case, **data),
        done=lambda agreement: redirect("agreement_detail", agreement_id=agreement.pk),
        again=lambda form, status: _case_page(request, access, propose_form=form, status=status),
        message="Proposed. Your partner can now accept, decline or amend it.",
    )


@require_POST
@case_view(PARTNER)
def new_commitment(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    active = list(
        access.visible(Agreement.objects.filter(active_version__isnull=False)).select_related(
            "active_version"
        )
    )
    form = CommitmentForm(request.POST, agreements=active)

    def commit(data: dict[str, Any]) -> Commitment:
        return actions.make_commitment(
            access.user,
            access.case,
            action=data["action"],
            schedule=data["schedule"],
            weekdays=",".join(data["weekdays"]),
            starts_on=data["starts_on"],
            agreement=next((a for a in active if a.pk == data["agreement"]), None),
            creation_key=data["creation_key"],
        )

    return submit(
        request,
        form,
        commit,
        done=lambda commitment: redirect("commitment_detail", commitment_id=commitment.pk),
        again=lambda form, status: _case_page(request, access, commitment_form=form, status=status),
        message="Commitment added. Record how it goes as the days come.",
    )


# --- one agreement -------------------------------------------------------------------------


def _agreement_page(
    request: HttpRequest,
    access: CaseAccess,
    agreement: Agreement,
    *,
    forms: dict[str, Any] | None = None,
    based_on: int | None = None,
    answering: tuple[int, BreachResponseForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """``based_on``: the version a refused form was written against; if a newer one is on the
    table now, the page shows it. ``answering``: a breach report and the refused answer to it."""
    user = access.user
    history = queries.versions(access, agreement)
    latest = history[-1]
    breaches = queries.breaches(access, agreement)
    my_answer = next((c for c in latest.consents.all() if c.partner_id == user.pk), None)
    forms = dict(forms or {})
    if access.can_share:
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
                    initial={"submission_key": _new_key(), "happened_on": timezone.localdate()}
                ),
            )
            if not agreement.renegotiation_requested_at:
                forms.setdefault("renegotiate", RenegotiateForm())
    if access.can_act_as_clinician:
        forms.setdefault("note", NoteForm())
    for report in breaches:
        refused = answering is not None and answering[0] == report.pk
        report.can_answer = refused or (  # type: ignore[attr-defined]
            access.can_share and report.author_id != user.pk and not report.responded_at
        )
        report.answer_form = answering[1] if refused else None  # type: ignore[attr-defined,index]
    context = {
        "access": access,
        "agreement": agreement,
        "case": access.case,
        "versions": list(reversed(history)),
        "latest": latest,
        "my_answer": my_answer,
        "notes": queries.notes(access, agreement),
        "breaches": breaches,
        "forms": forms,
        "conflict": latest if based_on is not None and based_on < latest.number else None,
        "is_partner": access.is_partner,
        "pause_message": _pause_message(access),
        "today": timezone.localdate(),
    }
    return render(request, "agreements/agreement_detail.html", context, status=status)


def _agreement_again(
    request: HttpRequest, access: CaseAccess, agreement: Agreement, name: str, version: str = ""
) -> Any:
    """Re-render the agreement page with a refused form in its place (``submit``'s ``again``).

    ``version`` names the form's field saying which version it was written against. When a
    newer version came first, the page shows it, and the form keeps what the person wrote but
    now answers the newer version, so nothing they wrote is lost.
    """

    def again(form: Any, status: int) -> HttpResponse:
        agreement.refresh_from_db()
        based_on = getattr(form, "cleaned_data", {}).get(version) if version else None
        if status == 409 and based_on is not None and based_on < agreement.latest_number:
            kept = {field: form.data.get(field, "") for field in form.fields}
            form = type(form)(initial={**kept, version: agreement.latest_number})
        return _agreement_page(
            request, access, agreement, forms={name: form}, based_on=based_on, status=status
        )

    return again


def _to_agreement(agreement: Agreement) -> HttpResponse:
    return redirect("agreement_detail", agreement_id=agreement.pk)


@login_required
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    access, agreement = _agreement(request, agreement_id)
    return _agreement_page(request, access, agreement)


@require_POST
@login_required
def accept(request: HttpRequest, agreement_id: int) -> HttpResponse:
    access, agreement = _agreement(request, agreement_id, PARTNER)
    return submit(
        request,
        AcceptForm(request.POST),
        lambda data: actions.accept_version(access.user, agreement, version_number=data["version"]),
        done=_to_agreement,
        again=_agreement_again(request, access, agreement, "accept", "version"),
        message=lambda result: (
            "You both agree. This agreement is now active."
            if result.status == "active"
            else "Accepted. It becomes active once you both have."
        ),
    )


@require_POST
@login_required
def decline(request: HttpRequest, agreement_id: int) -> HttpResponse:
    access, agreement = _agreement(request, agreement_id, PARTNER)
    return submit(
        request,
        DeclineForm(request.POST),
        lambda data: actions.decline_version(
            access.user, agreement, version_number=data["version"], reason=data["reason"]
        ),
        done=_to_agreement,
        again=_agreement_again(request, access, agreement, "decline", "version"),
        message="Declined, with your reason. Either of you can propose a new version.",
    )


@require_POST
@login_required
def amend(request: HttpRequest, agreement_id: int) -> HttpResponse:
    access, agreement = _agreement(request, agreement_id, PARTNER)
    return submit(
        request,
        AmendForm(request.POST),
        lambda data: actions.amend_agreement(
            access.user,
            agreement,
            based_on=data["based_on"],
            title=data["title"],
            text=data["text"],
        ),
        done=_to_agreement,
        again=_agreement_again(request, access, agreement, "amend", "based_on"),
        message="Your version is proposed. Your partner can accept it or reply.",
    )


@require_POST
@login_required
def renegotiate(request: HttpRequest, agreement_id: int) -> HttpResponse:
    access, agreement = _agreement(request, agreement_id, PARTNER)
    return submit(
        request,
        RenegotiateForm(request.POST),
        lambda data: actions.request_renegotiation(access.user, agreement),
        done=_to_agreement,
        again=_agreement_again(request, access, agreement, "renegotiate"),
        message="Noted: you'd like to talk this over again. It stays in force until then.",
    )


@require_POST
@login_required
def annotate(request: HttpRequest, agreement_id: int) -> HttpResponse:
    access, agreement = _agreement(request, agreement_id, CLINICIAN)
    return submit(
        request,
        NoteForm(request.POST),
        lambda data: actions.annotate_agreement(access.user, agreement, text=data["text"]),
        done=lambda note: _to_agreement(agreement),
        again=_agreement_again(request, access, agreement, "note"),
        message="Note added. Both partners can read it.",
    )


@require_POST
@login_required
def report_breach(request: HttpRequest, agreement_id: int) -> HttpResponse:
    access, agreement = _agreement(request, agreement_id, PARTNER)
    return submit(
        request,
        BreachForm(request.POST),
        lambda data: actions.report_breach(access.user, agreement, **data),
        done=lambda report: _to_agreement(agreement),
        again=_agreement_again(request, access, agreement, "breach"),
        message="Thank you for saying so. Your partner can now respond.",
    )


@require_POST
@login_required
def respond_to_breach(request: HttpRequest, breach_id: int) -> HttpResponse:
    queryset = BreachReport.objects.select_related("case__practice", "agreement")
    access, report = _open_record(request, queryset, breach_id, PARTNER)
    if report.author_id == access.user.pk:
        raise Http404("No such page.")
    agreement = report.agreement

    def again(form: Any, status: int) -> HttpResponse:
        agreement.refresh_from_db()
        return _agreement_page(
            request, access, agreement, answering=(report.pk, form), status=status
        )

    return submit(
        request,
        BreachResponseForm(request.POST),
        lambda data: actions.respond_to_breach(access.user, report, **data),
        done=lambda report: _to_agreement(agreement),
        again=again,
        message="Thank you. Your answer is with your partner and clinician.",
    )


# --- one commitment ------------------------------------------------------------------------


def _commitment_page(
    request: HttpRequest,
    access: CaseAccess,
    commitment: Commitment,
    *,
    record_form: RecordForm | None = None,
    stop_form: StopForm | None = None,
    answering: tuple[int, AnswerForm] | None = None,
    days_form: RecordDaysForm | None = None,
    confirm_form: ConfirmDaysForm | None = None,
    replying: tuple[int, ReplyForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """``answering``: an occurrence and the refused answer to it, shown in its place."""
    today = timezone.localdate()
    mine = commitment.author_id == access.user.pk
    running = commitment.ended_at is None
    recent = queries.occurrences(access, commitment, RECENT_OCCURRENCES)
    for occurrence in recent:
        refused = answering is not None and answering[0] == occurrence.pk
        occurrence.can_answer = refused or (  # type: ignore[attr-defined]
            access.can_share and not mine and running and occurrence.answer is None  # type: ignore[attr-defined]
        )
        occurrence.answer_form = answering[1] if refused else None  # type: ignore[attr-defined,index]
    if answering is not None and not any(o.pk == answering[0] for o in recent):
        for errors in answering[1].errors.values():
            messages.error(request, " ".join(errors))
    to_confirm = [o for o in recent if o.can_answer and o.answer is None]  # type: ignore[attr-defined]
    if len(to_confirm) > 1 and confirm_form is None:
        confirm_form = ConfirmDaysForm(occurrences=to_confirm)
    for occurrence in recent:
        disputed = occurrence.answer is not None and occurrence.answer.verdict == "disputed"  # type: ignore[attr-defined]
        occurrence.reply_form = None  # type: ignore[attr-defined]
        if disputed and access.can_share:
            refused = replying is not None and replying[0] == occurrence.pk
            occurrence.reply_form = (  # type: ignore[attr-defined]
                replying[1]  # type: ignore[index]
                if refused
                else ReplyForm(
                    initial={"submission_key": _new_key()}, auto_id=f"reply{occurrence.pk}_%s"
                )
            )
    if replying is not None and not any(
        o.pk == replying[0] and o.reply_form is not None  # type: ignore[attr-defined]
        for o in recent
    ):
        for errors in replying[1].errors.values():
            messages.error(request, " ".join(errors))
    unrecorded = queries.unrecorded_days(access, commitment, today) if mine else []
    if mine and running and access.can_share and unrecorded and days_form is None:
        days_form = RecordDaysForm(days=unrecorded)
    if mine and running and access.can_share and record_form is None:
        first = unrecorded[0] if unrecorded else today
        record_form = RecordForm(initial={"due_on": first, "submission_key": _new_key()})
    if mine and running and access.can_write and stop_form is None:
        stop_form = StopForm()
    context = {
        "access": access,
        "commitment": commitment,
        "case": access.case,
        "mine": mine,
        "is_partner": access.is_partner,
        "record_form": record_form,
        "stop_form": stop_form,
        "pause_message": _pause_message(access),
        "recent": recent,
        "unrecorded": unrecorded,
        "days_form": days_form,
        "confirm_form": confirm_form,
        "ledger": queries.commitment_ledger(access, commitment, today),
        "each_time": commitment.schedule == "each_time",
    }
    return render(request, "agreements/commitment_detail.html", context, status=status)


def _to_commitment(commitment_id: int) -> HttpResponse:
    return redirect("commitment_detail", commitment_id=commitment_id)


@login_required
def commitment_detail(request: HttpRequest, commitment_id: int) -> HttpResponse:
    access, commitment = _commitment(request, commitment_id)
    return _commitment_page(request, access, commitment)


def _recorded(data: dict[str, Any]) -> str:
    day = data["due_on"]
    outcome = "kept" if data["outcome"] == "kept" else "missed"
    verb = "Changed" if data["change"] else "Recorded"
    return f"{verb} {day.day} {day:%b} {'to' if data['change'] else 'as'} {outcome}."


@require_POST
@login_required
def record(request: HttpRequest, commitment_id: int) -> HttpResponse:
    access, commitment = _own_commitment(request, commitment_id)
    form = RecordForm(request.POST)

    def again(form: Any, status: int) -> HttpResponse:
        if "change" in form.errors:
            form.ask_to_change()
        return _commitment_page(request, access, commitment, record_form=form, status=status)

    return submit(
        request,
        form,
        lambda data: actions.record_occurrence(access.user, commitment, **data),
        done=lambda occurrence: _to_commitment(commitment.pk),
        again=again,
        message=lambda occurrence: _recorded(form.cleaned_data),
    )


@require_POST
@login_required
def end_commitment(request: HttpRequest, commitment_id: int) -> HttpResponse:
    access, commitment = _own_commitment(request, commitment_id)
    return submit(
        request,
        StopForm(request.POST),
        lambda data: actions.end_commitment(access.user, commitment, confirm=data["confirm"]),
        done=lambda stopped: redirect("case_agreements", case_id=access.case.pk),
        again=lambda form, status: _commitment_page(
            request, access, commitment, stop_form=form, status=status
        ),
        message="Stopped. What you recorded stays, and still counts.",
    )


@require_POST
@login_required
def answer(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    queryset = Occurrence.objects.select_related("case__practice")
    access, occurrence = _open_record(request, queryset, occurrence_id, PARTNER)
    if occurrence.author_id == access.user.pk:
        raise Http404("No such page.")

    def again(form: Any, status: int) -> HttpResponse:
        commitment = access.get(_commitments(), occurrence.commitment_id)
        return _commitment_page(
            request, access, commitment, answering=(occurrence.pk, form), status=status
        )

    return submit(
        request,
        AnswerForm(request.POST),
        lambda data: actions.answer_occurrence(access.user, occurrence, **data),
        done=lambda confirmation: _to_commitment(occurrence.commitment_id),
        again=again,
        message=lambda confirmation: (
            "Confirmed. Thank you for noticing."
            if confirmation.verdict == "confirmed"
            else "Noted. Your clinician will see that you saw it differently."
        ),
    )


def _rebound(refused: Any, shown: Any) -> Any:
    """The form to show after a refusal: only the days still open, with the refusal on it."""
    shown.is_valid()
    for errors in refused.errors.values():
        for error in errors:
            if error not in shown.non_field_errors():
                shown.add_error(None, error)
    return shown


def _days_recorded(recorded: list[Occurrence]) -> str:
    kept = sum(1 for o in recorded if o.outcome == "kept")
    days = len(recorded)
    return f"Recorded {days} day{'s' if days != 1 else ''}: {kept} kept, {days - kept} missed."


@require_POST
@login_required
def record_days(request: HttpRequest, commitment_id: int) -> HttpResponse:
    access, commitment = _own_commitment(request, commitment_id)
    # Every due day of the window, not only those still open: a second submit of the same
    # form then finds its days recorded the same way and changes nothing.
    due = queries.recent_due_days(commitment, timezone.localdate())
    form = RecordDaysForm(request.POST, days=list(reversed(due)))
    return submit(
        request,
        form,
        lambda data: actions.record_days(access.user, commitment, outcomes=data["outcomes"]),
        done=lambda recorded: _to_commitment(commitment.pk),
        again=lambda form, status: _commitment_page(
            request,
            access,
            commitment,
            days_form=_rebound(
                form,
                RecordDaysForm(
                    request.POST,
                    days=queries.unrecorded_days(access, commitment, timezone.localdate()),
                ),
            ),
            status=status,
        ),
        message=_days_recorded,
    )


@require_POST
@login_required
def confirm_days(request: HttpRequest, commitment_id: int) -> HttpResponse:
    access, commitment = _commitment(request, commitment_id, PARTNER)
    if commitment.author_id == access.user.pk:
        raise Http404("No such page.")
    # Answered days stay valid choices: confirming one again changes nothing (a double submit).
    recent = queries.occurrences(access, commitment, RECENT_OCCURRENCES)
    form = ConfirmDaysForm(request.POST, occurrences=recent)
    return submit(
        request,
        form,
        lambda data: actions.confirm_days(
            access.user, commitment, occurrence_ids=data["occurrences"]
        ),
        done=lambda confirmed: _to_commitment(commitment.pk),
        again=lambda form, status: _commitment_page(
            request,
            access,
            commitment,
            confirm_form=_rebound(
                form,
                ConfirmDaysForm(
                    request.POST,
                    occurrences=[o for o in recent if o.answer is None],  # type: ignore[attr-defined]
                ),
            ),
            status=status,
        ),
        message=lambda confirmed: (
            f"Confirmed {len(confirmed)} day{'s' if len(confirmed) != 1 else ''}. "
            "Thank you for noticing."
        ),
    )


@require_POST
@login_required
def reply_to_dispute(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    queryset = Occurrence.objects.select_related("case__practice")
    access, occurrence = _open_record(request, queryset, occurrence_id, PARTNER)
    form = ReplyForm(request.POST, auto_id=f"reply{occurrence.pk}_%s")

    def again(form: Any, status: int) -> HttpResponse:
        commitment = access.get(_commitments(), occurrence.commitment_id)
        page = _commitment_page(
            request, access, commitment, replying=(occurrence.pk, form), status=status
        )
        return page

    return submit(
        request,
        form,
        lambda data: actions.reply_to_dispute(access.user, occurrence, **data),
        done=lambda reply: redirect(
            f"{reverse('commitment_detail', args=[occurrence.commitment_id])}#day-{occurrence.pk}"
        ),
        again=again,
        message="Sent. Your partner and your clinician can read it.",
    )


# --- the case's ledger ---------------------------------------------------------------------


@case_view(MEMBER)
def case_ledger(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    """Follow-through per partner and per commitment, as a chart and a table."""
    found = queries.case_ledger(access, timezone.localdate())
    context = {
        "access": access,
        "case": access.case,
        "partners": found.partners,
        "commitments": found.commitments,
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

    def page(form: Any, status: int = 200) -> HttpResponse:
        context = {"form": form, "practice": practice}
        return render(request, "agreements/settings.html", context, status=status)

    initial = {
        "breach_threshold": rules.breach_threshold,
        "breach_period_days": rules.breach_period_days,
    }
    if request.method != "POST":
        return page(SettingsForm(initial=initial))
    return submit(
        request,
        SettingsForm(request.POST),
        lambda data: actions.update_agreement_settings(request.user, practice, **data),
        done="agreement_settings",
        again=page,
        message="Saved.",
    )
