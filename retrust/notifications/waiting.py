"""What waits on a person: the partner's "Waiting for you" list and the clinician's "Today".

Built from the same ``open_*`` functions that the tick turns into notifications, so a reminder
and the list never disagree. Each function reads a fixed number of queries whatever the data
size. A partner's list only ever says what waits for *them* ("an agreement waits for your
answer"), and of what the other partner did only what the page it links to says already (that
they have sent their homework, never what).

Some kinds of message are not items of their own, because nothing new in them waits to be
done: answers revealed together (the homework page shows them), a milestone (its card is on the
program page), and "your partner has answered" for homework revealed together, which is already
here as the homework, with the same words as a note (the homework page says so too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from retrust.assessments import registry as instruments
from retrust.clinic.models import SessionNote
from retrust.core import policy, registry
from retrust.core.models import Case, CaseMember
from retrust.core.registry import Panel
from retrust.notifications import sources
from retrust.program.models import ProposalState, StageProposal
from retrust.safety.models import Alert


@dataclass(frozen=True)
class Waiting:
    """One open item: what it is, in plain words, and where it is done."""

    kind: str
    text: str
    url: str
    since: date
    case_id: int
    note: str = ""


def _day(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        return timezone.localdate(moment)
    return moment


def waiting_for(user_ids: Iterable[int], now: datetime | None = None) -> dict[int, list[Waiting]]:
    """Every open item that waits on each of these partners, oldest first. Eight queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    users = list(user_ids)
    found: dict[int, list[Waiting]] = {user_id: [] for user_id in users}

    def add(user_id: int, item: Waiting) -> None:
        found.setdefault(user_id, []).append(item)

    def rows(queryset: Any) -> Any:
        # Streamed (a server-side cursor on PostgreSQL) for the tick's many partners; one
        # person's list (the menu badge on every partner page) is a few rows, and a cursor
        # would cost three round trips instead of one.
        return queryset.iterator() if len(users) > 1 else queryset

    for user_id, agreement_id, title, number, created, case_id in rows(
        sources.open_agreement_answers(users).values_list(
            "recipient", "agreement_id", "title", "number", "created_at", "agreement__case_id"
        )
    ):
        changed = "A change to an agreement" if number > 1 else "A new agreement"
        add(
            user_id,
            Waiting(
                "agreement_answer",
                f"{changed} waits for your answer: “{title}”",
                reverse("agreement_detail", args=[agreement_id]),
                _day(created),
                case_id,
            ),
        )
    for user_id, agreement_id, created, case_id in rows(
        sources.open_breach_answers(users).values_list(
            "recipient", "agreement_id", "created_at", "case_id"
        )
    ):
        add(
            user_id,
            Waiting(
                "breach_answer",
                "A note that an agreement did not hold waits for your answer",
                reverse("agreement_detail", args=[agreement_id]),
                _day(created),
                case_id,
            ),
        )
    for row in rows(
        sources.open_confirmations(today, users)
        .values("recipient", "commitment_id", "case_id")
        .annotate(days=Count("pk"), oldest=Min("due_on"))
        .order_by()
    ):
        days = row["days"]
        add(
            row["recipient"],
            Waiting(
                "confirmations",
                f"{days} day{'s' if days != 1 else ''} of a commitment "
                f"{'wait' if days != 1 else 'waits'} for you to confirm",
                reverse("commitment_detail", args=[row["commitment_id"]]),
                row["oldest"],
                row["case_id"],
            ),
        )
    phases = {"open": "", "due-tomorrow": "Due tomorrow", "overdue": "Overdue, whenever you can"}
    for checkin in sources.open_checkins(today, users):
        # In the app the list names the check-in, as the person's own check-ins page does (two
        # open at once would otherwise read alike); an email never does.
        instrument = instruments.get(checkin.instrument_id)
        add(
            checkin.recipient_id,
            Waiting(
                "checkin",
                f"Your check-in is ready: {instrument.title}"
                if instrument
                else "Your check-in is ready",
                reverse("answer_checkin", args=[checkin.schedule_id]),
                checkin.due_on,
                checkin.case_id,
                phases[checkin.phase],
            ),
        )
    for user_id, assignment_id, title, due_on, created, case_id, together, other_sent in (
        sources.open_homework(users)
        .annotate(other_sent=sources.sent_by_the_other_partner())
        .values_list(
            "recipient",
            "pk",
            "title",
            "due_on",
            "created_at",
            "case_id",
            "reveal_together",
            "other_sent",
        )
    ):
        note = f"Due {due_on:%-d %b}" if due_on >= today else "Past its date, whenever you can"
        if together and other_sent:
            # The homework page says the same ("Ari has sent theirs"), never what they wrote.
            note = f"Your partner has answered: answer to see theirs. {note}"
        add(
            user_id,
            Waiting(
                "homework",
                f"Homework for you: {title}",
                reverse("program_homework", args=[assignment_id]),
                _day(created),
                case_id,
                note,
            ),
        )
    for user_id, conversation_id, topic, updated, case_id in rows(
        sources.open_turns(now, users).values_list(
            "recipient", "pk", "topic", "updated_at", "case_id"
        )
    ):
        add(
            user_id,
            Waiting(
                "conversation_turn",
                f"Your turn in the conversation “{topic}”",
                reverse("conversation", args=[conversation_id]),
                _day(updated),
                case_id,
            ),
        )
    for user_id, created, case_id in rows(
        sources.open_stage_moves(users).values_list("recipient", "created_at", "case_id")
    ):
        add(
            user_id,
            Waiting(
                "stage_confirmation",
                "Your clinician suggests moving to the next stage: it waits for your yes",
                reverse("program_partner", args=[case_id]),
                _day(created),
                case_id,
            ),
        )
    for items in found.values():
        items.sort(key=lambda item: (item.since, item.kind, item.url))
    return found


def mine(user: Any) -> list[Waiting]:
    """This partner's list, worked out once per request (the home page and the menu share it)."""
    cached = getattr(user, "_retrust_waiting", None)
    if cached is None:
        case_ids = set(CaseMember.objects.filter(user=user).values_list("case_id", flat=True))
        items = waiting_for([user.pk]).get(user.pk, [])
        cached = [item for item in items if item.case_id in case_ids]
        user._retrust_waiting = cached
    return cached


def nav_count(user: Any) -> int:
    """The number beside "Waiting for you" in the menu."""
    return len(mine(user))


def home_panel(user: Any, cases: Mapping[int, Any]) -> dict[int, list[Panel]]:
    """The first block of each case on the partner home."""
    items = mine(user)
    return {
        case_id: [
            Panel(
                "notifications/_waiting_panel.html",
                {"items": [item for item in items if item.case_id == case_id]},
                order=0,
                lead=True,
            )
        ]
        for case_id in cases
    }


# --- the clinician's "Today" --------------------------------------------------------------


@dataclass(frozen=True)
class Today:
    alerts: list[Alert]
    overdue_checkins: list[dict[str, Any]]
    overdue_homework: list[dict[str, Any]]
    stage_moves: list[StageProposal]
    notes_to_sign: list[SessionNote]
    cases: dict[int, Case]
    # What other apps add (``registry.today_section``), e.g. messages waiting for a reply.
    sections: list[Panel] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing waits (sessions booked for today are a schedule, not something waiting)."""
        return not (
            any(not section.lead for section in self.sections)
            or self.alerts
            or self.overdue_checkins
            or self.overdue_homework
            or self.stage_moves
            or self.notes_to_sign
        )


def today_for(clinician: Any, now: datetime | None = None) -> Today:
    """Across this clinician's cases: open alerts, overdue check-ins and homework, stage moves
    still open, and their own draft notes to sign. A fixed number of queries (eight)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cases = {
        case.pk: case
        for case in policy.caseload_for(clinician).exclude(status="closed").order_by("label")
    }
    case_ids = list(cases)
    members = {
        (row.case_id, row.user_id): row.user.name
        for row in CaseMember.objects.filter(case_id__in=case_ids).select_related("user")
    }
    alerts = list(
        Alert.objects.open()
        .filter(case_id__in=case_ids)
        .select_related("case")
        .order_by("created_at")
    )
    alerts.sort(key=lambda alert: alert.priority != "high")  # high first, each oldest first
    partners = list({user_id for (_, user_id) in members})
    checkins = []
    for item in sources.open_checkins(today, partners):
        if item.phase == "overdue" and item.case_id in cases:
            checkins.append(
                {
                    "case": cases[item.case_id],
                    "who": members.get((item.case_id, item.recipient_id), ""),
                    "due_on": item.due_on,
                }
            )
    checkins.sort(key=lambda row: row["due_on"])
    homework = [
        {
            "case": cases[case_id],
            "who": members.get((case_id, user_id), ""),
            "title": title,
            "due_on": due_on,
        }
        for user_id, title, due_on, case_id in sources.open_homework(partners)
        .filter(
            case_id__in=case_ids,
            due_on__lt=today,
            due_on__gte=today - timedelta(days=sources.OVERDUE_WINDOW_DAYS),
        )
        .order_by("due_on", "pk")
        .values_list("recipient", "title", "due_on", "case_id")
    ]
    stage_moves = list(
        StageProposal.objects.filter(case_id__in=case_ids, state=ProposalState.OPEN)
        .select_related("case")
        .order_by("created_at")
    )
    notes = list(
        SessionNote.objects.filter(case_id__in=case_ids, author=clinician, signed_at__isnull=True)
        .select_related("case")
        .order_by("session_date", "pk")
    )
    sections = registry.today_sections_for(clinician, cases)
    return Today(alerts, checkins, homework, stage_moves, notes, cases, sections)


__all__ = [
    "Today",
    "Waiting",
    "home_panel",
    "mine",
    "nav_count",
    "today_for",
    "waiting_for",
]
