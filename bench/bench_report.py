"""Time and peak memory to render the clinician's progress report of a case with two years of data.

Run: `PYTHONPATH=. .venv/bin/python bench/bench_report.py [--years 2] [--runs 3]`

A throwaway SQLite database (its own ``RETRUST_VAR_DIR``) gets one case seeded in bulk: for
each of two partners, PHQ-9, GAD-7 and CSI-16 answered every two weeks and the weekly trust
pulse answered every week for two years; three daily commitments with every day recorded (a
third of them confirmed); 50 homework assignments answered by both; 12 goals; 8 agreements.
Then a fresh process renders the report the way the worker does (``actions.build`` through the
clinician's access) and reports wall and CPU time per render, the pages, the PDF's size, the
process's peak resident memory (``ru_maxrss``: Django, WeasyPrint and the rendering together)
and the Python heap's peak during one render (``tracemalloc``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(var_dir: str) -> None:
    os.environ["RETRUST_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retrust.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def seed(years: int) -> int:
    """One case with ``years`` of data, written in bulk; returns its id."""
    from django.core.management import call_command
    from django.utils import timezone

    from retrust.agreements.models import (
        Agreement,
        AgreementVersion,
        Commitment,
        Confirmation,
        Occurrence,
    )
    from retrust.assessments import registry
    from retrust.assessments.models import MeasureResponse, MeasureSchedule
    from retrust.assessments.scoring import score
    from retrust.core.models import Case, CaseMember, ClinicianMembership, Practice, User
    from retrust.program.models import Assignment, CaseGoal, ExerciseResponse

    call_command("migrate", verbosity=0)
    rng = random.Random(11)
    practice = Practice.objects.create(name="Bench Practice", slug="bench")
    clinician = User.objects.create_user("clin@bench.example", "x", display_name="Dana")
    ClinicianMembership.objects.create(practice=practice, user=clinician, role="clinician")
    a = User.objects.create_user("a@bench.example", "x", display_name="Ari")
    b = User.objects.create_user("b@bench.example", "x", display_name="Bo")
    case = Case.objects.create(practice=practice, label="Ari and Bo", status="active")
    case.clinicians.add(clinician)
    CaseMember.objects.create(case=case, user=a, role="partner_a")
    CaseMember.objects.create(case=case, user=b, role="partner_b")
    now = timezone.now()
    start = now - timedelta(days=365 * years)
    days = (now - start).days

    responses = []
    for instrument_id, every in (("phq-9", 14), ("gad-7", 14), ("csi-16", 14), ("trust-pulse", 7)):
        instrument = registry.get(instrument_id)
        assert instrument is not None, instrument_id
        schedule = MeasureSchedule.objects.create(
            case=case,
            instrument_id=instrument_id,
            kind="every_n_weeks",
            every_weeks=every // 7,
            starts_on=start.date(),
            created_by=clinician,
        )
        for round_key, offset in enumerate(range(0, days, every)):
            for partner in (a, b):
                answers = {
                    item.linkId: rng.choice([o.value for o in instrument.options_for(item.linkId)])
                    for item in instrument.items
                    if item.type != "text"
                }
                scores = score(instrument, answers)
                first = next(iter(scores.values()), None)
                at = start + timedelta(days=offset, hours=rng.randint(8, 20))
                responses.append(
                    MeasureResponse(
                        case=case,
                        author=partner,
                        visibility="clinician",
                        schedule=schedule,
                        instrument_id=instrument_id,
                        instrument_version=instrument.version,
                        round_key=round_key,
                        due_on=at.date(),
                        status="submitted",
                        answers=answers,
                        scores={k: v.as_dict() for k, v in scores.items()},
                        total=first.score if first else None,
                        band=(first.band or "") if first else "",
                        submitted_at=at,
                    )
                )
    MeasureResponse.objects.bulk_create(responses, batch_size=500)

    agreements = []
    for n in range(8):
        agreement = Agreement.objects.create(
            case=case, author=a, visibility="couple", category="transparency", status="active"
        )
        version = AgreementVersion.objects.create(
            agreement=agreement,
            number=1,
            title=f"Agreement {n + 1}",
            text="We tell each other when plans change, before they change.",
            proposed_by=a,
        )
        agreement.active_version = version
        agreement.save(update_fields=["active_version"])
        agreements.append(agreement)
    occurrences = []
    for n in range(3):
        commitment = Commitment.objects.create(
            case=case,
            author=a if n % 2 == 0 else b,
            visibility="couple",
            agreement=agreements[n],
            action=f"Commitment {n + 1}: text if I will be late",
            schedule="daily",
            starts_on=start.date(),
        )
        for day in range(days):
            occurrences.append(
                Occurrence(
                    case=case,
                    author=commitment.author,
                    visibility="couple",
                    commitment=commitment,
                    due_on=start.date() + timedelta(days=day),
                    outcome="kept" if rng.random() < 0.8 else "missed",
                )
            )
    Occurrence.objects.bulk_create(occurrences, batch_size=500)
    confirmations = [
        Confirmation(
            occurrence=occurrence,
            partner=b if occurrence.author_id == a.pk else a,
            verdict="confirmed",
        )
        for occurrence in Occurrence.objects.filter(case=case)[::3]
    ]
    Confirmation.objects.bulk_create(confirmations, batch_size=500)

    for n in range(50):
        assignment = Assignment.objects.create(
            case=case,
            exercise_id="what-trust-looks-like",
            title=f"Homework {n + 1}",
            maximum_visibility="couple",
            due_on=(start + timedelta(days=14 * n)).date(),
            assigned_by=clinician,
        )
        for partner in (a, b):
            ExerciseResponse.objects.create(
                case=case,
                author=partner,
                visibility="couple",
                assignment=assignment,
                answers={"hope": "Home"},
                submitted_at=start + timedelta(days=14 * n + 3),
            )
    for n in range(12):
        CaseGoal.objects.create(
            case=case,
            title=f"Goal {n + 1}",
            how_noticed="We notice it on ordinary days.",
            status=rng.choice(["open", "progressing", "reached"]),
            created_by=clinician,
        )
    return case.pk


def measure(case_id: int, runs: int) -> dict[str, object]:
    """In a fresh process: render ``runs`` times; time, pages, size, memory."""
    from retrust.core import policy
    from retrust.core.models import Case
    from retrust.reports import actions

    case = Case.objects.get(pk=case_id)
    clinician = case.clinicians.get()
    walls, cpus = [], []
    rendered = None
    for _ in range(runs):
        access = policy.case_access(clinician, case_id, as_=policy.CLINICIAN)
        wall, cpu = time.perf_counter(), time.process_time()
        rendered = actions.build(access, "clinician", seconds=600)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    # One more render, traced, for the Python heap's peak (tracing slows it: not timed).
    tracemalloc.start()
    actions.build(policy.case_access(clinician, case_id, as_=policy.CLINICIAN), "clinician", 600)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert rendered is not None
    return {
        "wall_s": walls,
        "cpu_s": cpus,
        "pages": rendered.pages,
        "pdf_bytes": len(rendered.pdf),
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "heap_peak_mib": heap_peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        var_dir, case_id = args.measure.split(":")
        setup_django(var_dir)
        print(json.dumps(measure(int(case_id), args.runs)))
        return

    with tempfile.TemporaryDirectory(prefix="retrust-bench-report-") as var_dir:
        setup_django(var_dir)
        started = time.perf_counter()
        case_id = seed(args.years)
        seeded = time.perf_counter() - started
        from retrust.agreements.models import Occurrence
        from retrust.assessments.models import MeasureResponse

        print(
            f"seeded {args.years} years in {seeded:.1f} s: "
            f"{MeasureResponse.objects.count():,} questionnaire responses, "
            f"{Occurrence.objects.count():,} recorded days"
        )
        out = subprocess.run(  # noqa: S603 - this script, our interpreter
            [
                sys.executable,
                __file__,
                "--runs",
                str(args.runs),
                "--measure",
                f"{var_dir}:{case_id}",
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
    walls = ", ".join(f"{w:.2f}" for w in result["wall_s"])
    median = statistics.median(result["wall_s"])
    print(
        f"clinician report: {result['pages']} pages, {result['pdf_bytes'] / 1024:.0f} KiB; "
        f"wall per render {walls} s (median {median:.2f} s), "
        f"CPU per render {', '.join(f'{c:.2f}' for c in result['cpu_s'])} s; "
        f"peak RSS {result['max_rss_mib']:.0f} MiB; Python heap peak in one render "
        f"{result['heap_peak_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
