"""What the agreements pages and the API read: one builder per thing, shared by both.

Every builder takes the reader's ``CaseAccess`` and reads partner-authored rows through
``access.read``: only what this person may see, and a clinician's read recorded once per
request under the ``what`` named here. A page and an API route that show the same content call
the same builder, so they show the same rows and audit them the same way.

Occurrences are read as one flat list of ``(commitment, author, day, outcome, verdict)`` rows and
the ledger maths runs in Python, so no read here grows in queries with the history behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from django.db.models import Prefetch, QuerySet

from retrust.agreements import chart as charts
from retrust.agreements import ledger
from retrust.agreements import schedule as schedules
from retrust.agreements.models import (
    Agreement,
    AgreementNote,
    AgreementStatus,
    AgreementVersion,
    BreachReport,
    Commitment,
    Consent,
    DisputeReply,
    Occurrence,
)

# What a clinician's read is recorded as (``retrust.case.content.viewed``, ``details.what``).
AGREEMENTS = "agreements"  # a case's agreements
AGREEMENT = "agreement"  # one agreement: its versions, consents, notes and breach reports
COMMITMENTS = "commitments"  # a case's commitments and their follow-through
COMMITMENT = "commitment"  # one commitment: its recorded days, their notes, its follow-through
LEDGER = "ledger"  # a case's follow-through by partner and by commitment

CHART_POINTS = 26
UNRECORDED_WINDOW_DAYS = 14

# --- occurrences as ledger observations ---------------------------------------------------

Row = tuple[int, int, date, str, str | None]


def occurrence_rows(occurrences: Any) -> list[Row]:
    """(commitment id, author id, due on, outcome, the other partner's verdict) per occurrence."""
    return list(
        occurrences.values_list(
            "commitment_id", "author_id", "due_on", "outcome", "confirmation__verdict"
        )
    )


def as_observation(row: Row) -> ledger.Observation:
    _, _, due_on, outcome, verdict = row
    source = {
        "confirmed": ledger.Source.CONFIRMED,
        "disputed": ledger.Source.DISPUTED,
    }.get(verdict or "", ledger.Source.SELF_REPORTED)
    return ledger.Observation(on=due_on, kept=outcome == "kept", source=source)


def observations_by_commitment(rows: list[Row]) -> dict[int, list[ledger.Observation]]:
    grouped: dict[int, list[ledger.Observation]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(as_observation(row))
    return grouped


def observations_by_author(rows: list[Row]) -> dict[int, list[ledger.Observation]]:
    grouped: dict[int, list[ledger.Observation]] = {}
    for row in rows:
        grouped.setdefault(row[1], []).append(as_observation(row))
    return grouped


# --- the ledger series ----------------------------------------------------------------------


@dataclass
class Ledger:
    """Follow-through today and over time: the numbers behind a chart, its table and the API."""

    estimate: ledger.Estimate
    streak: int
    points: list[ledger.Estimate]
    tally: ledger.Tally

    @cached_property
    def chart(self) -> charts.Chart:
        return charts.follow_through_chart(self.points)


def chart_days(first: date | None, today: date) -> list[date]:
    """Daily points for the first four weeks, weekly after that, at most ``CHART_POINTS``."""
    if first is None:
        return [today]
    span = (today - first).days
    step = 1 if span <= 28 else 7
    days = [today - timedelta(days=step * i) for i in range(CHART_POINTS)]
    return sorted(day for day in days if day >= first - timedelta(days=step - 1))


def build_ledger(observations: list[ledger.Observation], today: date, unit: str = "day") -> Ledger:
    first = min((obs.on for obs in observations), default=None)
    points = ledger.series(observations, chart_days(first, today))
    return Ledger(
        estimate=points[-1],
        streak=ledger.current_streak(observations),
        points=points,
        tally=ledger.recent_tally(observations, unit=unit),
    )


# --- agreements -----------------------------------------------------------------------------


def _versions() -> QuerySet[AgreementVersion]:
    return (
        AgreementVersion.objects.select_related("proposed_by")
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.select_related("partner")))
        .order_by("number")
    )


def agreements(access: Any) -> list[Agreement]:
    """The case's agreements, newest activity first, each with ``history`` (oldest version
    first), ``latest`` and ``waiting_for_me`` (a partner's answer is still needed)."""
    found = list(
        access.read(Agreement.objects.all(), AGREEMENTS)
        .select_related("active_version", "renegotiation_requested_by")
        .prefetch_related(Prefetch("versions", queryset=_versions()))
        .order_by("-updated_at", "-id")
    )
    for agreement in found:
        history = list(agreement.versions.all())
        latest = history[-1] if history else None
        agreement.history = history  # type: ignore[attr-defined]
        agreement.latest = latest  # type: ignore[attr-defined]
        agreement.waiting_for_me = bool(  # type: ignore[attr-defined]
            access.is_partner
            and latest is not None
            and agreement.status == AgreementStatus.PROPOSED
            and not any(c.partner_id == access.user.pk for c in latest.consents.all())
        )
    return found


def versions(access: Any, agreement: Agreement) -> list[AgreementVersion]:
    """Every wording of one agreement the person may read, oldest first, with its consents."""
    access.record_read(AGREEMENT)
    return list(_versions().filter(agreement=agreement))


def notes(access: Any, agreement: Agreement) -> list[AgreementNote]:
    access.record_read(AGREEMENT)
    return list(AgreementNote.objects.filter(agreement=agreement).select_related("author"))


def breaches(access: Any, agreement: Agreement, limit: int = 50) -> list[BreachReport]:
    """Reports that the agreement did not hold, newest first, with who answered them."""
    return list(
        access.read(BreachReport.objects.filter(agreement=agreement), AGREEMENT)
        .select_related("author", "responded_by")
        .order_by("-happened_on", "-id")[:limit]
    )


# --- commitments ----------------------------------------------------------------------------


def commitments(access: Any, today: date, *, current_only: bool = False) -> list[Commitment]:
    """The case's commitments, oldest first, each with today's ``estimate`` and ``streak``."""
    queryset = (
        access.read(Commitment.objects.all(), COMMITMENTS)
        .select_related("author", "agreement__active_version")
        .order_by("created_at", "id")
    )
    if current_only:
        queryset = queryset.filter(ended_at__isnull=True)
    found = list(queryset)
    grouped = observations_by_commitment(
        occurrence_rows(access.read(Occurrence.objects.all(), COMMITMENTS))
    )
    for commitment in found:
        observations = grouped.get(commitment.pk, [])
        commitment.estimate = ledger.estimate(observations, today)  # type: ignore[attr-defined]
        commitment.streak = ledger.current_streak(observations)  # type: ignore[attr-defined]
        commitment.tally = ledger.recent_tally(  # type: ignore[attr-defined]
            observations, unit=unit_of(commitment)
        )
    return found


def _occurrences_of(access: Any, commitment: Commitment) -> QuerySet[Occurrence]:
    return access.read(  # type: ignore[no-any-return]
        Occurrence.objects.filter(commitment=commitment), COMMITMENT
    )


def occurrences(access: Any, commitment: Commitment, limit: int) -> list[Occurrence]:
    """A commitment's recorded days, newest first, with their notes, the other partner's
    ``answer`` (a ``Confirmation`` or ``None``) and the replies under a day seen differently."""
    replies = access.read(DisputeReply.objects.all(), COMMITMENT).select_related("author")
    found = list(
        _occurrences_of(access, commitment)
        .select_related("confirmation__partner")
        .prefetch_related(Prefetch("replies", queryset=replies.order_by("created_at", "id")))
        .order_by("-due_on", "-id")[:limit]
    )
    for occurrence in found:
        occurrence.answer = getattr(occurrence, "confirmation", None)  # type: ignore[attr-defined]
    return found


def unit_of(commitment: Commitment) -> str:
    """What one occurrence is called: a day, or a time for "each time it applies"."""
    return "time" if commitment.schedule == "each_time" else "day"


def commitment_ledger(access: Any, commitment: Commitment, today: date) -> Ledger:
    rows = occurrence_rows(_occurrences_of(access, commitment))
    return build_ledger([as_observation(row) for row in rows], today, unit_of(commitment))


def recent_due_days(commitment: Commitment, today: date) -> list[date]:
    """The days of the last two weeks on which the commitment was due, oldest first."""
    return schedules.due_dates(
        schedules.Kind(commitment.schedule),
        commitment.starts_on,
        schedules.parse_weekdays(commitment.weekdays),
        today - timedelta(days=UNRECORDED_WINDOW_DAYS - 1),
        today,
    )


def unrecorded_days(access: Any, commitment: Commitment, today: date) -> list[date]:
    """Due days of the last two weeks with nothing recorded yet, newest first."""
    since = today - timedelta(days=UNRECORDED_WINDOW_DAYS - 1)
    due = recent_due_days(commitment, today)
    recorded = set(
        _occurrences_of(access, commitment)
        .filter(due_on__gte=since)
        .values_list("due_on", flat=True)
    )
    return [day for day in reversed(due) if day not in recorded]


# --- the case's ledger ----------------------------------------------------------------------


@dataclass
class CaseLedger:
    partners: list[dict[str, Any]]  # {"member": CaseMember, "ledger": Ledger}
    commitments: list[Commitment]  # each with ``ledger``


def case_ledger(access: Any, today: date) -> CaseLedger:
    """Follow-through per partner and per commitment (every commitment, stopped ones too)."""
    found = list(
        access.read(Commitment.objects.all(), LEDGER)
        .select_related("author")
        .order_by("created_at", "id")
    )
    rows = occurrence_rows(access.read(Occurrence.objects.all(), LEDGER))
    by_author = observations_by_author(rows)
    by_commitment = observations_by_commitment(rows)
    partners = [
        {"member": member, "ledger": build_ledger(by_author[member.user_id], today, "")}
        for member in access.case.members.select_related("user")
        if member.user_id in by_author
    ]
    for commitment in found:
        commitment.ledger = build_ledger(  # type: ignore[attr-defined]
            by_commitment.get(commitment.pk, []), today, unit_of(commitment)
        )
    return CaseLedger(partners=partners, commitments=found)
