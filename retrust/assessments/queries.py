"""Reading measures for pages and the API: one builder per read, each taking a case access.

Pages and API routes resolve ``policy.case_access`` (or ``partner_accesses`` / ``partner_schedule``
for the partner's own pages, which span their cases) and then read through these functions, so
the page and the route can never disagree. ``revealed_together`` is the one rule for what of one
partner's totals the other partner sees.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from retrust.assessments import actions, registry, sharing
from retrust.assessments.definitions import Instrument
from retrust.assessments.models import (
    MeasureResponse,
    MeasureSchedule,
    ResponseStatus,
    TotalsConsent,
    TotalsSuggestion,
)
from retrust.core import policy
from retrust.core.models import CaseMember
from retrust.core.policy import CaseAccess

# --- the partner's own pages (they span the partner's cases) ------------------------------------


def partner_accesses(user: Any) -> list[CaseAccess]:
    """A partner's way into each of their cases (most people have one)."""
    case_ids = policy.partner_cases_for(user).order_by("pk").values_list("pk", flat=True)
    return [policy.case_access(user, case_id, as_=policy.PARTNER) for case_id in case_ids]


def partner_schedule(user: Any, schedule_id: int) -> tuple[CaseAccess, MeasureSchedule, Instrument]:
    """An open check-in in one of this partner's cases, with the access to its case; else 404."""
    case_id = (
        MeasureSchedule.objects.filter(pk=schedule_id, ended_at__isnull=True)
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise Http404("No such check-in.")
    access = policy.case_access(user, case_id, as_=policy.PARTNER)
    schedule = MeasureSchedule.objects.get(pk=schedule_id)
    schedule.case = access.case
    instrument = registry.get(schedule.instrument_id)
    if instrument is None:
        raise Http404("No such check-in.")
    return access, schedule, instrument


def own_responses(access: CaseAccess, *statuses: str) -> Any:
    """This partner's own responses in the case (drafts only when asked for)."""
    mine = MeasureResponse.objects.filter(author_id=access.user.pk)
    if statuses:
        mine = mine.filter(status__in=statuses)
    return access.read(mine, "measure_responses")


def due_for(accesses: list[CaseAccess]) -> list[dict[str, Any]]:
    """What this partner has open now: two queries per case, whatever the history."""
    today = timezone.localdate()
    due = []
    for access in accesses:
        schedules = list(MeasureSchedule.objects.filter(case=access.case, ended_at__isnull=True))
        answered, drafts = set(), set()
        for schedule_id, round_key, status in own_responses(
            access, ResponseStatus.DRAFT, ResponseStatus.SUBMITTED
        ).values_list("schedule_id", "round_key", "status"):
            (drafts if status == ResponseStatus.DRAFT else answered).add((schedule_id, round_key))
        for schedule in schedules:
            schedule.case = access.case
            instrument = registry.get(schedule.instrument_id)
            round_ = actions.current_round(schedule, today)
            if instrument is None or round_ is None or (schedule.pk, round_.key) in answered:
                continue
            due.append(
                {
                    "schedule": schedule,
                    "instrument": instrument,
                    "round": round_,
                    "overdue": round_.overdue(today),
                    "has_draft": (schedule.pk, round_.key) in drafts,
                }
            )
    return due


# --- sharing totals: the one rule ---------------------------------------------------------------


def relationship_ids() -> list[str]:
    return sorted(i.id for i in registry.instruments().values() if i.is_relationship)


def revealed_together(access: CaseAccess, mine: list[MeasureResponse]) -> list[dict[str, Any]]:
    """The other partner's totals that this partner sees, for page and API alike.

    A total is revealed only when all of these hold: the measure is a relationship measure
    (never PHQ-9, GAD-7, AUDIT-C or the intake); its author has chosen to share that measure's
    totals and not withdrawn; this partner has answered the same round (``mine``: their own
    submitted responses); and the author was not held by a pause when they answered
    (``core.pause``: nothing new of a held partner's reaches the other, and what was shown
    before the pause stays as it was). Totals and bands only:
    item answers never leave their author and the clinicians. One query whatever the history.
    """
    if not access.is_partner:
        return []
    case = access.case
    consented = TotalsConsent.objects.active().filter(
        case_id=OuterRef("case_id"),
        partner_id=OuterRef("author_id"),
        instrument_id=OuterRef("instrument_id"),
    )
    current = Q(status=ResponseStatus.SUBMITTED)
    if _other_partner_held(access):
        # Nothing new of a held partner's travels, and what the other partner saw stays as it
        # was (a change would tell them something happened): totals sent before the pause,
        # as they stood then, even if corrected since.
        paused_since = case.paused_since
        current = Q(created_at__lt=paused_since) & (
            current
            | Q(status=ResponseStatus.SUPERSEDED, superseded_by__created_at__gte=paused_since)
        )
    theirs = (
        MeasureResponse.objects.filter(policy.other_partner_records_q(access.user))
        .filter(current)
        .filter(
            Exists(consented),
            case_id=case.pk,
            total__isnull=False,
            instrument_id__in=relationship_ids(),
        )
        .values(
            "id",
            "schedule_id",
            "round_key",
            "instrument_id",
            "submitted_at",
            "total",
            "band",
            "author_id",
            "author__display_name",
        )
        .order_by("instrument_id", "submitted_at", "id")
    )
    answered = {(r.schedule_id, r.round_key): r for r in mine}
    rows = []
    for other in theirs:
        own = answered.get((other["schedule_id"], other["round_key"]))
        instrument = registry.get(other["instrument_id"])
        if own is None or instrument is None:
            continue
        rows.append(
            {
                "instrument": instrument,
                "round_due": own.due_on,
                "mine": own,
                "theirs_id": other["id"],
                "theirs_author_id": other["author_id"],
                "theirs_submitted_at": other["submitted_at"],
                "theirs_total": other["total"],
                "theirs_band": other["band"],
                "partner_name": other["author__display_name"] or "Your partner",
            }
        )
    return rows


def _other_partner_held(access: CaseAccess) -> bool:
    """Whether a pause holds the other partner (``core.pause``): once the clinician has acted
    both partners are held; before that only the partner whose answer paused the case."""
    case = access.case
    if case.paused_since is None:
        return False
    return case.pause_shown_at is not None or case.pause_held_for_id not in (None, access.user.pk)


def active_consents(access: CaseAccess) -> dict[str, TotalsConsent]:
    """This partner's current choices to share, by instrument id."""
    return {
        c.instrument_id: c
        for c in TotalsConsent.objects.active().filter(case=access.case, partner=access.user)
    }


def statement_for(access: CaseAccess, instrument: Instrument) -> str:
    """Who sees this partner's answers and total on ``instrument``, true as of now."""
    other = actions.other_partner(access.user, access.case)
    shared = instrument.is_relationship and (
        TotalsConsent.objects.active()
        .filter(case=access.case, partner=access.user, instrument_id=instrument.id)
        .exists()
    )
    return sharing.statement(
        clinicians=actions.clinician_names(access.case),
        partner=other.name if other is not None else None,
        relationship=instrument.is_relationship,
        shared=shared,
        held=access.held,
    )


def sharing_choices(access: CaseAccess) -> dict[str, Any]:
    """What this partner may choose to share in one case, and what they have chosen.

    One row per relationship measure scheduled in the case (or shared earlier); nothing when
    the case has no other partner to share with.
    """
    other = actions.other_partner(access.user, access.case)
    if other is None:
        return {"access": access, "rows": [], "partner": None, "suggestion": ""}
    consents = active_consents(access)
    scheduled = set(
        MeasureSchedule.objects.filter(
            case=access.case, ended_at__isnull=True, instrument_id__in=relationship_ids()
        ).values_list("instrument_id", flat=True)
    )
    clinicians = actions.clinician_names(access.case)
    rows = []
    for instrument_id in sorted(scheduled | set(consents)):
        instrument = registry.get(instrument_id)
        if instrument is None:
            continue
        rows.append(
            {
                "instrument": instrument,
                "consent": consents.get(instrument_id),
                "wording": sharing.consent_wording(instrument.short_title, other.name, clinicians),
            }
        )
    suggested = TotalsSuggestion.objects.filter(case=access.case, suggested=True).exists()
    return {
        "access": access,
        "rows": rows,
        "partner": other.name,
        "suggestion": sharing.suggestion(clinicians) if suggested and rows else "",
    }


# --- scores for the API (and anyone reading them as data) ---------------------------------------


def scores_for(access: CaseAccess) -> dict[str, Any]:
    """The submitted responses this person may read as scores in one case.

    ``own``: a partner's own responses, or every partner's for the case's clinician (an
    audited clinical read); ``revealed``: the other partner's totals revealed to a partner.
    """
    submitted = MeasureResponse.objects.filter(status=ResponseStatus.SUBMITTED).order_by(
        "submitted_at", "id"
    )
    if access.is_clinician and not access.is_partner:
        return {"own": list(access.read(submitted, "measure_scores")), "revealed": []}
    mine = list(own_responses(access, ResponseStatus.SUBMITTED).order_by("submitted_at", "id"))
    return {"own": mine, "revealed": revealed_together(access, mine)}


def roles(access: CaseAccess) -> dict[int, str]:
    return dict(CaseMember.objects.filter(case=access.case).values_list("user_id", "role"))


def fhir_responses(access: CaseAccess) -> list[MeasureResponse]:
    """Every sent response of the case, corrections included, for the clinician's export."""
    sent = MeasureResponse.objects.filter(
        status__in=[ResponseStatus.SUBMITTED, ResponseStatus.SUPERSEDED]
    ).order_by("submitted_at", "id")
    return list(access.read(sent, "fhir_export"))


# --- the clinician's measures page --------------------------------------------------------------


def case_measures_for(access: CaseAccess) -> dict[str, Any]:
    """Schedules, who is waiting, both partners' responses (an audited read) and their choices."""
    today = timezone.localdate()
    partners = list(
        CaseMember.objects.filter(case=access.case).select_related("user").order_by("role")
    )
    schedules = list(MeasureSchedule.objects.filter(case=access.case, ended_at__isnull=True))
    responses = list(
        access.read(
            MeasureResponse.objects.filter(status=ResponseStatus.SUBMITTED), "measure_responses"
        ).order_by("submitted_at", "id")
    )
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
    names = {m.user_id: m.user.name for m in partners}
    choices = []
    for consent in TotalsConsent.objects.active().filter(case=access.case):
        instrument = registry.get(consent.instrument_id)
        choices.append(
            {
                "partner": names.get(consent.partner_id, ""),
                "title": instrument.short_title if instrument else consent.instrument_id,
                "since": consent.agreed_at,
            }
        )
    return {
        "partners": partners,
        "schedules": schedule_rows,
        "by_instrument": dict(sorted(by_instrument.items())),
        "choices": choices,
        "suggested": TotalsSuggestion.objects.filter(case=access.case, suggested=True).exists(),
        "relationship": [registry.get(i) for i in relationship_ids()],
    }


def item_answers(instrument: Instrument, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """Each item's text with the answer as printed: "2 — More than half the days".

    A semantic differential shows the point chosen on the printed line between its two words:
    "4 (INTERESTING 5 4 3 2 1 0 BORING)".
    """
    shown = []
    for item in instrument.items:
        value = answers.get(item.linkId)
        if value in (None, "", []):
            text = "not answered"
        elif item.type == "text":
            text = str(value)
        else:
            labels = {o.value: o.label for o in instrument.options_for(item.linkId)}
            chosen = value if isinstance(value, list) else [value]
            if item.type == "multi":
                text = "; ".join(labels.get(v, str(v)) for v in chosen)
            elif item.poles:
                line = " ".join(labels.values())
                text = f"{value} ({item.poles[0]} {line} {item.poles[1]})"
            else:
                text = f"{value} — {labels.get(value, '')}"
        shown.append((item.text, text))
    return shown
