"""The follow-through ledger for one case: two years of daily occurrences on three commitments.

Run: taskset -c 0 .venv/bin/python bench/bench_ledger.py

What a ledger page computes: for each of the three commitments and for the partner overall,
the estimate today plus a weekly series over the two years (105 points) for the chart. The
target is under 20 ms on one core (pinned to one thread below). CPU time
(``process_time``) is reported first because the shared machine is often busy; wall time
follows.
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
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        ledger_for_case(commitments)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    print(
        f"{total} occurrences on {COMMITMENTS} commitments, weekly series + today, "
        f"per commitment and overall, {rounds} runs: CPU median {statistics.median(cpu):.1f} ms "
        f"(max {max(cpu):.1f}); wall median {statistics.median(wall):.1f} ms"
    )
    everything = [obs for c in commitments for obs in c]
    start_cpu = time.process_time()
    for _ in range(rounds):
        ledger.estimate(everything, TODAY)
    per_call = (time.process_time() - start_cpu) * 1000 / rounds
    print(f"one estimate over all {total}: {per_call:.2f} ms CPU")


if __name__ == "__main__":
    main()
