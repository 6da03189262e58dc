"""Reading measures for pages and the API: what is due, what is revealed, answers as printed.

Views and API handlers in any app read measures through these functions, never through
another module's views.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils import timezone

from retrust.assessments import actions, registry
from retrust.assessments.definitions import Instrument
from retrust.assessments.models import (
    MeasureResponse,
    MeasureSchedule,
    ResponseStatus,
    TotalsSharing,
)
from retrust.core import policy


def due_for(user: Any) -> list[dict[str, Any]]:
    """What this partner has open now, across their cases: two queries whatever the history."""
    today = timezone.localdate()
    schedules = list(
        MeasureSchedule.objects.filter(
            case__in=policy.partner_cases_for(user), ended_at__isnull=True
        ).select_related("case")
    )
    mine = defaultdict(set)
    drafts = set()
    for schedule_id, round_key, status in (
        MeasureResponse.objects.visible_to(user)
        .filter(author=user, schedule__in=schedules)
        .exclude(status=ResponseStatus.SUPERSEDED)
        .values_list("schedule_id", "round_key", "status")
    ):
        if status == ResponseStatus.DRAFT:
            drafts.add((schedule_id, round_key))
        else:
            mine[schedule_id].add(round_key)
    due = []
    for schedule in schedules:
        instrument = registry.get(schedule.instrument_id)
        round_ = actions.current_round(schedule, today)
        if instrument is None or round_ is None or round_.key in mine[schedule.pk]:
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


def revealed_together(
    user: Any, mine: list[MeasureResponse], case: Any = None
) -> list[dict[str, Any]]:
    """The other partner's totals for rounds both have answered, in cases that share totals.

    ``mine``: this partner's submitted responses (the rounds they have answered). ``case``:
    only that case; otherwise every case this person is a partner in. Totals and bands only;
    item answers never leave the respondent and the clinicians. One query whatever the
    history (the cases, the sharing switch and the pause are subqueries).
    """
    cases = policy.partner_cases_for(user)
    if case is not None:
        cases = cases.filter(pk=case.pk)
    # Revealing totals is couple-shared work: nothing is revealed while a case is paused.
    shared_cases = TotalsSharing.objects.filter(
        enabled=True, case__in=cases, case__paused_since__isnull=True
    ).values("case_id")
    answered = {(r.schedule_id, r.round_key): r for r in mine}
    rows = []
    for other in (
        MeasureResponse.objects.filter(policy.other_partner_records_q(user))
        .filter(case_id__in=shared_cases, status=ResponseStatus.SUBMITTED, total__isnull=False)
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
    ):
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
