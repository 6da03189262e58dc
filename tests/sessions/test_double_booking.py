"""Two requests booking the same time at once: one wins, the other is told it was taken.

Two threads, each with its own database connection, meet at a barrier and book the same slot,
in a process of their own against a real database file (SQLite's in-memory test database
cannot make writers wait). On PostgreSQL (DATABASE_URL set) the clinician's row lock queues
the second booking behind the first; on SQLite writers run one at a time (BEGIN IMMEDIATE).
Either way the unique constraint on (clinician, start) stands behind it.
"""

from __future__ import annotations

import json

# The notification tests' migrated outside database (a SQLite file, or PostgreSQL).
from tests.notifications.conftest import outside_database, run_python  # noqa: F401


def test_two_bookings_of_one_slot_at_once_one_wins(outside_database: dict[str, str]) -> None:  # noqa: F811
    report = json.loads(run_python(outside_database, "-m", "tests.sessions.race_helper"))
    assert report["outcomes"] == ["booked", "taken"], report
    assert report["booked"] == 1
