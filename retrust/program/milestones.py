"""Progress worth celebrating, detected from plain facts. Pure Python, no Django.

The caller gathers facts about a case (dates, stages, weeks) and ``detect`` turns them into
warm cards. Nothing here is a score or a verdict: a milestone marks something the couple did.
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
    """What happened in one case.

    ``together_dates``: days on which both partners had submitted the same assignment.
    ``stages_completed``: stages the couple moved on from. ``checkin_days``: days with a
    submitted daily check-in by anyone in the case. ``reliable_improvements``: names of measures
    with a reliable improvement, when a measures module provides them (empty otherwise).
    """

    together_dates: tuple[date, ...] = ()
    stages_completed: tuple[int, ...] = ()
    checkin_days: tuple[date, ...] = ()
    reliable_improvements: tuple[str, ...] = ()
    # Current run of kept occurrences of each commitment both partners can see.
    kept_streaks: tuple[int, ...] = ()


@dataclass(frozen=True)
class Milestone:
    key: str
    title: str
    message: str
    reached_on: date | None = field(default=None, compare=False)


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
            )
        )
    return found
