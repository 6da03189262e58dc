"""Two bookings of one slot at once, in one process with two threads (run as a module).

    python -m tests.sessions.race_helper

Runs against the database the environment names (a SQLite file in RETRUST_VAR_DIR, or
DATABASE_URL), which must be migrated. Prints, as JSON, what each attempt got.
"""

from __future__ import annotations

import json
import threading
from datetime import time


def race() -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection

    from retrust.core.exceptions import ActionConflict
    from retrust.core.models import Case, CaseMember, ClinicianMembership, Practice, User
    from retrust.sessions import actions
    from retrust.sessions.models import Appointment, Kind, SessionSettings

    call_command("flush", interactive=False, verbosity=0)
    practice = Practice.objects.create(name="Race Practice", slug="race")
    SessionSettings.objects.create(practice=practice)
    clinician = User.objects.create_user("clinician@race.example", "x")
    ClinicianMembership.objects.create(practice=practice, user=clinician, role="clinician")
    case = Case.objects.create(practice=practice, label="Race", status="active")
    case.clinicians.add(clinician)
    partners = []
    for role in ("partner_a", "partner_b"):
        user = User.objects.create_user(f"{role}@race.example", "x")
        CaseMember.objects.create(case=case, user=user, role=role)
        partners.append(user)
    actions.set_weekly_hours(clinician, practice, [(d, time(0, 0), time(23, 59)) for d in range(7)])
    slot = actions.free_slots(clinician, practice, days=3)[3]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(key: str, partner: User) -> None:
        try:
            barrier.wait(timeout=10)
            actions.book(
                clinician, case, start=slot, kind=Kind.INDIVIDUAL, partner=partner, key=key
            )
            outcomes.append("booked")
        except ActionConflict:
            outcomes.append("taken")
        except Exception as error:  # reported, so the test shows what went wrong
            outcomes.append(f"error: {type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(f"key-{n}", partner))
        for n, partner in enumerate(partners)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return {
        "outcomes": sorted(outcomes),
        "booked": Appointment.objects.filter(start=slot).count(),
        "vendor": connection.vendor,
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(race()))
