"""How long free slots take to compute (the pure module, no database).

Run: .venv/bin/python bench/bench_slots.py [--repeat 5]

A clinician open 08:00–20:00 every day, 50-minute sessions on a 10-minute grid, with many
appointments already booked, over the booking page's four weeks (and a year, for scale).
Best of ``repeat`` runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's retrust, even beside an installed one

from retrust.sessions.slots import Busy, Hours, free_slots  # noqa: E402

LONDON = ZoneInfo("Europe/London")
FIFTY = timedelta(minutes=50)


def case(days: int, booked_per_day: int) -> tuple[float, int]:
    first = date(2026, 10, 1)  # crosses the October clock change
    busy = [
        Busy(start, start + FIFTY)
        for n in range(days)
        for k in range(booked_per_day)
        for start in [datetime(2026, 10, 1, 8, tzinfo=UTC) + timedelta(days=n, hours=k)]
    ]
    weekly = [Hours(d, clock(8), clock(20)) for d in range(7)]
    begin = time.perf_counter()
    found = list(
        free_slots(
            weekly=weekly,
            exceptions=[],
            busy=busy,
            zone=LONDON,
            first_day=first,
            days=days,
            length=FIFTY,
            step=timedelta(minutes=10),
        )
    )
    return time.perf_counter() - begin, len(found)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for days, booked in ((28, 0), (28, 8), (365, 8)):
        best, count = min(case(days, booked) for _ in range(args.repeat))
        print(f"{days} days, {booked} booked a day: {best * 1000:.1f} ms ({count} free slots)")


if __name__ == "__main__":
    main()
