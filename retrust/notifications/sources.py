"""What the tick finds due: one function per kind of thing waiting, each one query set.

Every source reads the existing models and yields ``Due`` items: *who* should hear that
something of a kind waits, about which subject, on which occasion. The tick turns them into
outbox rows (unique per recipient, kind, subject, occasion), so a source may yield the same
item every minute; it is written once.

Each source runs a fixed number of queries whatever the data size (one, or two where the
pure due-date rules of another app have to run in Python between them), and streams its rows.

A source only ever names what waits for the recipient themself ("an agreement waits for *your*
answer"); it tells one partner what the other did only where the app already shows them the
same (that the other has sent their homework, below). Couple-shared work is not chased
while a case is paused, and nothing is chased in a closed case.

Apps may add their own sources with ``@source`` (and their own kinds in ``kinds``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db.models import Case as SqlCase
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, When
from django.utils import timezone

from retrust.agreements import ledger
from retrust.agreements.models import (
    AgreementStatus,
    AgreementVersion,
    BreachReport,
    Consent,
    Occurrence,
)
from retrust.agreements.queries import observations_by_commitment
from retrust.assessments.due import round_for
from retrust.assessments.models import MeasureResponse, MeasureSchedule, ResponseStatus
from retrust.conversations.models import Break, Conversation, Phase
from retrust.core import pause
from retrust.core.models import Case, CaseMember, CaseStatus, PracticeRole, Track
from retrust.core.rules import Visibility
from retrust.notifications import kinds
from retrust.program import milestones
from retrust.program.models import (
    Assignment,
    DailyAnswer,
    ExerciseResponse,
    ProposalState,
    StageConfirmation,
    StageProposal,
)
from retrust.program.queries import (
    answered_together,
    sent_as_the_other_knows,
    shared_occurrences,
)
from retrust.safety.models import Alert, AlertPriority

# A high alert older than this when first seen (e.g. on the first tick after an upgrade) is not
# emailed: the clinician has seen it on their caseload by then.
HIGH_ALERT_WINDOW = timedelta(days=2)
# Days of a commitment older than this are not chased for confirmation any more.
CONFIRMATION_WINDOW_DAYS = 14
# Homework overdue for longer than this no longer keeps a clinician's daily digest going.
OVERDUE_WINDOW_DAYS = 14
# A break is announced this long before it ends, and not at all once it ended this long ago.
BREAK_NOTICE = timedelta(minutes=10)
BREAK_LATE = timedelta(hours=1)
# News (answers revealed, a milestone) older than this when first seen is not announced: the
# partners have seen it in the app by then (this also keeps an upgrade from announcing the past).
NEWS_WINDOW = timedelta(days=2)
# Reading at most this many rows from the database at a time.
CHUNK = 2000


class Due(NamedTuple):
    recipient_id: int
    kind: str
    # "app_label.model:id" for a record, or a generic key such as "digest".
    subject: str
    occasion: str
    practice_id: int | None


Source = Callable[[datetime], Iterable[Due]]
_SOURCES: dict[str, Source] = {}


def source(function: Source) -> Source:
    """Register a source; the tick runs every registered source."""
    _SOURCES[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def registered() -> list[Source]:
    return list(_SOURCES.values())


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def _open_case(prefix: str = "case") -> Q:
    return ~Q(**{f"{prefix}__status": CaseStatus.CLOSED})


def _not_paused_for(case: str = "case", recipient: str = "recipient") -> Q:
    """Couple-shared work is not chased for whoever a pause holds: until the clinician has
    acted, only the partner who disclosed (the other partner sees no change, so nothing tells
    them); once the clinician has acted, both partners."""
    held_alone = Q(
        **{f"{case}__pause_shown_at__isnull": True, f"{case}__pause_held_for__isnull": False}
    ) & ~Q(**{f"{case}__pause_held_for": F(recipient)})
    return Q(**{f"{case}__paused_since__isnull": True}) | held_alone


# --- clinicians ---------------------------------------------------------------------------


@source
def high_alerts(now: datetime) -> Iterator[Due]:
    """An open high-priority alert: each clinician assigned to the case hears at once.

    Only clinicians still working in the case's practice; the email says nothing about the
    alert (the clinician signs in to read it).
    """
    assigned = Case.clinicians.through.objects.filter(
        case__alerts__priority=AlertPriority.HIGH,
        case__alerts__acknowledged_at__isnull=True,
        case__alerts__created_at__gte=now - HIGH_ALERT_WINDOW,
        case__practice__memberships__user_id=F("user_id"),
        case__practice__memberships__role=PracticeRole.CLINICIAN,
    ).values_list("user_id", "case__alerts__id", "case__practice_id")
    for user_id, alert_id, practice_id in assigned.iterator(chunk_size=CHUNK):
        yield Due(user_id, kinds.HIGH_ALERT.key, f"safety.alert:{alert_id}", "", practice_id)


@source
def clinician_daily_digest(now: datetime) -> Iterator[Due]:
    """Once a day, at the clinician's digest time, if anything waits across their caseload:
    an open alert, or homework past its due date that a partner has not sent."""
    today = _today(now)
    open_alert = Exists(Alert.objects.open().filter(case_id=OuterRef("case_id")))
    overdue_homework = Exists(
        Assignment.objects.filter(
            case_id=OuterRef("case_id"),
            due_on__lt=today,
            due_on__gte=today - timedelta(days=OVERDUE_WINDOW_DAYS),
        )
        .annotate(recipient=F("case__members__user_id"), role=F("case__members__role"))
        .filter(recipient__isnull=False)
        .filter(Q(for_role="") | Q(for_role=F("role")))
        .filter(
            ~Exists(
                ExerciseResponse.objects.filter(
                    assignment=OuterRef("pk"),
                    author=OuterRef("recipient"),
                    submitted_at__isnull=False,
                )
            )
        )
    )
    clinicians = (
        Case.clinicians.through.objects.filter(
            case__practice__memberships__user_id=F("user_id"),
            case__practice__memberships__role=PracticeRole.CLINICIAN,
        )
        .filter(_open_case())
        .filter(open_alert | overdue_homework)
        .values_list("user_id", "case__practice_id")
        .distinct()
    )
    for user_id, practice_id in clinicians.iterator(chunk_size=CHUNK):
        yield Due(user_id, kinds.CLINICIAN_DIGEST.key, "digest", today.isoformat(), practice_id)


# --- partners -----------------------------------------------------------------------------


def _to(users: Iterable[int] | None, field: str = "recipient") -> Q:
    """Only these recipients (all of them when ``users`` is None)."""
    return Q() if users is None else Q(**{f"{field}__in": list(users)})


# Each ``open_*`` function below is the one definition of an open item of its kind, for a set
# of users (everyone when ``users`` is None): the tick turns them into notifications, the
# partner home lists them ("Waiting for you"). Each is one query (check-ins: two).


def open_agreement_answers(users: Iterable[int] | None = None) -> QuerySet[AgreementVersion]:
    """The latest version of a proposed agreement, once per partner who has not answered it."""
    return (
        AgreementVersion.objects.filter(
            number=F("agreement__latest_number"), agreement__status=AgreementStatus.PROPOSED
        )
        .filter(_open_case("agreement__case"))
        .annotate(recipient=F("agreement__case__members__user_id"))
        .filter(recipient__isnull=False)
        .filter(_to(users))
        .filter(_not_paused_for("agreement__case"))
        .filter(
            ~Exists(Consent.objects.filter(version=OuterRef("pk"), partner=OuterRef("recipient")))
        )
    )


@source
def agreements_awaiting_answer(now: datetime) -> Iterator[Due]:
    """An agreement proposed or amended: the partner who has not answered its latest version."""
    versions = open_agreement_answers().values_list(
        "recipient", "agreement_id", "number", "agreement__case__practice_id"
    )
    for recipient, agreement_id, number, practice_id in versions.iterator(chunk_size=CHUNK):
        yield Due(
            recipient,
            kinds.AGREEMENT_ANSWER.key,
            f"agreements.agreement:{agreement_id}",
            f"version-{number}",
            practice_id,
        )


def _to_the_other_partner(records: QuerySet[Any], users: Iterable[int] | None) -> QuerySet[Any]:
    """One row per partner of an open, unheld case who did not write the record: the one
    whose answer or confirmation it waits for."""
    return (
        records.filter(_open_case())
        .annotate(recipient=F("case__members__user_id"))
        .filter(recipient__isnull=False)
        .exclude(recipient=F("author_id"))
        .filter(_to(users))
        .filter(_not_paused_for())
    )


def open_breach_answers(users: Iterable[int] | None = None) -> QuerySet[BreachReport]:
    """A report that an agreement did not hold, once per partner (not its author) to answer."""
    return _to_the_other_partner(BreachReport.objects.filter(responded_at__isnull=True), users)


@source
def breach_reports_awaiting_answer(now: datetime) -> Iterator[Due]:
    """A report that an agreement did not hold: the other partner is asked for their answer."""
    reports = open_breach_answers().values_list("recipient", "pk", "case__practice_id")
    for recipient, report_id, practice_id in reports.iterator(chunk_size=CHUNK):
        yield Due(
            recipient,
            kinds.BREACH_ANSWER.key,
            f"agreements.breachreport:{report_id}",
            "",
            practice_id,
        )


def open_confirmations(today: date, users: Iterable[int] | None = None) -> QuerySet[Occurrence]:
    """Recent days of a commitment waiting for the other partner's confirmation, per partner."""
    return _to_the_other_partner(
        Occurrence.objects.filter(
            confirmation__isnull=True,
            due_on__gte=today - timedelta(days=CONFIRMATION_WINDOW_DAYS),
        ),
        users,
    )


@source
def occurrences_awaiting_confirmation(now: datetime) -> Iterator[Due]:
    """Days of a commitment waiting for the other partner's confirmation: one message a week
    per case, however many days wait."""
    today = _today(now)
    year, week, _ = today.isocalendar()
    waiting = (
        open_confirmations(today)
        .values_list("recipient", "case_id", "case__practice_id")
        .order_by()  # the model's ordering would join the DISTINCT and repeat rows
        .distinct()
    )
    for recipient, case_id, practice_id in waiting.iterator(chunk_size=CHUNK):
        yield Due(
            recipient,
            kinds.CONFIRMATIONS.key,
            f"core.case:{case_id}",
            f"week-{year}-{week:02d}",
            practice_id,
        )


class OpenCheckin(NamedTuple):
    recipient_id: int
    schedule_id: int
    case_id: int
    practice_id: int
    instrument_id: str
    round_key: int
    due_on: date
    phase: str  # "open", "due-tomorrow" or "overdue"


def open_checkins(today: date, users: Iterable[int] | None = None) -> Iterator[OpenCheckin]:
    """The check-in round open today that a partner has not answered yet.

    Two queries: the open schedules with each partner, then the latest round each partner has
    answered; which round is open today is the pure rule in ``assessments.due``.
    """
    users = None if users is None else list(users)

    def stream(queryset: QuerySet[Any]) -> Any:
        # A server-side cursor (three round trips on PostgreSQL) only for many people's rows:
        # one person's check-ins (their "Waiting for you" on every page) are a few rows.
        return queryset.iterator(chunk_size=CHUNK) if users is None or len(users) > 1 else queryset

    latest = (
        MeasureResponse.objects.filter(
            status=ResponseStatus.SUBMITTED,
            schedule__ended_at__isnull=True,
        )
        .filter(_open_case("schedule__case"), _to(users, "author_id"))
        .values("schedule_id", "author_id")
        .annotate(last=Max("round_key"))
        .values_list("schedule_id", "author_id", "last")
    )
    answered = {(schedule_id, author_id): last for schedule_id, author_id, last in stream(latest)}
    schedules = (
        MeasureSchedule.objects.filter(ended_at__isnull=True, starts_on__lte=today)
        .filter(_open_case())
        # One filter call: a second would join the members again (and repeat every row).
        .filter(Q(case__members__isnull=False) & _to(users, "case__members__user_id"))
        .values_list(
            "pk",
            "instrument_id",
            "kind",
            "starts_on",
            "every_weeks",
            "next_session_on",
            "case__members__user_id",
            "case_id",
            "case__practice_id",
        )
    )
    for row in stream(schedules):
        pk, instrument_id, kind, starts_on, every_weeks, session_on, user_id, case_id, practice = (
            row
        )
        try:
            round_ = round_for(
                kind,
                today,
                starts_on=starts_on,
                every_weeks=every_weeks,
                next_session_on=session_on,
            )
        except ValueError:  # a schedule saved without its interval: nothing to chase
            continue
        if round_ is None or answered.get((pk, user_id), -(2**62)) >= round_.key:
            continue
        if round_.overdue(today):
            phase = "overdue"
        elif today == round_.due_on - timedelta(days=1):
            phase = "due-tomorrow"
        else:
            phase = "open"
        yield OpenCheckin(
            user_id, pk, case_id, practice, instrument_id, round_.key, round_.due_on, phase
        )


@source
def checkins_due(now: datetime) -> Iterator[Due]:
    """A check-in round: when it opens, the day before it is due, and once it is overdue."""
    for item in open_checkins(_today(now)):
        yield Due(
            item.recipient_id,
            kinds.CHECKIN.key,
            f"assessments.measureschedule:{item.schedule_id}",
            f"round-{item.round_key}:{item.phase}",
            item.practice_id,
        )


def open_homework(
    users: Iterable[int] | None = None, *, due_from: date | None = None
) -> QuerySet[Assignment]:
    """Homework given to a partner (or to both) that this partner has not sent, per partner;
    only homework due on or after ``due_from`` when given."""
    dated = Q() if due_from is None else Q(due_on__gte=due_from)
    return (
        Assignment.objects.filter(dated)
        .filter(_open_case())
        .annotate(recipient=F("case__members__user_id"), role=F("case__members__role"))
        .filter(recipient__isnull=False)
        .filter(_to(users))
        .filter(Q(for_role="") | Q(for_role=F("role")))
        .filter(
            ~Exists(
                ExerciseResponse.objects.filter(
                    assignment=OuterRef("pk"),
                    author=OuterRef("recipient"),
                    submitted_at__isnull=False,
                )
            )
        )
    )


@source
def homework_waiting(now: datetime) -> Iterator[Due]:
    """Homework given to this partner and not yet sent: once when given, once when due soon
    (the day before and the day it is due)."""
    today = _today(now)
    assignments = open_homework(due_from=today).values_list(
        "recipient", "pk", "due_on", "case__practice_id"
    )
    for recipient, assignment_id, due_on, practice_id in assignments.iterator(chunk_size=CHUNK):
        occasion = "due-soon" if today >= due_on - timedelta(days=1) else "assigned"
        yield Due(
            recipient,
            kinds.HOMEWORK.key,
            f"program.assignment:{assignment_id}",
            occasion,
            practice_id,
        )


def open_turns(now: datetime, users: Iterable[int] | None = None) -> QuerySet[Conversation]:
    """Conversations waiting for a partner's turn (not during a break), after the first turn:
    whoever opens a conversation speaks first and knows it."""
    return (
        Conversation.objects.filter(turn_count__gte=1)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .filter(_open_case())
        .annotate(
            recipient=SqlCase(
                When(phase__in=[Phase.SPEAK, Phase.CONFIRM], then=F("speaker_id")),
                default=F("listener_id"),
            )
        )
        .filter(_to(users))
        .filter(_not_paused_for())
    )


@source
def conversation_turns(now: datetime) -> Iterator[Due]:
    """A conversation waiting for this partner's turn."""
    waiting = open_turns(now).values_list("recipient", "pk", "turn_count", "case__practice_id")
    for recipient, conversation_id, turns, practice_id in waiting.iterator(chunk_size=CHUNK):
        yield Due(
            recipient,
            kinds.CONVERSATION_TURN.key,
            f"conversations.conversation:{conversation_id}",
            f"turn-{turns}",
            practice_id,
        )


@source
def breaks_ending(now: datetime) -> Iterator[Due]:
    """A break in a conversation is about to end: both partners hear, whoever took it (both
    see the break in the app already)."""
    ending = (
        Break.objects.filter(returns_at__lte=now + BREAK_NOTICE, returns_at__gt=now - BREAK_LATE)
        .filter(_open_case())
        .annotate(recipient=F("case__members__user_id"))
        .filter(recipient__isnull=False)
        .filter(_not_paused_for())
        .values_list("recipient", "pk", "case__practice_id")
    )
    for recipient, break_id, practice_id in ending.iterator(chunk_size=CHUNK):
        yield Due(
            recipient, kinds.BREAK_ENDING.key, f"conversations.break:{break_id}", "", practice_id
        )


def open_stage_moves(users: Iterable[int] | None = None) -> QuerySet[StageProposal]:
    """An open proposal to move to the next stage, once per partner who has not confirmed."""
    return (
        StageProposal.objects.filter(state=ProposalState.OPEN)
        .filter(_open_case())
        .annotate(recipient=F("case__members__user_id"))
        .filter(recipient__isnull=False)
        .filter(_to(users))
        .filter(_not_paused_for())
        .filter(
            ~Exists(
                StageConfirmation.objects.filter(
                    proposal=OuterRef("pk"), user=OuterRef("recipient")
                )
            )
        )
    )


@source
def stage_moves_awaiting_confirmation(now: datetime) -> Iterator[Due]:
    """The clinician proposed moving to the next stage: each partner who has not confirmed."""
    proposals = open_stage_moves().values_list("recipient", "pk", "case__practice_id")
    for recipient, proposal_id, practice_id in proposals.iterator(chunk_size=CHUNK):
        yield Due(
            recipient,
            kinds.STAGE_CONFIRMATION.key,
            f"program.stageproposal:{proposal_id}",
            "",
            practice_id,
        )


# --- answers revealed together, and milestones ----------------------------------------------
#
# "Your partner has answered, answer to see theirs" is the message the issue asks for. It was
# first left out, because nothing in the app then told a partner whether the other had sent
# their answers to homework revealed together: a message set off by the other's answer would
# have told them what the app kept from them (its words, its timing, or whether it came at
# all). A reminder that never depended on the other partner stood in for it.
#
# The homework pages now say, to each partner, whether the other has sent theirs (never what):
# the program page's list and the homework page read "Ari has sent theirs" as soon as Ari has, by
# the one rule ``program.queries.sent_as_the_other_knows``. The message below tells the partner
# who has not answered exactly that fact, and only when that page shows it: so it says nothing
# the app does not, which is the rule ("nothing tells one partner whether the other has done
# something, except what both already see in the app"). The daily question's card says the same
# ("Your partner has answered. Answer to see theirs."), so it has its own such message, once a
# day at most, which a person can switch off apart. What a partner held by a pause sends
# is not shown on the other's page until the pause ends, so it sets off nothing either; and
# nobody held by a pause is chased for couple work. Then comes the news of a reveal, which both
# partners see in the app at the same moment. Check-ins whose totals are revealed together are
# not chased this way: their pages say nothing of whether the other partner has answered, so
# ``checkins_due`` reminds each partner on dates that never depend on the other.


def sent_by_the_other_partner() -> Exists:
    """For an assignment annotated with a ``recipient``: whether the other partner has sent
    answers that the recipient's homework page says were sent (whether, never what)."""
    return Exists(
        ExerciseResponse.objects.filter(sent_as_the_other_knows())
        .filter(assignment_id=OuterRef("pk"))
        .exclude(author_id=OuterRef("recipient"))
    )


def open_partner_answers(today: date, users: Iterable[int] | None = None) -> QuerySet[Assignment]:
    """Homework revealed together that the other partner has sent and this partner has not,
    per partner; only homework whose date is at most ``OVERDUE_WINDOW_DAYS`` behind."""
    return (
        open_homework(users, due_from=today - timedelta(days=OVERDUE_WINDOW_DAYS))
        .filter(reveal_together=True, revealed_at__isnull=True)
        .filter(_not_paused_for())
        .filter(sent_by_the_other_partner())
    )


@source
def partner_answered(now: datetime) -> Iterator[Due]:
    """Homework revealed together that the other partner has answered: the partner who has not
    hears once that their answers are what stands between both of them and reading the other's.
    One query; the email itself says only that something is waiting."""
    waiting = open_partner_answers(_today(now)).values_list("recipient", "pk", "case__practice_id")
    for recipient, assignment_id, practice_id in waiting.iterator(chunk_size=CHUNK):
        yield Due(
            recipient,
            kinds.PARTNER_ANSWERED.key,
            f"program.assignment:{assignment_id}",
            "",
            practice_id,
        )


@source
def partner_answered_today(now: datetime) -> Iterator[Due]:
    """Today's question answered by one partner: the other, if they have not answered today,
    hears once, as their daily card says ("Your partner has answered. Answer to see theirs.").

    Only where the card shows it: a couple's case with the daily question on, an answer that no
    pause holds back from the other's card; nobody held by a pause is chased. The occasion is
    the day, so it comes at most once a day, and only on the day of the question. One query.
    """
    today = _today(now)
    answered_too = DailyAnswer.objects.filter(
        case_id=OuterRef("case_id"), day=today, author_id=OuterRef("recipient")
    )
    waiting = (
        DailyAnswer.objects.filter(day=today)
        .exclude(pause.held_q())
        .filter(_open_case())
        .exclude(case__track=Track.INDIVIDUAL)
        .exclude(case__daily_question_settings__enabled=False)
        .annotate(recipient=F("case__members__user_id"))
        .filter(recipient__isnull=False)
        .exclude(recipient=F("author_id"))
        .filter(_not_paused_for())
        .filter(~Exists(answered_too))
        .values_list("recipient", "case_id", "case__practice_id")
    )
    for recipient, case_id, practice_id in waiting.iterator(chunk_size=CHUNK):
        yield Due(
            recipient,
            kinds.DAILY_PARTNER_ANSWERED.key,
            f"core.case:{case_id}",
            f"day-{today.isoformat()}",
            practice_id,
        )


@source
def answers_revealed(now: datetime) -> Iterator[Due]:
    """Homework revealed together that has just been revealed: the partner who had sent their
    answers first hears that the other's answers are there to read.

    Only when there is something for them to read: answers the other partner shared with the
    couple and that no pause holds, exactly what their homework page now shows. Both partners
    see the reveal in the app at the same moment, and the partner who answered last was told on
    their page that sending would show their answers; so the message says nothing the app does
    not, and nothing of what was written. The partner whose answer revealed them is not told
    (they are looking at the page).
    """
    shared_by_the_other = (
        ExerciseResponse.objects.filter(
            assignment__reveal_together=True,
            assignment__revealed_at__gte=now - NEWS_WINDOW,
            submitted_at__isnull=False,
            visibility=Visibility.COUPLE.value,
        )
        .exclude(pause.held_q())
        .annotate(recipient=F("case__members__user_id"))
        .filter(recipient__isnull=False)
        .exclude(recipient=F("author_id"))
        .filter(_open_case(), _not_paused_for())
        .filter(
            Exists(
                ExerciseResponse.objects.filter(
                    assignment_id=OuterRef("assignment_id"),
                    author_id=OuterRef("recipient"),
                    submitted_at__lt=OuterRef("assignment__revealed_at"),
                )
            )
        )
        .values_list("recipient", "assignment_id", "case__practice_id")
        .order_by()
        .distinct()
    )
    for recipient, assignment_id, practice_id in shared_by_the_other.iterator(chunk_size=CHUNK):
        yield Due(
            recipient,
            kinds.ANSWERS_REVEALED.key,
            f"program.assignment:{assignment_id}",
            "revealed",
            practice_id,
        )


def _partners_of(case_ids: Iterable[int]) -> Iterator[tuple[int, int, int]]:
    """(case, partner, practice) for each partner of these cases who may hear about shared
    work: an open case, not held by a pause. One query."""
    members = (
        CaseMember.objects.filter(case_id__in=list(case_ids))
        .annotate(recipient=F("user_id"))
        .filter(_open_case(), _not_paused_for())
        .values_list("case_id", "user_id", "case__practice_id")
    )
    return members.iterator(chunk_size=CHUNK)


def _milestone(case_ids: Iterable[int], key: str) -> Iterator[Due]:
    for case_id, user_id, practice_id in _partners_of(case_ids):
        yield Due(user_id, kinds.MILESTONE.key, f"core.case:{case_id}", key, practice_id)


# Milestones are announced only when they are *shared* cards (``program.milestones``): both
# partners see the same card from the same moment, so telling both says nothing about either
# that the app does not. Personal cards (one's own check-ins, one's own questionnaire answers)
# stay on the page: a reliable change in a questionnaire is clinical news for a session, not
# for an inbox, and the occasion of a personal card would be a clinical word in the outbox.
# Each milestone is announced once per case (its key is the occasion), only when reached within
# ``NEWS_WINDOW``.


@source
def first_exercise_together(now: datetime) -> Iterator[Due]:
    """The first homework both partners answered and both may read: two queries."""
    recent = ExerciseResponse.objects.filter(submitted_at__gte=now - NEWS_WINDOW).values("case_id")
    first: dict[int, datetime] = {}
    groups = answered_together(ExerciseResponse.objects.filter(case_id__in=recent)).values_list(
        "case_id", "last"
    )
    for case_id, last in groups.iterator(chunk_size=CHUNK):
        if case_id not in first or last < first[case_id]:
            first[case_id] = last
    reached = [case_id for case_id, moment in first.items() if moment >= now - NEWS_WINDOW]
    yield from _milestone(reached, "first-together")


@source
def stages_completed(now: datetime) -> Iterator[Due]:
    """A stage the couple moved on from (both confirmed the clinician's proposal): one query."""
    carried = (
        StageProposal.objects.filter(state=ProposalState.CARRIED, decided_at__gte=now - NEWS_WINDOW)
        .annotate(recipient=F("case__members__user_id"))
        .filter(recipient__isnull=False)
        .filter(_open_case(), _not_paused_for())
        .values_list("recipient", "case_id", "from_stage", "case__practice_id")
    )
    for recipient, case_id, stage, practice_id in carried.iterator(chunk_size=CHUNK):
        yield Due(
            recipient, kinds.MILESTONE.key, f"core.case:{case_id}", f"stage-{stage}", practice_id
        )


@source
def promises_kept_in_a_row(now: datetime) -> Iterator[Due]:
    """A commitment both partners see, kept ``KEPT_IN_A_ROW`` times in a row, the run reaching
    that length within the window: two queries (the shared records of commitments recorded
    lately, then the partners)."""
    since = now - NEWS_WINDOW
    recent = shared_occurrences().filter(created_at__gte=since).values("commitment_id")
    rows = (
        shared_occurrences()
        .filter(commitment_id__in=recent)
        .values_list(
            "commitment_id",
            "author_id",
            "due_on",
            "outcome",
            "confirmation__verdict",
            "case_id",
            "created_at",
        )
    )
    case_of: dict[int, int] = {}
    now_rows: list[Any] = []
    before_rows: list[Any] = []
    for row in rows.iterator(chunk_size=CHUNK):
        case_of[row[0]] = row[5]
        now_rows.append(row[:5])
        if row[6] < since:
            before_rows.append(row[:5])
    current = observations_by_commitment(now_rows)
    before = observations_by_commitment(before_rows)
    reached = {
        case_of[commitment_id]
        for commitment_id, observations in current.items()
        if ledger.current_streak(observations)
        >= milestones.KEPT_IN_A_ROW
        > ledger.current_streak(before.get(commitment_id, []))
    }
    yield from _milestone(reached, f"kept-{milestones.KEPT_IN_A_ROW}-in-a-row")
