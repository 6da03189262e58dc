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


def random_responses(form: Instrument, rng: random.Random, count: int = 1000) -> list[dict]:
    """``count`` complete responses, each value drawn from the item's printed options."""
    options = {i.linkId: [o.value for o in form.options_for(i.linkId)] for i in form.items}
    return [
        {link_id: rng.choice(values) for link_id, values in options.items()} for _ in range(count)
    ]


def time_scoring(label: str, form: Instrument, responses: list[dict], n: int) -> None:
    score(form, responses[0])  # compile the plan once, as the app does at first use
    start = time.perf_counter()
    for i in range(n):
        score(form, responses[i % len(responses)])
    elapsed = time.perf_counter() - start
    print(f"score({label}): {n / elapsed:,.0f} scorings/s ({n:,} in {elapsed:.2f} s)")


def main(n: int = 200_000) -> None:
    rng = random.Random(7)
    form = sixteen_item_form()
    time_scoring("16 items", form, random_responses(form, rng), n)
    csi16 = load_file(BUNDLED_DIR / "csi-16.yaml")
    time_scoring("CSI-16 as shipped", csi16, random_responses(csi16, rng), n)

    scale = form.scale("total")
    start = time.perf_counter()
    for i in range(n):
        classify(scale, 40, 40 + (i % 30))
    elapsed = time.perf_counter() - start
    print(f"reliable_change.classify: {n / elapsed:,.0f} comparisons/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
