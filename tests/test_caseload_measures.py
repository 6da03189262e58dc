"""The caseload and case view show each partner's latest scores and what check-ins are due."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from retrust.assessments import actions
from retrust.assessments.models import MeasureResponse, ResponseStatus
from retrust.core.models import Case, CaseMember
from tests.conftest import make_user
from tests.test_query_counts import assert_constant

PHQ9_CALM = {f"phq9-{i}": 0 for i in range(1, 10)}


def phq9(total_from_first_items: int) -> dict[str, int]:
    """A PHQ-9 with item 9 at 0 whose total is ``total_from_first_items`` (at most 24)."""
    answers = dict(PHQ9_CALM)
    remaining = total_from_first_items
    for i in range(1, 9):
        step = min(3, remaining)
        answers[f"phq9-{i}"] = step
        remaining -= step
    return answers


def schedule_phq9(case: Case, clinician, starts_days_ago: int = 0):
    schedule, _ = actions.schedule_measure(
        clinician,
        case,
        instrument_id="phq-9",
        kind="every_n_weeks",
        every_weeks=1,
        starts_on=timezone.localdate() - timedelta(days=starts_days_ago),
    )
    return schedule


def history(schedule, author, totals: list[int]) -> None:
    """Submitted responses in earlier rounds, oldest first."""
    now = timezone.now()
    for i, total in enumerate(totals):
        MeasureResponse.objects.create(
            case_id=schedule.case_id,
            author=author,
            visibility="clinician",
            schedule=schedule,
            instrument_id="phq-9",
            instrument_version="1.0.0",
            round_key=-1000 - i,
            due_on=now.date(),
            status=ResponseStatus.SUBMITTED,
            answers=phq9(total),
            scores={},
            total=total,
            band="",
            submitted_at=now - timedelta(days=100 - i),
        )


def test_the_caseload_shows_latest_scores_with_direction(
    case, clinician, partner_a, partner_b, client_for
):
    schedule = schedule_phq9(case, clinician)
    history(schedule, partner_a, [15, 11, 9])
    history(schedule, partner_b, [4, 8])
    page = client_for("clinician").get("/caseload/").content.decode()
    assert "PHQ-9 Ari: 9 (↗ better since 15)" in page
    assert "PHQ-9 Bo: 8 (↘ worse since 4)" in page


def test_the_caseload_counts_due_and_overdue_check_ins(
    case, clinician, partner_a, partner_b, client_for
):
    schedule_phq9(case, clinician)  # this week's round opens today for both partners
    page = client_for("clinician").get("/caseload/").content.decode()
    assert "2 due" in page
    assert "overdue" not in page


def test_an_answered_round_is_no_longer_due(case, clinician, partner_a, partner_b, client_for):
    schedule = schedule_phq9(case, clinician)
    actions.submit_response(partner_a, schedule, phq9(6))
    page = client_for("clinician").get("/caseload/").content.decode()
    assert "1 due" in page
    # A first answer has nothing to compare with (issue 11: it said "→ same since 6").
    assert "PHQ-9 Ari: 6 (first answer)" in page
    assert "same since" not in page


def test_a_round_past_its_grace_days_is_overdue(case, clinician, partner_a, partner_b, client_for):
    schedule_phq9(case, clinician, starts_days_ago=5)
    page = client_for("clinician").get("/caseload/").content.decode()
    assert "2 overdue" in page


def test_the_case_view_shows_each_partners_latest_scores(
    case, clinician, partner_a, partner_b, client_for
):
    schedule = schedule_phq9(case, clinician)
    history(schedule, partner_a, [12, 7])
    page = client_for("clinician").get(f"/cases/{case.pk}/").content.decode()
    assert "PHQ-9: 7" in page
    assert "better since 12" in page


def test_partners_never_see_the_caseload_scores(case, clinician, partner_a, partner_b, client_for):
    schedule = schedule_phq9(case, clinician)
    history(schedule, partner_a, [15, 9])
    assert client_for("partner_b").get("/caseload/").status_code == 404
    assert client_for("partner_b").get(f"/cases/{case.pk}/").status_code == 404


def test_the_caseload_with_measures_runs_constant_queries(
    practice, case, clinician, partner_a, partner_b, client_for
):
    schedule = schedule_phq9(case, clinician)
    history(schedule, partner_a, [10, 8])

    def grow() -> None:
        for n in range(12):
            other = Case.objects.create(practice=practice, label=f"Case {n}", status="active")
            other.clinicians.add(clinician)
            a = make_user(f"a{n}@example.org", f"A{n}")
            b = make_user(f"b{n}@example.org", f"B{n}")
            CaseMember.objects.create(case=other, user=a, role="partner_a")
            CaseMember.objects.create(case=other, user=b, role="partner_b")
            s = schedule_phq9(other, clinician, starts_days_ago=n)
            history(s, a, [5, 6, 7])
            history(s, b, [9, 3])

    assert_constant(client_for("clinician"), "/caseload/", grow)


def test_the_case_view_shows_each_partners_intake_in_their_words(
    case, clinician, partner_a, partner_b, client_for
):
    schedule, _ = actions.schedule_measure(
        clinician, case, instrument_id="intake", kind="intake", starts_on=timezone.localdate()
    )
    actions.submit_response(
        partner_a,
        schedule,
        {"intake-what-happened": "I found messages I was not meant to see."},
    )
    page = client_for("clinician").get(f"/cases/{case.pk}/").content.decode()
    assert "I found messages I was not meant to see." in page
    assert "Intake not answered yet." in page  # Bo has not answered
    for other in ("partner_b", "other_clinician", "admin"):
        response = client_for(other).get(f"/cases/{case.pk}/")
        assert "I found messages" not in response.content.decode()


def test_phq9_item_9_above_zero_pauses_shared_work_and_tells_no_one_why(
    case, clinician, partner_a, partner_b, client_for
):
    from retrust.safety.models import Alert, CasePause

    schedule = schedule_phq9(case, clinician)
    # Bo's own check-in is named on his home page ("Waiting for you") before and after.
    before_b = client_for("partner_b").get("/home/").content.decode()
    actions.submit_response(partner_a, schedule, {**phq9(3), "phq9-9": 1})
    alert = Alert.objects.get(case=case, source="phq9_item9")
    assert alert.priority == "high"
    assert CasePause.objects.filter(case=case, lifted_at__isnull=True).exists()
    # The disclosing partner is told kindly; the other partner sees no change (hole 18).
    home_a = client_for("partner_a").get("/home/").content.decode()
    assert "Your clinician will be in touch with you soon" in home_a
    home_b = client_for("partner_b").get("/home/").content.decode()
    assert "in touch" not in home_b and "pause-banner" not in home_b
    assert home_b.count("PHQ-9") == before_b.count("PHQ-9") and "item 9" not in home_b
    caseload = client_for("clinician").get("/caseload/").content.decode()
    assert "1 high alert" in caseload and "Shared work paused" in caseload


def test_answering_a_check_in_counts_as_activity(case, clinician, partner_a, partner_b):
    from retrust.core.models import CaseMember

    CaseMember.objects.filter(user=partner_a).update(last_active_at=None)
    actions.submit_response(partner_a, schedule_phq9(case, clinician), phq9(2))
    assert CaseMember.objects.get(user=partner_a).last_active_at is not None
    assert CaseMember.objects.get(user=partner_b).last_active_at is None
