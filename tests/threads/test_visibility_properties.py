"""Who reads which message, checked against DESIGN.md's two thread rows in small random worlds.

The oracle is written from the table, not from ``rules`` or ``policy``: "a partner's private
thread with the clinician" is read by that partner and the case's clinicians; "the couple's
thread with the clinician" by both partners and the case's clinicians; nobody else reads
either — whoever wrote the message, the clinician's replies included.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrust.core.models import Case, CaseMember, ClinicianMembership, Practice, User
from retrust.threads import actions
from retrust.threads.models import Message

# People: 0 = partner_a, 1 = partner_b, 2 = the case's clinician, 3 = another clinician of
# the practice, 4 = the practice admin, 5 = someone assigned to the case who is not (or no
# longer) a clinician of its practice.
A, B, CLINICIAN, COLLEAGUE, ADMIN, STALE = range(6)
WRITERS = {"partner_a": [A, CLINICIAN], "partner_b": [B, CLINICIAN], "together": [A, B, CLINICIAN]}


@dataclass(frozen=True)
class Plan:
    two_partners: bool
    messages: list[tuple[str, int]]  # (thread key, writer)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    two = draw(st.booleans())
    keys = ["partner_a", "partner_b", "together"] if two else ["partner_a"]
    messages = draw(
        st.lists(
            st.sampled_from(keys).flatmap(
                lambda key: st.tuples(st.just(key), st.sampled_from(WRITERS[key]))
            ),
            min_size=1,
            max_size=8,
        )
    )
    return Plan(two, messages)


def oracle_reads(person: int, key: str) -> bool:
    """DESIGN.md's table, read row by row."""
    if key == "together":
        return person in (A, B, CLINICIAN)
    owner = A if key == "partner_a" else B
    return person in (owner, CLINICIAN)


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans())
def test_every_message_reaches_exactly_its_threads_audience(plan: Plan) -> None:
    with transaction.atomic():
        practice = Practice.objects.create(name="P", slug="p")
        people = [User.objects.create(email=f"p{i}@example.org", password="!") for i in range(6)]
        for person, role in ((CLINICIAN, "clinician"), (COLLEAGUE, "clinician"), (ADMIN, "admin")):
            ClinicianMembership.objects.create(practice=practice, user=people[person], role=role)
        case = Case.objects.create(practice=practice, label="Case", status="active")
        case.clinicians.add(people[CLINICIAN], people[STALE])
        CaseMember.objects.create(case=case, user=people[A], role="partner_a")
        if plan.two_partners:
            CaseMember.objects.create(case=case, user=people[B], role="partner_b")
        key_of: dict[int, str] = {}
        for key, writer in plan.messages:
            message = actions.send_message(people[writer], case, key, body=f"{key} by {writer}")
            key_of[message.pk] = key

        for person, user in enumerate(people):
            seen = set(Message.objects.visible_to(user).values_list("pk", flat=True))
            expected = {pk for pk, key in key_of.items() if oracle_reads(person, key)}
            assert seen == expected, (person, plan)
            if person == B:
                # The clinician's replies in Ari's thread are Ari's thread's: never Bo's.
                assert not seen & {pk for pk, key in key_of.items() if key == "partner_a"}
        transaction.set_rollback(True)
