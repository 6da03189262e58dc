"""How long the tick takes to find what is due and write the outbox, as the partners grow.

Builds a throwaway SQLite database (WAL, as the product runs it) with N partners in N/2 active
couples, each partner with 10 open items, seeded in bulk with the project's own models:

- 2 agreements proposed by the other partner, waiting for this partner's answer;
- 3 homework assignments for both, due in five days (one of them revealed together);
- 1 conversation waiting for this partner's turn;
- 1 check-in round open today;
- 1 move to the next stage waiting for this partner's confirmation;
- 2 days of the other partner's commitment waiting for this partner's confirmation (these two
  become one weekly message, so the tick writes 9 rows per partner).

Then it runs one tick (every registered source, outbox writes, queueing) and times it, and a
second tick, which must write nothing new. Queueing uses the database task backend, so the
tick's time includes writing the sending tasks.

Run: .venv/bin/python bench/bench_tick.py [N_PARTNERS ...]    (default: 1000 10000)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta


def seed(couples: int) -> None:
    from django.utils import timezone

    from retrust.agreements.models import (
        Agreement,
        AgreementVersion,
        Commitment,
        Consent,
        Occurrence,
    )
    from retrust.assessments.models import MeasureSchedule
    from retrust.conversations.models import Conversation
    from retrust.core.models import Case, CaseMember, Practice, User
    from retrust.program.models import Assignment, StageProposal

    today = timezone.localdate()
    practice = Practice.objects.create(name="Bench", slug="bench")
    clinician = User.objects.create(email="clinician@bench.example")
    step = 5000
    for start in range(0, couples, step):
        span = range(start, min(start + step, couples))
        cases = Case.objects.bulk_create(
            Case(practice=practice, label=f"couple {n}", status="active", stage=1) for n in span
        )
        Case.clinicians.through.objects.bulk_create(
            Case.clinicians.through(case_id=case.pk, user_id=clinician.pk) for case in cases
        )
        people = User.objects.bulk_create(
            User(email=f"{side}{n}@bench.example") for n in span for side in "ab"
        )
        pairs = [(case, people[2 * i], people[2 * i + 1]) for i, case in enumerate(cases)]
        CaseMember.objects.bulk_create(
            CaseMember(case=case, user=user, role=role)
            for case, a, b in pairs
            for user, role in ((a, "partner_a"), (b, "partner_b"))
        )
        proposals = [
            (case, author)
            for case, a, b in pairs
            for author in (a, a, b, b)  # two waiting for each partner
        ]
        agreements = Agreement.objects.bulk_create(
            Agreement(case=case, author=author, visibility="couple", category="communication")
            for case, author in proposals
        )
        versions = AgreementVersion.objects.bulk_create(
            AgreementVersion(
                agreement=agreement, number=1, title="Evenings", text="-", proposed_by=author
            )
            for agreement, (_, author) in zip(agreements, proposals, strict=True)
        )
        Consent.objects.bulk_create(
            Consent(version=version, partner=author, decision="accept")
            for version, (_, author) in zip(versions, proposals, strict=True)
        )
        Assignment.objects.bulk_create(
            Assignment(
                case=case,
                exercise_id=f"exercise-{k}",
                title="Homework",
                reveal_together=k == 0,
                maximum_visibility="couple",
                due_on=today + timedelta(days=5),
            )
            for case, _, _ in pairs
            for k in range(3)
        )
        Conversation.objects.bulk_create(
            Conversation(
                case=case,
                author=speaker,
                visibility="couple",
                topic="Sunday",
                speaker=speaker,
                listener=listener,
                phase="speak",
                turn_count=1,
            )
            for case, a, b in pairs
            for speaker, listener in ((a, b), (b, a))
        )
        MeasureSchedule.objects.bulk_create(
            MeasureSchedule(
                case=case,
                instrument_id="csi-4",
                kind="every_n_weeks",
                every_weeks=2,
                starts_on=today,
            )
            for case, _, _ in pairs
        )
        StageProposal.objects.bulk_create(
            StageProposal(case=case, track="conjoint", from_stage=1, to_stage=2, goals_review="-")
            for case, _, _ in pairs
        )
        commitments = Commitment.objects.bulk_create(
            Commitment(
                case=case,
                author=author,
                visibility="couple",
                action="Text when late",
                schedule="daily",
                starts_on=today - timedelta(days=7),
            )
            for case, a, b in pairs
            for author in (a, b)
        )
        Occurrence.objects.bulk_create(
            Occurrence(
                case=commitment.case,
                author_id=commitment.author_id,
                visibility="couple",
                commitment=commitment,
                due_on=today - timedelta(days=back),
                outcome="kept",
            )
            for commitment in commitments
            for back in (1, 2)
        )


def main(sizes: list[int]) -> None:
    tmp = tempfile.mkdtemp(prefix="retrust-bench-tick-")
    os.environ["RETRUST_VAR_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("RETRUST_TASKS", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrust.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from retrust.notifications.models import Notification
    from retrust.notifications.tick import run_tick

    call_command("migrate", verbosity=0)
    print(f"SQLite in {tmp}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    print(
        "Wall seconds on this shared machine, and the CPU seconds of this one process (SQLite"
        " runs inside it, so that is the tick's own cost on one core)."
    )
    print(
        f"{'partners':>9} {'seed s':>7} {'found':>9} {'written':>9} {'tick wall':>9} "
        f"{'tick CPU':>8} {'rows/CPU s':>10} {'again wall':>10} {'again CPU':>9}"
    )
    for partners in sizes:
        call_command("flush", interactive=False, verbosity=0)
        started = time.perf_counter()
        seed(partners // 2)
        seeded = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        started, cpu = time.perf_counter(), time.process_time()
        first = run_tick()
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        again = run_tick()
        second, second_cpu = time.perf_counter() - started, time.process_time() - cpu
        assert again.written == 0, again
        assert Notification.objects.count() == first.written
        print(
            f"{partners:>9,} {seeded:>7.0f} {first.found:>9,} {first.written:>9,} {took:>9.1f} "
            f"{took_cpu:>8.1f} {first.written / took_cpu:>10,.0f} {second:>10.1f} "
            f"{second_cpu:>9.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [1000, 10000])
