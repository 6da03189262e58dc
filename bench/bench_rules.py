"""How fast the pure who-sees-what rules decide (decisions per second, one core).

Run: .venv/bin/python bench/bench_rules.py
"""

from __future__ import annotations

import itertools
import time

from retrust.core.rules import Relation, Visibility, may_change, may_see, within


def main(rounds: int = 200_000) -> None:
    pairs = list(itertools.product(Relation, Visibility))
    start = time.perf_counter()
    for _ in range(rounds):
        for relation, visibility in pairs:
            may_see(relation, visibility)
    elapsed = time.perf_counter() - start
    decisions = rounds * len(pairs)
    print(f"may_see: {decisions / elapsed:,.0f} decisions/s ({decisions:,} in {elapsed:.2f} s)")

    start = time.perf_counter()
    for _ in range(rounds):
        for relation in Relation:
            may_change(relation)
        for a, b in itertools.product(Visibility, Visibility):
            within(a, b)
    elapsed = time.perf_counter() - start
    calls = rounds * (len(Relation) + len(Visibility) ** 2)
    print(f"may_change + within: {calls / elapsed:,.0f} calls/s")


if __name__ == "__main__":
    main()
