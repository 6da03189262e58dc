"""Progress worth celebrating, detected from plain facts. Pure Python, no Django.

The caller gathers facts about a case (dates, stages, weeks) as one person may see them, and
``detect`` turns them into warm cards. Nothing here is a score or a verdict: a milestone marks
something the couple did.

Two kinds of card: *shared* cards come only from what both partners may see (answers both
shared, stages they moved on from, commitments both follow), so both partners see the same
card and may send each other a note from it; *personal* cards come from one person's own
activity (their check-ins, a change in their own questionnaire answers) and are shown to that
person, and to the clinician, never to the other partner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

# How many weeks in a row of check-ins earn a card. A product choice, not a clinical cut-off.
CHECKIN_WEEKS = 4
# How many kept occurrences in a row of one shared commitment earn a card. A product choice.
KEPT_IN_A_ROW = 7


@dataclass(frozen=True)
class Facts:
    """What happened in one case, as the person the cards are for may see it.

    Shared facts: ``together_dates``, days on which both partners had sent answers to the same
    assignment that both of them may read; ``stages_completed``, stages the couple moved on
    from; ``kept_streaks``, the current kept-in-a-row run of each commitment both partners see.

    Personal facts: ``checkin_days``, days with a check-in this person may see (their own, or
    one shared with them); ``reliable_improvements``, names of measures on which this person's
    own answers improved reliably; ``partners_improvements``, (partner's name, measure) pairs,
    for the clinician only.
    """

    together_dates: tuple[date, ...] = ()
    stages_completed: tuple[int, ...] = ()
    checkin_days: tuple[date, ...] = ()
    reliable_improvements: tuple[str, ...] = ()
    kept_streaks: tuple[int, ...] = ()
    partners_improvements: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Milestone:
    key: str
    title: str
    message: str
    reached_on: date | None = field(default=None, compare=False)
    # Shared cards are the same for both partners; only they carry a note to the other partner.
    shared: bool = True


def longest_weekly_run(days: Iterable[date]) -> tuple[int, date | None]:
    """Longest run of consecutive ISO weeks (Monday-based) with at least one day in ``days``.

    Returns (weeks, the last day of that run). Runs in O(n log n) for n days.
    """
    weeks = sorted({d - timedelta(days=d.weekday()) for d in days})
    best, best_end, run = 0, None, 0
    previous: date | None = None
    for monday in weeks:
        run = run + 1 if previous is not None and monday - previous == timedelta(weeks=1) else 1
        previous = monday
        if run > best:
            best, best_end = run, monday
    if best_end is None:
        return 0, None
    last = max(d for d in days if best_end <= d < best_end + timedelta(weeks=1))
    return best, last


def detect(facts: Facts, stage_names: dict[int, str]) -> list[Milestone]:
    """Every milestone the facts show, oldest kind first; each key is stable for notes."""
    found: list[Milestone] = []
    if facts.together_dates:
        found.append(
            Milestone(
                "first-together",
                "Your first exercise done together",
                "You both sat down with the same questions and answered them. That took care.",
                min(facts.together_dates),
            )
        )
    for stage in sorted(set(facts.stages_completed)):
        name = stage_names.get(stage, f"stage {stage}")
        found.append(
            Milestone(
                f"stage-{stage}",
                f"“{name}” behind you",
                "You finished a whole part of this work. Take a moment to notice how far you came.",
            )
        )
    weeks, last = longest_weekly_run(facts.checkin_days)
    if weeks >= CHECKIN_WEEKS:
        found.append(
            Milestone(
                f"checkins-{CHECKIN_WEEKS}-weeks",
                f"{CHECKIN_WEEKS} weeks of check-ins in a row",
                "Small, steady check-ins, week after week. This is what rebuilt trust looks like.",
                last,
                shared=False,
            )
        )
    if any(streak >= KEPT_IN_A_ROW for streak in facts.kept_streaks):
        found.append(
            Milestone(
                f"kept-{KEPT_IN_A_ROW}-in-a-row",
                f"A promise kept {KEPT_IN_A_ROW} times in a row",
                "Doing what you said, again and again. Consistent action is how trust comes back.",
            )
        )
    for measure in sorted(set(facts.reliable_improvements)):
        found.append(
            Milestone(
                f"improved-{measure}",
                "A change worth noticing",
                f"Your answers on {measure} moved by more than chance alone would explain.",
                shared=False,
            )
        )
    for name, measure in sorted(set(facts.partners_improvements)):
        found.append(
            Milestone(
                f"improved-{measure}-{name}",
                "A change worth noticing",
                f"{name}'s answers on {measure} moved by more than chance alone would explain.",
                shared=False,
            )
        )
    return found
