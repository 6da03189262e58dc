"""What each version of the progress report holds, read back from the PDF with pdftotext."""

from __future__ import annotations

from retrust.core import policy
from retrust.core.models import AuditEvent
from retrust.reports import actions
from tests.reports.conftest import (
    AGREEMENT_TEXT,
    AGREEMENT_TITLE,
    CLINICIAN_TRUST,
    COMMITMENT,
    JOINT_HOMEWORK,
    PHQ9_TITLE,
    PRIVATE_ANSWER,
    PRIVATE_JOURNAL,
    SAFETY_QUESTION,
    SESSION_NOTE,
    SHARED_GOAL,
    SHARED_TRUST,
    World,
    pdf_text,
)


def test_the_couples_version_holds_what_both_see_and_nothing_private(world: World) -> None:
    access = policy.case_access(world.partner_a, world.case.pk, as_=policy.PARTNER)
    text = pdf_text(actions.build(access, "couple").pdf)

    for shared in (SHARED_GOAL, SHARED_TRUST, AGREEMENT_TITLE, AGREEMENT_TEXT, COMMITMENT):
        assert shared in text, shared
    assert JOINT_HOMEWORK in text
    # Both chose to share their CSI-4 totals: 12 and 14, with the bands, for both names.
    assert "Couples Satisfaction Index" in text
    assert "12" in text and "14" in text

    for private in (
        PRIVATE_JOURNAL,
        CLINICIAN_TRUST,
        SESSION_NOTE,
        PRIVATE_ANSWER,
        SAFETY_QUESTION,
        PHQ9_TITLE,
        "PHQ-9",
        "Moderately severe",  # Priya's PHQ-9 band
        world.b_only_homework,  # the other partner's own homework
    ):
        assert private not in text, private


def test_both_partners_get_the_same_couples_version(world: World) -> None:
    texts = []
    for partner in (world.partner_a, world.partner_b):
        access = policy.case_access(partner, world.case.pk, as_=policy.PARTNER)
        context = actions.content.couple_report(access)
        texts.append(
            (
                [g.body for g in context["trust_goals"]],
                [h["assignment"].title for h in context["homework"]],
                [a.pk for a in context["agreements"]],
                [c.action for c in context["commitments"]],
                [
                    (m["instrument"].id, [c["rows"] for c in m["columns"]])
                    for m in context["revealed"]
                ],
            )
        )
    assert texts[0] == texts[1]


def test_the_clinicians_version_has_each_partners_measures_goals_homework_and_follow_through(
    world: World,
) -> None:
    access = policy.case_access(world.clinician, world.case.pk, as_=policy.CLINICIAN)
    text = pdf_text(actions.build(access, "clinician").pdf)

    assert PHQ9_TITLE in text and "Moderately severe" in text and "17" in text
    assert "Couples Satisfaction Index" in text
    for expected in (SHARED_GOAL, SHARED_TRUST, CLINICIAN_TRUST, AGREEMENT_TITLE, COMMITMENT):
        assert expected in text, expected
    assert JOINT_HOMEWORK in text and world.b_only_homework in text
    assert "Confidential clinical record" in text
    # Never in any version: session notes, safety answers, private journals and answers.
    for absent in (SESSION_NOTE, SAFETY_QUESTION, PRIVATE_JOURNAL, PRIVATE_ANSWER):
        assert absent not in text, absent
    # Reading the case for the report is a clinical read, recorded like the pages'.
    assert AuditEvent.objects.filter(
        action="retrust.case.content.viewed", actor=world.clinician, case=world.case
    ).exists()


def test_a_case_with_one_partner_puts_none_of_their_private_records_in_the_couples_version(
    world: World,
) -> None:
    world.case.members.filter(user=world.partner_b).delete()
    access = policy.case_access(world.partner_a, world.case.pk, as_=policy.PARTNER)
    text = pdf_text(actions.build(access, "couple").pdf)
    assert SHARED_TRUST in text
    assert PHQ9_TITLE not in text and PRIVATE_JOURNAL not in text


def _grow(world: World) -> None:
    """Many more answers, recorded days and goals behind the same kinds of content."""
    from datetime import timedelta

    from django.utils import timezone

    from retrust.agreements import actions as agreement_actions
    from retrust.agreements.models import Commitment
    from retrust.assessments.models import MeasureResponse
    from retrust.program import actions as program_actions

    for response in list(MeasureResponse.objects.filter(status="submitted")):
        for round_key in range(1, 9):
            response.pk = None
            response.round_key += 100 + round_key
            response.submission_key = None
            response.submitted_at = response.submitted_at - timedelta(days=14 * round_key)
            response.save()
    today = timezone.localdate()
    Commitment.objects.update(starts_on=today - timedelta(days=60))
    commitment = Commitment.objects.get()
    for days_ago in range(8, 50):
        agreement_actions.record_occurrence(
            world.partner_a, commitment, due_on=today - timedelta(days=days_ago), outcome="kept"
        )
    for n in range(5):
        program_actions.add_case_goal(
            world.clinician, world.case, title=f"Goal {n}", how_noticed="We notice", review_on=None
        )


def test_both_versions_read_in_a_fixed_number_of_queries_whatever_the_history(
    world: World,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(version: str, user: object) -> int:
        access = policy.case_access(user, world.case.pk)
        with CaptureQueriesContext(connection) as queries:
            actions.content.report_context(access, version)
        return len(queries.captured_queries)

    # A first read writes the clinician's "content viewed" rows; reads again within the audit's
    # merge window only look for them, so both measurements start after one read.
    count("clinician", world.clinician)
    before = (count("clinician", world.clinician), count("couple", world.partner_a))
    _grow(world)
    after = (count("clinician", world.clinician), count("couple", world.partner_a))
    assert after == before


def test_both_versions_number_the_stage_as_every_page_does(world: World) -> None:
    from retrust.program import journey

    world.case.stage = 2
    world.case.save(update_fields=["stage"])
    expected = journey.stage_label(world.case.track, 2)
    assert expected == "Stage 3 of 6 — setting boundaries"
    couple = policy.case_access(world.partner_a, world.case.pk, as_=policy.PARTNER)
    clinician = policy.case_access(world.clinician, world.case.pk, as_=policy.CLINICIAN)
    for access, version in ((couple, "couple"), (clinician, "clinician")):
        assert expected in pdf_text(actions.build(access, version).pdf), version
