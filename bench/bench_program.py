"""Micro-benchmarks for the program's pure modules: content loading, the stage table, milestones.

Run: `.venv/bin/python bench/bench_program.py` (no database, no Django settings needed).
"""

from __future__ import annotations

import random
import sys
import timeit
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from retrust.program import content, milestones, transitions  # noqa: E402


def per_second(stmt, number: int) -> float:
    best = min(timeit.repeat(stmt, number=number, repeat=5))
    return number / best


def main() -> None:
    paths = sorted(content.EXERCISE_DIR.glob("*.md"))
    load = min(timeit.repeat(lambda: content.load_library(paths), number=5, repeat=5)) / 5
    print(f"load_library ({len(paths)} files): {load * 1000:.1f} ms")

    rng = random.Random(7)
    steps = list(transitions.Step)
    actors = list(transitions.Actor)
    states = list(transitions.STATES)
    calls = [(rng.choice(actors), rng.choice(steps), *rng.choice(states)) for _ in range(10_000)]

    def decide() -> None:
        for actor, step, track, stage in calls:
            transitions.may(actor, step, track, stage)

    rate = per_second(decide, 20) * len(calls)
    print(f"transitions.may: {rate / 1e6:.2f} million decisions/s")

    start = date(2020, 1, 6)
    for n in (100, 10_000, 100_000):
        days = tuple(start + timedelta(days=rng.randrange(0, n // 2 + 7)) for _ in range(n))
        facts = milestones.Facts(
            together_dates=days[: n // 10],
            stages_completed=(0, 1, 2),
            checkin_days=days,
        )
        t = min(
            timeit.repeat(
                lambda f=facts: milestones.detect(f, transitions.STAGE_NAMES), number=3, repeat=5
            )
        )
        print(f"milestones.detect, {n:,} check-in days: {t / 3 * 1000:.2f} ms")


if __name__ == "__main__":
    main()
