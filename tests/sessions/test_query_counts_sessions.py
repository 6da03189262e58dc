"""The week view, "My sessions" and the case page's next session run a fixed number of queries
whatever the number of appointments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retrust.core.models import Case, CaseMember
from retrust.sessions.models import Appointment, Kind, Status
from tests.conftest import make_user


def add_sessions(case, clinician, partners, count: int, offset: int = 0) -> None:
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    base = timezone.make_aware(
        timezone.datetime.combine(monday, timezone.datetime.min.time())
    ) + timedelta(hours=8)
    for n in range(count):
        appointment = Appointment.objects.create(
            case=case,
            clinician=clinician,
            kind=Kind.CONJOINT if n % 2 else Kind.INDIVIDUAL,
            start=base + timedelta(days=n % 6, minutes=60 * (n // 6) + offset),
            status=Status.BOOKED if n % 3 else Status.ATTENDED,
        )
        appointment.participants.set(partners if n % 2 else partners[:1])


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", ["/sessions/week/", "/sessions/", "/cases/{case}/", "/home/"], ids=str
)
def test_pages_run_the_same_queries_for_two_sessions_and_forty(
    url, client_for, case, clinician, partner_a, partner_b, practice
):
    partner_url = url in ("/sessions/", "/home/")
    client = client_for("partner_a" if partner_url else "clinician")
    target = url.format(case=case.pk)
    add_sessions(case, clinician, [partner_a, partner_b], 2)
    client.get(target)  # warm caches (sessions, content types)
    small = queries(client, target)
    # Many more sessions, in this case and in other cases of the same clinician.
    add_sessions(case, clinician, [partner_a, partner_b], 30, offset=7)
    for n in range(3):
        other = Case.objects.create(practice=practice, label=f"Other {n}", status="active")
        other.clinicians.add(clinician)
        people = [make_user(f"p{n}{r}@example.org", f"P{n}{r}") for r in "ab"]
        for person, role in zip(people, ("partner_a", "partner_b"), strict=True):
            CaseMember.objects.create(case=other, user=person, role=role)
        add_sessions(other, clinician, people, 4, offset=3 + n)
    large = queries(client, target)
    assert small == large
