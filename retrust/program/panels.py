"""The program's blocks on the partner home: where the couple is, and what they shared lately.

Each provider reads a fixed number of queries for all of the person's cases at once, whatever
the amount of data behind them. "Recent shared activity" lists only things both partners may
read (shared with the couple, through ``visible_to``, so a held partner's new records never
show), in plain words, newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from retrust.agreements.models import (
    Agreement,
    AgreementVersion,
    Confirmation,
    Consent,
    Occurrence,
)
from retrust.core import pause, policy
from retrust.core.models import JournalEntry
from retrust.core.policy import CaseAccess
from retrust.core.registry import Panel
from retrust.core.rules import Visibility
from retrust.program import forms, journey, queries
from retrust.program.models import (
    AppreciationNote,
    CaseGoal,
    GoalStatus,
    ProposalState,
    StageProposal,
)

ACTIVITY_PER_CASE = 6
# Rows read per source for all cases together: enough for a few busy days, never the history.
_PER_SOURCE = 30


def journey_panel(user: Any, cases: Mapping[int, CaseAccess]) -> dict[int, list[Panel]]:
    """The path, the stage's purpose and the goals being worked on. One query."""
    goals: dict[int, list[CaseGoal]] = {}
    working = [GoalStatus.OPEN, GoalStatus.PROGRESSING]
    for goal in CaseGoal.objects.filter(case_id__in=list(cases), status__in=working).order_by(
        "created_at", "id"
    ):
        goals.setdefault(goal.case_id, []).append(goal)
    return {
        case_id: [
            Panel(
                "program/_journey_panel.html",
                {
                    "case": access.case,
                    "journey": journey.journey(access.case.track, access.case.stage),
                    "goals": goals.get(case_id, []),
                },
                order=-10,
                lead=True,
            )
        ]
        for case_id, access in cases.items()
    }


@dataclass(frozen=True)
class Happening:
    """One line of recent shared activity."""

    at: datetime
    text: str
    url: str
    case_id: int


def _who(user: Any, author: Any) -> str:
    return "You" if author.pk == user.pk else author.name


def _named(relation: str) -> tuple[str, ...]:
    """The columns of a related person that ``User.name`` reads: the lines below read only
    what they show (no whole user rows, no encrypted answers or notes to decrypt)."""
    return (f"{relation}__display_name", f"{relation}__email")


def shared_activity(accesses: Sequence[CaseAccess]) -> dict[int, list[Happening]]:
    """What both partners of each case can see happened lately, newest first. Seven queries."""
    if not accesses:
        return {}
    user = accesses[0].user
    case_ids = [access.case.pk for access in accesses]
    found: dict[int, list[Happening]] = {case_id: [] for case_id in case_ids}
    in_cases = Q(case_id__in=case_ids)

    def visible(queryset: Any) -> Any:
        return policy.visible_in(accesses, queryset)

    def add(case_id: int, at: datetime | None, text: str, url: str) -> None:
        if at is not None:
            found.setdefault(case_id, []).append(Happening(at, text, url, case_id))

    answers = (
        queries.responses_in(accesses)
        .filter(visibility=Visibility.COUPLE.value, submitted_at__isnull=False)
        .select_related("author", "assignment")
        .only("case_id", "submitted_at", "assignment__title", *_named("author"))
        .order_by("-submitted_at")[:_PER_SOURCE]
    )
    for response in answers:
        add(
            response.case_id,
            response.submitted_at,
            f"{_who(user, response.author)} shared answers to “{response.assignment.title}”",
            reverse("program_partner", args=[response.case_id]),
        )
    # Notes and journal entries the author shared with both: who shared what, and where.
    shared: tuple[tuple[Any, str, Callable[[Any], str]], ...] = (
        (
            AppreciationNote,
            "sent a note of appreciation",
            lambda note: reverse("program_partner", args=[note.case_id]),
        ),
        (
            JournalEntry,
            "shared a journal entry",
            lambda entry: reverse("journal_entry", args=[entry.pk]),
        ),
    )
    for model, what, link in shared:
        rows = (
            visible(model.objects.all())
            .filter(visibility=Visibility.COUPLE.value)
            .select_related("author")
            .only("case_id", "created_at", *_named("author"))
            .order_by("-created_at")[:_PER_SOURCE]
        )
        for row in rows:
            add(row.case_id, row.created_at, f"{_who(user, row.author)} {what}", link(row))
    agreements = visible(Agreement.objects.all()).values("pk")
    for version in (
        AgreementVersion.objects.filter(agreement__in=agreements)
        .select_related("proposed_by", "agreement")
        .only("number", "title", "created_at", "agreement__case_id", *_named("proposed_by"))
        .order_by("-created_at")[:_PER_SOURCE]
    ):
        changed = "proposed a change to" if version.number > 1 else "proposed"
        add(
            version.agreement.case_id,
            version.created_at,
            f"{_who(user, version.proposed_by)} {changed} “{version.title}”",
            reverse("agreement_detail", args=[version.agreement_id]),
        )
    for consent in (
        Consent.objects.filter(version__agreement__in=agreements, decision="accepted")
        # Proposing is the proposer's consent, already said as "proposed".
        .exclude(partner_id=F("version__proposed_by_id"))
        .select_related("partner", "version__agreement")
        .only(
            "created_at",
            "version__title",
            "version__agreement__case_id",
            *_named("partner"),
        )
        .order_by("-created_at")[:_PER_SOURCE]
    ):
        add(
            consent.version.agreement.case_id,
            consent.created_at,
            f"{_who(user, consent.partner)} agreed to “{consent.version.title}”",
            reverse("agreement_detail", args=[consent.version.agreement_id]),
        )
    # Confirmations of one commitment by one person on one day read as one line.
    grouped: dict[tuple[int, int, str], list[Confirmation]] = {}
    for confirmation in (
        Confirmation.objects.filter(
            occurrence__in=visible(Occurrence.objects.all()).values("pk"),
            verdict="confirmed",
        )
        .select_related("partner", "occurrence__commitment")
        .only(
            "created_at",
            "partner_id",
            "occurrence__commitment__case_id",
            "occurrence__commitment__action",
            *_named("partner"),
        )
        .order_by("-created_at")[:_PER_SOURCE]
    ):
        key = (
            confirmation.occurrence.commitment_id,
            confirmation.partner_id,
            f"{confirmation.created_at:%Y-%m-%d}",
        )
        grouped.setdefault(key, []).append(confirmation)
    for rows in grouped.values():
        first = rows[0]
        days = len(rows)
        commitment = first.occurrence.commitment
        add(
            commitment.case_id,
            first.created_at,
            f"{_who(user, first.partner)} confirmed {days} day{'s' if days != 1 else ''} of "
            f"“{commitment.action}”",
            reverse("commitment_detail", args=[commitment.pk]),
        )
    for proposal in StageProposal.objects.filter(in_cases, state=ProposalState.CARRIED).order_by(
        "-decided_at"
    )[:_PER_SOURCE]:
        step = journey.journey("conjoint", proposal.to_stage).current
        name = step.name if step is not None else ""
        add(
            proposal.case_id,
            proposal.decided_at,
            f"You moved on to stage {journey.stage_place(proposal.to_stage)}: {name}",
            reverse("program_partner", args=[proposal.case_id]),
        )
    for items in found.values():
        items.sort(key=lambda item: item.at, reverse=True)
        del items[ACTIVITY_PER_CASE:]
    return found


def activity_panel(user: Any, cases: Mapping[int, CaseAccess]) -> dict[int, list[Panel]]:
    """Recent shared activity, in cases where there is someone to share with."""
    together = [case_id for case_id, access in cases.items() if access.case.track != "individual"]
    activity = shared_activity([cases[case_id] for case_id in together])
    return {
        case_id: [
            Panel(
                "program/_activity_panel.html",
                {"case_id": case_id, "items": activity.get(case_id, [])},
                order=20,
                lead=True,
            )
        ]
        for case_id in together
    }


def daily_card(user: Any, today: queries.DailyToday, form: Any = None) -> dict[str, Any]:
    """What the daily question card shows one partner: the same on the home page and its page."""
    case = today.case
    held = pause.is_held(case, user)
    if form is None and today.prompt is not None and (today.mine is None or not today.revealed):
        form = forms.DailyAnswerForm(
            initial={
                "prompt_id": today.prompt.id,
                "body": today.mine.body if today.mine is not None else "",
            },
            auto_id=f"daily-{case.pk}-%s",
        )
    return {
        "today": today,
        "case": case,
        "form": None if held else form,
        "held": held,
        "pause_message": pause.message_for(case, user) if held else "",
    }


def daily_panel(user: Any, cases: Mapping[int, CaseAccess]) -> dict[int, list[Panel]]:
    """Today's question in each case that has one. Three queries whatever the history."""
    found = queries.daily_today(list(cases.values()), timezone.localdate())
    return {
        case_id: [Panel("program/_daily_panel.html", daily_card(user, today), order=5, lead=True)]
        for case_id, today in found.items()
        if today.prompt is not None
    }
