"""Where a couple is on the program's path, in words a partner reads on the home page. No Django.

The program has six stages, numbered 0 to 5 in the data only. People count from one, so every
page, a partner's or a clinician's, names a stage by its place on the path ("Stage 3 of 6") and
its everyday name ("setting boundaries"), through ``stage_label`` and ``stage_place`` (in
templates, the ``program_stages`` filters); a partner also reads one sentence on what it is
for. Discernment work has no stages to climb; it has its own sentence instead of a path.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrust.program.transitions import STAGE_NAMES, Track

# What each stage is called in everyday words, lower case so it reads inside a sentence.
EVERYDAY_NAMES: dict[int, str] = {
    0: "getting started",
    1: "hearing the hurt",
    2: "setting boundaries",
    3: "rebuilding closeness",
    4: "showing it over time",
    5: "keeping it growing",
}

# One sentence each: what the stage is for.
PURPOSES: dict[int, str] = {
    0: "You name what trust means to each of you, what brought you here and what you hope for.",
    1: "The hurt is heard in full, and the partner who broke trust listens and owns their part "
    "without excuses.",
    2: "You agree, together, on clear and fair expectations about openness, contact and being "
    "there for each other.",
    3: "You practise new ways to talk, to calm a trigger and to be open with each other safely.",
    4: "Trust grows back through small promises kept, day after day, where you can both see it.",
    5: "You hold on to what you have rebuilt, meet new challenges and notice early if things "
    "start to slip.",
}

DISCERNMENT_TITLE = "Finding clarity"
DISCERNMENT_PURPOSE = (
    "With your clinician, you take the time to see clearly whether and how to go on together, "
    "and to decide with dignity either way."
)


@dataclass(frozen=True)
class Step:
    """One stage on the path as a partner sees it."""

    number: int  # 1 to 6
    name: str  # the everyday name
    title: str  # the program's own name for it
    state: str  # "done", "current" or "ahead"


@dataclass(frozen=True)
class Journey:
    """The path (empty for discernment), the headline and what this stage is for."""

    steps: tuple[Step, ...]
    headline: str
    purpose: str

    @property
    def current(self) -> Step | None:
        return next((step for step in self.steps if step.state == "current"), None)


def journey(track: str, stage: int) -> Journey:
    """The journey of a case on ``track`` at ``stage`` (0 to 5; out-of-range values are clamped).

    >>> journey("conjoint", 2).headline
    'Stage 3 of 6 — setting boundaries'
    """
    if track == Track.DISCERNMENT:
        return Journey(steps=(), headline=DISCERNMENT_TITLE, purpose=DISCERNMENT_PURPOSE)
    stage = _clamped(stage)
    steps = tuple(
        Step(
            number=n + 1,
            name=EVERYDAY_NAMES[n],
            title=STAGE_NAMES[n],
            state="done" if n < stage else "current" if n == stage else "ahead",
        )
        for n in sorted(STAGE_NAMES)
    )
    return Journey(steps=steps, headline=stage_label(track, stage), purpose=PURPOSES[stage])


def _clamped(stage: int) -> int:
    return min(max(stage, 0), max(STAGE_NAMES))


def stage_place(stage: int) -> str:
    """A stage's place on the path as people count, e.g. "3 of 6" for stage 2."""
    return f"{_clamped(stage) + 1} of {len(STAGE_NAMES)}"


def stage_label(track: str, stage: int) -> str:
    """How every page names where a case is: "Stage 3 of 6 — setting boundaries" for stage 2;
    discernment work, which has no stages to climb, is "Finding clarity"."""
    if track == Track.DISCERNMENT:
        return DISCERNMENT_TITLE
    return f"Stage {stage_place(stage)} — {EVERYDAY_NAMES[_clamped(stage)]}"
