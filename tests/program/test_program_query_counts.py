"""The program's pages answer in a constant number of SQL queries as the data grows."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from django.utils import timezone

from retrust.program import actions, content
from retrust.program.models import Assignment, ExerciseResponse
from tests.conftest import signed_in_client
from tests.test_query_counts import assert_constant

_serial = count(1)
BOTH = [
    e.id
    for e in content.library().values()
    if e.who == "both" and "conjoint" in e.tracks and e.maximum_visibility == "couple"
]


def answers(exercise_id: str, text: str) -> dict[str, str]:
    exercise = content.library()[exercise_id]
    return {p.key: ("4" if p.field == "scale_1_5" else text) for p in exercise.prompts}


def grow(case, clinician, partner_a, partner_b, n: int = 6):
    """``n`` more assignments, each answered by both partners, with comments and goals."""
    for _ in range(n):
        i = next(_serial)
        exercise = BOTH[i % len(BOTH)]
        assignment = actions.assign_homework(
            clinician,
            case,
            exercise_id=exercise,
            due_on=timezone.localdate() + timedelta(days=i),
        )
        for partner in (partner_a, partner_b):
            response = actions.submit_response(
                partner, assignment, answers=answers(exercise, f"words {i}"), visibility="couple"
            )
            actions.comment_on_response(clinician, response, body=f"Thanks {i}")
        actions.add_case_goal(
            clinician, case, title=f"Goal {i}", how_noticed="We will see it", review_on=None
        )
        actions.send_appreciation(partner_a, case, milestone_key="first-together", body=f"n{i}")


def seed(case, clinician, partner_a, partner_b):
    grow(case, clinician, partner_a, partner_b, n=1)
    actions.write_trust_goal(partner_a, case, body="Calm evenings", visibility="couple")
    actions.propose_advance(clinician, case, goals_review="Going well")


def test_partner_program_page(case, clinician, partner_a, partner_b):
    seed(case, clinician, partner_a, partner_b)
    client = signed_in_client(partner_a)
    assert_constant(
        client, f"/program/{case.pk}/", lambda: grow(case, clinician, partner_a, partner_b)
    )


def test_homework_page(case, clinician, partner_a, partner_b):
    seed(case, clinician, partner_a, partner_b)
    assignment = Assignment.objects.first()
    client = signed_in_client(partner_b)

    def more_comments():
        for response in ExerciseResponse.objects.filter(assignment=assignment):
            for i in range(5):
                actions.comment_on_response(clinician, response, body=f"More {i}")
        grow(case, clinician, partner_a, partner_b)

    assert_constant(client, f"/homework/{assignment.pk}/", more_comments)


def test_clinician_program_page(case, clinician, partner_a, partner_b):
    seed(case, clinician, partner_a, partner_b)
    client = signed_in_client(clinician)
    assert_constant(
        client, f"/cases/{case.pk}/program/", lambda: grow(case, clinician, partner_a, partner_b)
    )


def test_program_api(case, clinician, partner_a, partner_b):
    seed(case, clinician, partner_a, partner_b)
    client = signed_in_client(partner_a)
    for url in (f"/api/v1/program/cases/{case.pk}", f"/api/v1/program/cases/{case.pk}/responses"):
        assert_constant(client, url, lambda: grow(case, clinician, partner_a, partner_b))
