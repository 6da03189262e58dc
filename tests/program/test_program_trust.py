"""Trust holes closed on the program's side (issue 11), each as a partner or clinician would see it.

- 15: the "first exercise done together" card counts only answers both partners may read;
- 4: individual work with no second partner offers no "both of us" and speaks to one person;
- 7: forms a pause blocks say so before anyone types (and only to the partner who is held);
- 11: the homework "Due on" and goal review dates show the saved date;
- one door: page and API write the clinician's read once per request, refusals answer 400/409,
  the API's request schemas have names of their own, and a closed case shows no forms.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from retrust.core import pause
from retrust.core.actions import ActionError
from retrust.core.models import AuditEvent, Case, CaseMember
from retrust.core.policy import case_access
from retrust.program import actions, content
from retrust.program.models import AppreciationNote, ExerciseResponse, TrustGoal
from retrust.program.queries import milestones_for, shared_milestones
from tests.conftest import make_user, pause_case, signed_in_client
from tests.support.audit import ten_minutes_pass

TOGETHER_TITLE = "Your first exercise done together"


def due():
    return timezone.localdate() + timedelta(days=7)


def fill(exercise_id: str, text: str) -> dict[str, str]:
    exercise = content.library()[exercise_id]
    return {p.key: ("3" if p.field == "scale_1_5" else text) for p in exercise.prompts}


def posted(exercise_id: str, text: str, visibility: str) -> dict[str, str]:
    answers = {f"answer_{k}": v for k, v in fill(exercise_id, text).items()}
    return {**answers, "visibility": visibility}


def give(clinician, case, exercise_id="appreciation-practice", **kwargs):
    return actions.assign_homework(clinician, case, exercise_id=exercise_id, due_on=due(), **kwargs)


# --- hole 15: a milestone never reveals an "only me" answer --------------------------------


def test_an_only_me_answer_does_not_make_a_together_card(clinician, case, partner_a, partner_b):
    assignment = give(clinician, case)
    actions.submit_response(
        partner_a, assignment, answers=fill(assignment.exercise_id, "mine"), visibility="private"
    )
    actions.submit_response(
        partner_b, assignment, answers=fill(assignment.exercise_id, "ours"), visibility="couple"
    )
    # Bo would learn from the card that Ari answered, though Ari kept the answer to herself.
    bo_page = signed_in_client(partner_b).get(f"/program/{case.pk}/").content.decode()
    assert TOGETHER_TITLE not in bo_page
    assert "first-together" not in {m.key for m in shared_milestones(case)}
    for person in (partner_a, partner_b, clinician):
        keys = {m.key for m in milestones_for(case_access(person, case.pk))}
        assert "first-together" not in keys


def test_an_answer_shared_only_with_the_clinician_does_not_count_either(
    clinician, case, partner_a, partner_b
):
    assignment = give(clinician, case)
    actions.submit_response(
        partner_a, assignment, answers=fill(assignment.exercise_id, "x"), visibility="clinician"
    )
    actions.submit_response(
        partner_b, assignment, answers=fill(assignment.exercise_id, "y"), visibility="couple"
    )
    assert "first-together" not in {m.key for m in shared_milestones(case)}


def test_answers_both_may_read_make_the_card_for_both(clinician, case, partner_a, partner_b):
    assignment = give(clinician, case)
    for partner in (partner_a, partner_b):
        actions.submit_response(
            partner, assignment, answers=fill(assignment.exercise_id, "x"), visibility="couple"
        )
    for partner in (partner_a, partner_b):
        page = signed_in_client(partner).get(f"/program/{case.pk}/").content.decode()
        assert TOGETHER_TITLE in page


# --- hole 11: the dates a clinician saved show in the date fields --------------------------


def test_the_due_on_field_shows_a_date_the_browser_can_read(clinician, case, partner_a):
    goal = actions.add_case_goal(
        clinician, case, title="Calm evenings", how_noticed="Fewer rows", review_on=due()
    )
    page = signed_in_client(clinician).get(f"/cases/{case.pk}/program/").content.decode()
    today = timezone.localdate().isoformat()
    # An <input type="date"> shows nothing unless its value is an ISO date.
    assert f'type="date" name="due_on" value="{today}"' in page
    assert f'name="review_on" value="{goal.review_on.isoformat()}"' in page


def test_a_refused_assignment_keeps_the_date_that_was_typed(clinician, case, partner_a):
    soon = due().isoformat()
    client = signed_in_client(clinician)
    refused = client.post(
        f"/cases/{case.pk}/program/assign/",
        {"exercise_id": "telling-the-hurt", "due_on": soon, "for_role": ""},
    )
    assert refused.status_code == 400
    assert f'name="due_on" value="{soon}"' in refused.content.decode()


# --- hole 4: individual work, one person ---------------------------------------------------


@pytest.fixture
def solo(practice, clinician):
    case = Case.objects.create(practice=practice, label="Cam", track="individual", status="active")
    case.clinicians.add(clinician)
    cam = make_user("cam@example.org", "Cam")
    CaseMember.objects.create(case=case, user=cam, role="partner_a")
    return case, cam


TWO_PEOPLE = ("Both of us", "both of us", "you both", "Your partner's answers", "Our program")


def test_one_person_is_never_offered_both_of_us_on_the_program_page(solo, clinician):
    case, cam = solo
    actions.write_trust_goal(cam, case, body="Feeling steady", visibility="clinician")
    page = signed_in_client(cam).get(f"/program/{case.pk}/").content.decode()
    assert "My program" in page and "Me and my clinician" in page
    for words in TWO_PEOPLE:
        assert words not in page, words
    assert 'value="couple"' not in page


def test_one_person_is_never_offered_both_of_us_on_homework(solo, clinician):
    case, cam = solo
    assignment = give(clinician, case, "daily-needs-check-in")
    client = signed_in_client(cam)
    page = client.get(f"/homework/{assignment.pk}/").content.decode()
    assert "Me and my clinician" in page and "You, on your own" in page
    for words in TWO_PEOPLE:
        assert words not in page, words
    assert 'value="couple"' not in page
    sent = client.post(
        f"/homework/{assignment.pk}/", posted("daily-needs-check-in", "Rest", "clinician")
    )
    assert sent.status_code == 302
    page = client.get(f"/homework/{assignment.pk}/").content.decode()
    assert "Me and my clinician" in page and 'value="couple"' not in page
    for words in TWO_PEOPLE:
        assert words not in page, words


def test_one_person_cannot_share_a_goal_with_both_of_us(solo):
    case, cam = solo
    with pytest.raises(ActionError) as caught:
        actions.write_trust_goal(cam, case, body="Steady", visibility="couple")
    assert caught.value.field == "visibility"
    assert not TrustGoal.objects.exists()
    # Once a second partner joins, the author may choose it.
    CaseMember.objects.create(case=case, user=make_user("jo@example.org", "Jo"), role="partner_b")
    actions.write_trust_goal(cam, case, body="Steady", visibility="couple")


# --- hole 7: forms a pause blocks say so before anyone types -------------------------------


@pytest.fixture
def held(clinician, case, partner_a, partner_b):
    """Ari's private answer paused shared work; the clinician has not acted yet."""
    assignment = give(clinician, case, "what-trust-looks-like")
    proposal = actions.propose_advance(clinician, case, goals_review="Steady")
    other = give(clinician, case)
    for partner in (partner_a, partner_b):
        actions.submit_response(
            partner, other, answers=fill(other.exercise_id, "x"), visibility="couple"
        )
    pause_case(case, held_for=partner_a, shown=False)
    return assignment, proposal


def test_the_held_partner_sees_the_pause_before_typing(held, case, partner_a):
    assignment, _ = held
    client = signed_in_client(partner_a)
    page = client.get(f"/program/{case.pk}/").content.decode()
    assert pause.HELD_MESSAGE in page
    assert "Yes, I'm ready" not in page  # stage confirmation waits
    assert "Send a note" not in page  # appreciation notes wait
    assert 'value="couple"' not in page  # the goal can't be shared with the couple now
    homework = client.get(f"/homework/{assignment.pk}/").content.decode()
    assert pause.HELD_MESSAGE in homework
    assert 'value="couple"' not in homework
    assert "Me and our clinician" in homework  # work that stays with the clinician goes on


def test_the_other_partner_sees_no_change_until_the_clinician_acts(held, case, partner_b):
    assignment, _ = held
    client = signed_in_client(partner_b)
    page = client.get(f"/program/{case.pk}/").content.decode()
    assert pause.HELD_MESSAGE not in page and pause.DEFAULT_SHOWN_MESSAGE not in page
    assert "Yes, I'm ready" in page and "Send a note" in page
    homework = client.get(f"/homework/{assignment.pk}/").content.decode()
    assert 'value="couple"' in homework and pause.HELD_MESSAGE not in homework
    # Once the clinician acts, both read the neutral wording and both forms wait.
    pause.show(case)
    page = client.get(f"/program/{case.pk}/").content.decode()
    assert pause.DEFAULT_SHOWN_MESSAGE in page and "Yes, I'm ready" not in page


def test_sharing_anyway_while_held_is_a_conflict(held, case, partner_a):
    assignment, proposal = held
    client = signed_in_client(partner_a)
    sent = client.post(
        f"/homework/{assignment.pk}/", posted("what-trust-looks-like", "x", "couple")
    )
    assert sent.status_code == 409
    assert pause.HELD_MESSAGE in sent.content.decode()
    confirm = client.post(f"/program/{case.pk}/proposals/{proposal.pk}/confirm/")
    assert confirm.status_code == 409
    note = client.post(
        f"/program/{case.pk}/appreciation/", {"milestone_key": "first-together", "body": "Hi"}
    )
    assert note.status_code == 409
    api = client.post(
        f"/api/v1/program/assignments/{assignment.pk}/response",
        {"answers": fill("what-trust-looks-like", "x"), "visibility": "couple"},
        content_type="application/json",
    )
    assert api.status_code == 409
    assert not ExerciseResponse.objects.filter(assignment=assignment).exists()
    assert not AppreciationNote.objects.exists()


# --- one door: audit, refusals, schema, closed cases ---------------------------------------


def _reads(case, what):
    return AuditEvent.objects.filter(
        action="retrust.case.content.viewed", case=case, details__what=what
    ).count()


def test_page_and_api_record_the_clinicians_read_once_per_request(
    clinician, case, partner_a, partner_b
):
    assignment = give(clinician, case)
    actions.submit_response(
        partner_a, assignment, answers=fill(assignment.exercise_id, "x"), visibility="couple"
    )
    client = signed_in_client(clinician)
    assert client.get(f"/cases/{case.pk}/program/").status_code == 200
    assert _reads(case, "program_responses") == 1
    ten_minutes_pass()
    assert client.get(f"/api/v1/program/cases/{case.pk}/responses").status_code == 200
    assert _reads(case, "program_responses") == 2
    # A partner's own reading is not a clinical read.
    signed_in_client(partner_b).get(f"/api/v1/program/cases/{case.pk}/responses")
    assert _reads(case, "program_responses") == 2


def test_a_refusal_answers_400_on_the_page_and_in_the_api(clinician, case, partner_a):
    assignment = give(clinician, case, "telling-the-hurt", for_role="partner_a")
    client = signed_in_client(partner_a)
    page = client.post(f"/homework/{assignment.pk}/", {"visibility": "clinician"})
    assert page.status_code == 400
    api = client.post(
        f"/api/v1/program/assignments/{assignment.pk}/response",
        {"answers": {}, "visibility": "clinician"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["detail"][0]["loc"][-1].startswith("answer_")


def test_the_answers_body_has_a_schema_name_of_its_own():
    from retrust.api.api import api

    schema = api.get_openapi_schema()
    body = schema["paths"]["/api/v1/program/assignments/{assignment_id}/response"]["post"]
    ref = body["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ExerciseAnswersIn")
    assert "answers" in schema["components"]["schemas"]["ExerciseAnswersIn"]["properties"]


def test_a_closed_case_shows_no_forms(clinician, case, partner_a, partner_b):
    assignment = give(clinician, case)
    actions.propose_advance(clinician, case, goals_review="ok")
    Case.objects.filter(pk=case.pk).update(status="closed")
    partner = signed_in_client(partner_a)
    page = partner.get(f"/program/{case.pk}/").content.decode()
    assert f'action="/program/{case.pk}/' not in page
    homework = partner.get(f"/homework/{assignment.pk}/").content.decode()
    assert "Send my answers" not in homework and "read-only" in homework
    staff = signed_in_client(clinician).get(f"/cases/{case.pk}/program/").content.decode()
    for button in ("Assign", "Withdraw the proposal", "Add goal", "Propose the next stage"):
        assert f">{button}<" not in staff, button


def test_a_refused_confirmation_says_why_on_the_page(clinician, case, partner_a, partner_b):
    """A confirmation that comes too late is re-shown with the reason (it used to redirect)."""
    proposal = actions.propose_advance(clinician, case, goals_review="ok")
    actions.withdraw_proposal(clinician, proposal)
    refused = signed_in_client(partner_a).post(
        f"/program/{case.pk}/proposals/{proposal.pk}/confirm/"
    )
    assert refused.status_code == 400
    assert "This proposal is no longer open." in refused.content.decode()


def test_a_refused_note_says_why_even_without_cards(case, partner_a, partner_b):
    refused = signed_in_client(partner_a).post(
        f"/program/{case.pk}/appreciation/", {"milestone_key": "first-together", "body": "Hi"}
    )
    assert refused.status_code == 400
    assert "Choose one of your milestones." in refused.content.decode()
