"""Homework, reveal-together, stage advance, goals, decisions and notes, end to end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from retrust.clinic import actions as clinic_actions
from retrust.core.actions import ActionError
from retrust.core.models import AuditEvent, Case, CaseMember
from retrust.program import actions
from retrust.program.models import (
    AppreciationNote,
    Assignment,
    CaseGoal,
    ExerciseResponse,
    ResponseComment,
    StageConfirmation,
)
from retrust.program.queries import responses_visible_to, shared_milestones
from tests.conftest import make_user, signed_in_client

TRUST = {
    "ordinary_day": "We laugh at breakfast again",
    "small_sign": "Phone left face up",
    "hope": "To feel at home with you",
}


@pytest.fixture
def both(partner_a, partner_b):
    return partner_a, partner_b


def due():
    return timezone.localdate() + timedelta(days=7)


def assign(clinician, case, exercise="what-trust-looks-like", for_role=""):
    return actions.assign_homework(
        clinician, case, exercise_id=exercise, due_on=due(), for_role=for_role
    )


def test_assigning_twice_stores_one_assignment(clinician, case, both):
    first = assign(clinician, case)
    again = assign(clinician, case)
    assert first.pk == again.pk
    assert Assignment.objects.count() == 1
    assert AuditEvent.objects.filter(action="retrust.program.homework.assigned").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"exercise_id": "no-such-thing"}, "exercise_id"),
        ({"exercise_id": "three-paths"}, "exercise_id"),  # a discernment exercise
        ({"due_on": "past"}, "due_on"),
        ({"exercise_id": "telling-the-hurt"}, "for_role"),  # one partner's: say which
    ],
)
def test_bad_assignments_say_what_to_fix_and_save_nothing(clinician, case, both, kwargs, field):
    data = {"exercise_id": "what-trust-looks-like", "due_on": due(), "for_role": ""}
    data.update(kwargs)
    if data["due_on"] == "past":
        data["due_on"] = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ActionError) as caught:
        actions.assign_homework(clinician, case, **data)
    assert caught.value.field == field
    assert caught.value.message
    assert Assignment.objects.count() == 0


def test_only_the_case_clinician_assigns(other_clinician, case, both):
    with pytest.raises(ActionError):
        assign(other_clinician, case)


def test_reveal_together_shows_answers_only_after_both_have_sent(clinician, case, both):
    a, b = both
    assignment = assign(clinician, case)
    actions.save_draft(a, assignment, answers={"ordinary_day": "half"}, visibility="couple")
    # A draft is its author's alone, even shared with the couple, even for the clinician.
    assert not responses_visible_to(b).exists()
    assert not responses_visible_to(clinician).exists()
    actions.submit_response(a, assignment, answers=TRUST, visibility="couple")
    assert not responses_visible_to(b).filter(author=a).exists()
    assert responses_visible_to(clinician).filter(author=a).exists()
    actions.submit_response(b, assignment, answers=TRUST, visibility="couple")
    assert responses_visible_to(b).filter(author=a).exists()
    assert responses_visible_to(a).filter(author=b).exists()
    assignment.refresh_from_db()
    assert assignment.revealed_at is not None


def test_submitting_twice_stores_once(clinician, case, both):
    a, _ = both
    assignment = assign(clinician, case)
    first = actions.submit_response(a, assignment, answers=TRUST, visibility="couple")
    again = actions.submit_response(
        a, assignment, answers={**TRUST, "hope": "changed"}, visibility="private"
    )
    assert first.pk == again.pk
    assert ExerciseResponse.objects.get().answers["hope"] == TRUST["hope"]
    assert AuditEvent.objects.filter(action="retrust.program.response.submitted").count() == 1


def test_visibility_can_be_narrowed_never_widened(clinician, case, both):
    a, b = both
    assignment = assign(clinician, case, "disclosure-conversation-plan")  # maximum: clinician
    answers = {
        "setting": "Tuesday",
        "support": "A friend",
        "pause_signal": "A hand",
        "worries": "x",
    }
    with pytest.raises(ActionError) as caught:
        actions.submit_response(a, assignment, answers=answers, visibility="couple")
    assert caught.value.field == "visibility"
    assert ExerciseResponse.objects.count() == 0
    actions.submit_response(a, assignment, answers=answers, visibility="private")
    assert not responses_visible_to(clinician).exists()
    assert not responses_visible_to(b).exists()


def test_an_unfinished_answer_is_refused_whole(clinician, case, both):
    a, _ = both
    assignment = assign(clinician, case)
    with pytest.raises(ActionError) as caught:
        actions.submit_response(
            a, assignment, answers={"ordinary_day": "x", "small_sign": ""}, visibility="couple"
        )
    assert caught.value.field == "answer_small_sign"
    assert ExerciseResponse.objects.count() == 0


def test_one_partners_exercise_is_theirs_alone(clinician, case, both):
    a, b = both
    assignment = assign(clinician, case, "telling-the-hurt", for_role="partner_a")
    with pytest.raises(ActionError):
        actions.submit_response(
            b,
            assignment,
            answers={"what_hurt": "x", "since_then": "y", "need_heard": "z"},
            visibility="couple",
        )


def test_clinician_comments_once_per_double_submit(clinician, case, both):
    a, _ = both
    response = actions.submit_response(
        a, assign(clinician, case), answers=TRUST, visibility="couple"
    )
    actions.comment_on_response(clinician, response, body="Thank you for this.")
    actions.comment_on_response(clinician, response, body="Thank you for this.")
    assert ResponseComment.objects.count() == 1


def test_conjoint_stage_advance_needs_both_partners(clinician, case, both):
    a, b = both
    proposal = actions.propose_advance(clinician, case, goals_review="Goals look steady.")
    again = actions.propose_advance(clinician, case, goals_review="Goals look steady.")
    assert proposal.pk == again.pk
    actions.confirm_advance(a, proposal)
    actions.confirm_advance(a, proposal)
    case.refresh_from_db()
    assert case.stage == 0
    assert StageConfirmation.objects.count() == 1
    actions.confirm_advance(b, proposal)
    case.refresh_from_db()
    assert case.stage == 1
    event = AuditEvent.objects.get(action="retrust.program.stage.advanced")
    assert event.details["old"] == 0 and event.details["new"] == 1
    assert "stage-0" in {m.key for m in shared_milestones(case)}


def test_individual_stage_advance_is_the_clinicians_alone(practice, clinician):
    case = Case.objects.create(practice=practice, label="Cam", track="individual", status="active")
    case.clinicians.add(clinician)
    CaseMember.objects.create(case=case, user=make_user("cam@example.org"), role="partner_a")
    actions.propose_advance(clinician, case, goals_review="Ready.")
    case.refresh_from_db()
    assert case.stage == 1


def test_a_proposal_needs_a_look_back_at_the_goals(clinician, case, both):
    with pytest.raises(ActionError) as caught:
        actions.propose_advance(clinician, case, goals_review="  ")
    assert caught.value.field == "goals_review"


def test_a_proposal_from_before_a_track_change_no_longer_counts(practice, clinician, case, both):
    a, _ = both
    proposal = actions.propose_advance(clinician, case, goals_review="ok")
    clinic_actions.switch_track(clinician, case, "individual", reason="Bo needs a pause")
    case.refresh_from_db()
    with pytest.raises(ActionError):
        actions.confirm_advance(a, proposal)
    # On the individual track a new proposal carries at once; the old one is withdrawn.
    fresh = actions.propose_advance(clinician, case, goals_review="Steady")
    proposal.refresh_from_db()
    case.refresh_from_db()
    assert proposal.state == "withdrawn" and fresh.state == "carried" and case.stage == 1


def test_discernment_decision_to_part_needs_a_closing_plan(clinician, case, both):
    clinic_actions.switch_track(clinician, case, "discernment", reason="Clarity first")
    case.refresh_from_db()
    with pytest.raises(ActionError) as caught:
        actions.record_decision(clinician, case, path="separate")
    assert caught.value.field == "closing_plan"
    decision = actions.record_decision(
        clinician, case, path="separate", closing_plan="Tell the children together."
    )
    assert decision.path == "separate"


def test_decisions_only_on_the_discernment_track(clinician, case, both):
    with pytest.raises(ActionError):
        actions.record_decision(clinician, case, path="stay_as_is")


def test_goals_by_partners_and_clinician(clinician, case, both):
    a, b = both
    actions.write_trust_goal(a, case, body="Honest answers", visibility="clinician")
    actions.write_trust_goal(a, case, body="Honest answers, kindly", visibility="clinician")
    goal = actions.add_case_goal(
        clinician, case, title="Feel close again", how_noticed="Weekly date kept", review_on=None
    )
    assert (
        actions.add_case_goal(
            clinician,
            case,
            title="Feel close again",
            how_noticed="Weekly date kept",
            review_on=None,
        ).pk
        == goal.pk
    )
    actions.update_case_goal(clinician, goal, status="progressing", review_on=due())
    assert CaseGoal.objects.get().status == "progressing"
    with pytest.raises(ActionError) as caught:
        actions.update_case_goal(clinician, goal, status="done-ish", review_on=None)
    assert caught.value.field == "status"


def test_appreciation_from_a_milestone_card(clinician, case, both):
    a, b = both
    assignment = assign(clinician, case)
    with pytest.raises(ActionError) as caught:
        actions.send_appreciation(a, case, milestone_key="first-together", body="Thank you")
    assert caught.value.field == "milestone_key"
    actions.submit_response(a, assignment, answers=TRUST, visibility="couple")
    actions.submit_response(b, assignment, answers=TRUST, visibility="couple")
    actions.send_appreciation(a, case, milestone_key="first-together", body="Thank you")
    actions.send_appreciation(a, case, milestone_key="first-together", body="Thank you")
    assert AppreciationNote.objects.visible_to(b).count() == 1


def test_the_pages_round_trip(clinician, case, both):
    a, b = both
    staff = signed_in_client(clinician)
    response = staff.post(
        f"/cases/{case.pk}/program/assign/",
        {"exercise_id": "what-trust-looks-like", "due_on": due().isoformat(), "for_role": ""},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    partner = signed_in_client(a)
    page = partner.get(f"/homework/{assignment.pk}/")
    assert page.status_code == 200
    assert "What trust would look like" in page.content.decode()
    draft = partner.post(
        f"/homework/{assignment.pk}/draft/",
        {"answer_ordinary_day": "Soft", "visibility": "couple"},
        headers={"HX-Request": "true"},
    )
    assert draft.status_code == 200 and "Draft saved" in draft.content.decode()
    assert ExerciseResponse.objects.get().submitted_at is None
    bad = partner.post(
        f"/homework/{assignment.pk}/", {"answer_ordinary_day": "Soft", "visibility": "couple"}
    )
    assert bad.status_code == 400
    assert "Answer this one too" in bad.content.decode()
    data = {f"answer_{k}": v for k, v in TRUST.items()} | {"visibility": "couple"}
    assert partner.post(f"/homework/{assignment.pk}/", data).status_code == 302
    assert partner.post(f"/homework/{assignment.pk}/", data).status_code == 302
    assert ExerciseResponse.objects.filter(submitted_at__isnull=False).count() == 1
    other = signed_in_client(b).get(f"/homework/{assignment.pk}/").content.decode()
    assert TRUST["hope"] not in other
    assert "revealed together" in other


def test_individual_work_stays_with_the_clinician_until_the_author_shares_it(practice, clinician):
    case = Case.objects.create(practice=practice, label="Cam", track="individual", status="active")
    case.clinicians.add(clinician)
    cam = make_user("cam@example.org", "Cam")
    CaseMember.objects.create(case=case, user=cam, role="partner_a")
    assignment = actions.assign_homework(
        clinician, case, exercise_id="daily-needs-check-in", due_on=due()
    )
    check_in = {"feeling": "3", "need": "Rest", "offer": "A walk"}
    with pytest.raises(ActionError) as caught:
        actions.submit_response(cam, assignment, answers=check_in, visibility="couple")
    assert caught.value.field == "visibility"
    response = actions.submit_response(cam, assignment, answers=check_in, visibility="clinician")
    # The partner joins later: nothing carries over by itself ...
    jo = make_user("jo@example.org", "Jo")
    CaseMember.objects.create(case=case, user=jo, role="partner_b")
    assert not responses_visible_to(jo).exists()
    # ... until Cam chooses to share this answer.
    actions.change_response_visibility(cam, response, visibility="couple")
    assert responses_visible_to(jo).filter(pk=response.pk).exists()
    with pytest.raises(ActionError):
        actions.change_response_visibility(jo, response, visibility="private")


def test_sent_answers_can_be_narrowed_but_not_widened_past_the_exercise(clinician, case, both):
    a, b = both
    assignment = assign(clinician, case, "disclosure-conversation-plan")
    answers = {"setting": "Home", "support": "A friend", "pause_signal": "Hand", "worries": "x"}
    response = actions.submit_response(a, assignment, answers=answers, visibility="clinician")
    with pytest.raises(ActionError) as caught:
        actions.change_response_visibility(a, response, visibility="couple")
    assert caught.value.field == "visibility"
    actions.change_response_visibility(a, response, visibility="private")
    assert not responses_visible_to(clinician).exists()


def test_a_partner_who_joins_later_still_answers_before_seeing(clinician, case, partner_a):
    assignment = assign(clinician, case)
    actions.submit_response(partner_a, assignment, answers=TRUST, visibility="couple")
    assignment.refresh_from_db()
    assert assignment.revealed_at is None
    late = make_user("late@example.org", "Bo")
    CaseMember.objects.create(case=case, user=late, role="partner_b")
    assert not responses_visible_to(late).exists()
    actions.submit_response(late, assignment, answers=TRUST, visibility="couple")
    assert responses_visible_to(late).filter(author=partner_a).exists()


def test_a_closed_case_takes_no_more_confirmations(clinician, case, both):
    a, _ = both
    proposal = actions.propose_advance(clinician, case, goals_review="ok")
    Case.objects.filter(pk=case.pk).update(status="closed")
    with pytest.raises(ActionError):
        actions.confirm_advance(a, proposal)


def test_sharing_waits_while_the_case_is_paused(clinician, case, both):
    from retrust.core import pause
    from retrust.core.pause import SharedWorkPaused

    a, b = both
    assignment = assign(clinician, case)
    proposal = actions.propose_advance(clinician, case, goals_review="ok")
    pause.start(case, held_for=None)
    pause.show(case)
    with pytest.raises(SharedWorkPaused):
        actions.submit_response(a, assignment, answers=TRUST, visibility="couple")
    with pytest.raises(SharedWorkPaused):
        actions.confirm_advance(a, proposal)
    with pytest.raises(SharedWorkPaused):
        actions.write_trust_goal(a, case, body="Honest", visibility="couple")
    # Work that stays with the author and the clinician goes on.
    actions.submit_response(a, assignment, answers=TRUST, visibility="clinician")
    assert ExerciseResponse.objects.count() == 1
    assert not responses_visible_to(b).exists()


def test_answers_goals_notes_and_comments_are_unreadable_in_the_raw_database(clinician, case, both):
    from django.db import connection

    a, b = both
    assignment = assign(clinician, case)
    response = actions.submit_response(a, assignment, answers=TRUST, visibility="couple")
    actions.submit_response(b, assignment, answers=TRUST, visibility="couple")
    actions.comment_on_response(clinician, response, body="Comment-plaintext-marker")
    actions.write_trust_goal(a, case, body="Goal-plaintext-marker", visibility="couple")
    actions.send_appreciation(a, case, milestone_key="first-together", body="Note-plaintext-marker")
    raw = []
    with connection.cursor() as cursor:
        for table, column in [
            ("program_exerciseresponse", "answers"),
            ("program_responsecomment", "body"),
            ("program_trustgoal", "body"),
            ("program_appreciationnote", "body"),
        ]:
            cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - fixed names
            raw.extend(str(row[0]) for row in cursor.fetchall())
    text = "\n".join(raw)
    assert raw and "marker" not in text and TRUST["hope"] not in text
    # ... while the application reads them back as written.
    assert ExerciseResponse.objects.get(pk=response.pk).answers == TRUST
