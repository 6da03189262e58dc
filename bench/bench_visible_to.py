"""How long `visible_to` takes to list a partner's and a clinician's entries as data grows.

Builds a throwaway SQLite database (or uses DATABASE_URL's server, in a database named by
pytest-style test setup) with N cases of two partners and 20 journal entries each, then times
listing the newest 50 entries one person may see.

Run: .venv/bin/python bench/bench_visible_to.py [N_CASES ...]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time


def main(sizes: list[int]) -> None:
    tmp = tempfile.mkdtemp(prefix="retrust-bench-")
    os.environ.setdefault("RETRUST_VAR_DIR", tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrust.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from retrust.core.models import Case, CaseMember, JournalEntry, Practice, User

    rng = random.Random(7)
    practice = Practice.objects.create(name="Bench", slug="bench")
    clinician = User.objects.create(email="clin@bench.example")
    made = 0
    for size in sizes:
        users, members, entries = [], [], []
        for i in range(made, size):
            case = Case.objects.create(practice=practice, label=f"case {i}")
            case.clinicians.add(clinician)
            a = User(email=f"a{i}@bench.example")
            b = User(email=f"b{i}@bench.example")
            users += [a, b]
            members.append((case, a, b))
        User.objects.bulk_create(users)
        for case, a, b in members:
            a = User.objects.get(email=a.email)
            b = User.objects.get(email=b.email)
            CaseMember.objects.bulk_create(
                [
                    CaseMember(case=case, user=a, role="partner_a"),
                    CaseMember(case=case, user=b, role="partner_b"),
                ]
            )
            for _ in range(20):
                entries.append(
                    JournalEntry(
                        case=case,
                        author=rng.choice([a, b]),
                        body="x" * 200,
                        visibility=rng.choice(["private", "clinician", "couple"]),
                    )
                )
        JournalEntry.objects.bulk_create(entries, batch_size=2000)
        made = size
        partner = User.objects.get(email="a0@bench.example")
        last_case = Case.objects.order_by("-id").first()
        views = (
            ("partner", partner, JournalEntry.objects.all()),
            ("clinician, one case", clinician, JournalEntry.objects.filter(case=last_case)),
            ("clinician, all cases", clinician, JournalEntry.objects.all()),
        )
        for who, user, queryset in views:
            runs = 50
            start = time.perf_counter()
            for _ in range(runs):
                list(queryset.visible_to(user).order_by("-created_at")[:50])
            per = (time.perf_counter() - start) / runs * 1000
            total = JournalEntry.objects.count()
            print(f"{size:>6} cases, {total:>7} entries: {who:<20} newest 50 in {per:.2f} ms")


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [10, 100, 1000])
