"""The follow-through ledger for one case: two years of daily occurrences on three commitments.

Run: taskset -c 0 .venv/bin/python bench/bench_ledger.py

What a ledger page computes: for each of the three commitments and for the partner overall,
the estimate today plus a weekly series over the two years (105 points) for the chart. The
target is under 20 ms on one core (pinned to one thread below).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from retrust.agreements import ledger  # noqa: E402
from retrust.agreements.ledger import Observation, Source  # noqa: E402

TODAY = date(2026, 11, 22)
DAYS = 730
COMMITMENTS = 3


def history(seed: int) -> list[list[Observation]]:
    rng = random.Random(seed)
    sources = [Source.CONFIRMED] * 6 + [Source.SELF_REPORTED] * 3 + [Source.DISPUTED]
    return [
        [
            Observation(TODAY - timedelta(days=day), rng.random() < 0.8, rng.choice(sources))
            for day in range(DAYS)
        ]
        for _ in range(COMMITMENTS)
    ]


def ledger_for_case(commitments: list[list[Observation]]) -> list[ledger.Estimate]:
    weeks = [TODAY - timedelta(weeks=w) for w in range(DAYS // 7, -1, -1)]
    out: list[ledger.Estimate] = []
    for occurrences in commitments:
        out.extend(ledger.series(occurrences, weeks))
    everything = [obs for occurrences in commitments for obs in occurrences]
    out.extend(ledger.series(everything, weeks))
    out.append(ledger.estimate(everything, TODAY))
    return out


def main(rounds: int = 50) -> None:
    commitments = history(7)
    total = sum(len(c) for c in commitments)
    ledger_for_case(commitments)  # warm-up: imports, scipy's first call
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        ledger_for_case(commitments)
        timings.append((time.perf_counter() - start) * 1000)
    print(
        f"{total} occurrences on {COMMITMENTS} commitments, weekly series + today, "
        f"per commitment and overall: median {statistics.median(timings):.1f} ms, "
        f"max {max(timings):.1f} ms over {rounds} runs"
    )
    start = time.perf_counter()
    for _ in range(rounds):
        ledger.estimate([obs for c in commitments for obs in c], TODAY)
    print(f"one estimate over all {total}: {(time.perf_counter() - start) * 1000 / rounds:.2f} ms")


if __name__ == "__main__":
    main()
