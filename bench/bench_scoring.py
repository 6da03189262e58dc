"""Scoring throughput for a 16-item response (scorings per second, one core).

The instrument is built here with the shape of a 16-item form (one 0–6 item, fifteen 0–5
items, four reverse-keyed, two bands, a cut-off and a sourced reliable-change threshold), so
the benchmark does not depend on which instruments ship. Each scoring validates every value
against its printed options, sums, applies reverse keying, finds the band and the cut-off.
Then the shipped CSI-16 file itself (16 items, reverse keying printed into its values), the
same way.

Run: .venv/bin/python bench/bench_scoring.py [N]
"""

from __future__ import annotations

import random
import sys
import time

from retrust.assessments.definitions import BUNDLED_DIR, Instrument, load_file
from retrust.assessments.reliable_change import classify
from retrust.assessments.scoring import score


def sixteen_item_form() -> Instrument:
    six = [{"value": v, "label": str(v)} for v in range(6)]
    items = [
        {"linkId": "i1", "text": "I1", "options": [{"value": v, "label": str(v)} for v in range(7)]}
    ]
    items += [{"linkId": f"i{n}", "text": f"I{n}", "options": "six"} for n in range(2, 17)]
    return Instrument.model_validate(
        {
            "id": "bench-16",
            "version": "1",
            "title": "Benchmark form",
            "short_title": "B16",
            "validated": False,
            "citation": "benchmark",
            "licence": "benchmark",
            "respondent": "anyone",
            "recall_period": "none",
            "option_sets": {"six": six},
            "items": items,
            "scales": [
                {
                    "id": "total",
                    "title": "Total",
                    "items": "all",
                    "reverse": ["i11", "i13", "i14", "i16"],
                    "missing": {"rule": "require_complete"},
                    "direction": "higher_is_better",
                    "bands": [
                        {"min": 0, "max": 51, "label": "low"},
                        {"min": 52, "max": 81, "label": "high"},
                    ],
                    "cutoff": {"value": 51, "at_or_below": True, "source": "benchmark"},
                    "reliable_change": {
                        "method": "threshold",
                        "points": 10,
                        "source": "benchmark only, not a real figure",
                    },
                }
            ],
        }
    )


def main(n: int = 200_000) -> None:
    form = sixteen_item_form()
    rng = random.Random(7)
    responses = [
        {"i1": rng.randint(0, 6), **{f"i{k}": rng.randint(0, 5) for k in range(2, 17)}}
        for _ in range(1000)
    ]
    score(form, responses[0])  # compile the plan once, as the app does at first use
    start = time.perf_counter()
    for i in range(n):
        score(form, responses[i % 1000])
    elapsed = time.perf_counter() - start
    print(f"score(16 items): {n / elapsed:,.0f} scorings/s ({n:,} in {elapsed:.2f} s)")

    csi16 = load_file(BUNDLED_DIR / "csi-16.yaml")
    csi_responses = [
        {
            item.linkId: rng.choice([o.value for o in csi16.options_for(item.linkId)])
            for item in csi16.items
        }
        for _ in range(1000)
    ]
    score(csi16, csi_responses[0])
    start = time.perf_counter()
    for i in range(n):
        score(csi16, csi_responses[i % 1000])
    elapsed = time.perf_counter() - start
    print(f"score(CSI-16 as shipped): {n / elapsed:,.0f} scorings/s ({n:,} in {elapsed:.2f} s)")

    scale = form.scale("total")
    start = time.perf_counter()
    for i in range(n):
        classify(scale, 40, 40 + (i % 30))
    elapsed = time.perf_counter() - start
    print(f"reliable_change.classify: {n / elapsed:,.0f} comparisons/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
