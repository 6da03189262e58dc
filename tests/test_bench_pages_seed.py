"""The page benchmark's seeder (bench/bench_pages.py) still writes what the models hold.

The benchmark itself is too heavy for CI; this writes three cases with it into the test
database (``bulk_create`` where COPY is not available) so a model change cannot break it
unnoticed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.db import transaction

from retrust.agreements.models import Occurrence
from retrust.assessments.models import MeasureResponse
from retrust.core import policy
from retrust.core.models import AuditEvent, Case, JournalEntry, User
from retrust.safety.models import Alert

BENCH = Path(__file__).resolve().parent.parent / "bench"


def load_bench() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_pages", BENCH / "bench_pages.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_pages"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.django_db
def test_three_cases_seed_with_their_records() -> None:
    bench = load_bench()
    clinicians = bench.staff(3)
    with transaction.atomic():
        rows = bench.write_batch(range(3), 0, clinicians)

    heavy = User.objects.get(email=bench.HEAVY)
    assert Case.objects.count() == 3
    assert policy.caseload_for(heavy).count() == 3
    partner = User.objects.get(email=bench.PARTNER)
    case = Case.objects.get(members__user=partner)
    # Case 0 has one partner so far (one case in ten) and two years of daily records.
    assert case.members.count() == 1
    assert Occurrence.objects.filter(case=case).count() == bench.TWO_YEARS
    entries = JournalEntry.objects.filter(case=case)
    assert entries.count() == 40
    assert entries.first().body.startswith(tuple(bench.JOURNAL_LINES))  # decrypts
    responses = MeasureResponse.objects.filter(case=case, status="submitted")
    assert responses.count() == 12 + 6
    assert all(response.answers for response in responses)
    assert Alert.objects.filter(case=case).count() == 2
    assert AuditEvent.objects.filter(case=case).count() == 100
    total = sum(model.objects.count() for model in bench.seeded_models())
    # The clinicians come from staff(), everything else from this batch.
    assert rows == total - len(clinicians)
