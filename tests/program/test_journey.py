"""The partner home shows where the couple is: the path, the stage's purpose, the goals, what
waits, then what the two of them shared lately. The program is in the menu, marked when open."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from retrust.agreements import actions as agreements
from retrust.core.models import Case, CaseMember
from retrust.program import actions, journey, transitions
from retrust.program.models import CaseGoal
from tests.conftest import make_user, signed_in_client
from tests.test_query_counts import assert_constant


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


# --- the pure journey -----------------------------------------------------------------------


@pytest.mark.parametrize("stage", sorted(transitions.STAGE_NAMES))
def test_every_stage_has_a_place_an_everyday_name_and_a_purpose(stage: int) -> None:
    found = journey.journey("conjoint", stage)
    assert found.headline == f"Stage {stage + 1} of 6 — {journey.EVERYDAY_NAMES[stage]}"
    assert found.purpose.endswith(".") and len(found.purpose.split(". ")) == 1
    assert [s.state for s in found.steps] == (
        ["done"] * stage + ["current"] + ["ahead"] * (5 - stage)
    )
    assert found.current is not None and found.current.number == stage + 1


def test_the_example_of_the_issue_reads_as_people_count() -> None:
    assert journey.journey("conjoint", 2).headline == "Stage 3 of 6 — setting boundaries"


def test_discernment_has_no_path_to_climb() -> None:
    found = journey.journey("discernment", 3)
    assert found.steps == () and found.current is None
    assert found.headline == "Finding clarity"


def test_a_stage_out_of_range_is_held_to_the_path() -> None:
    assert journey.journey("conjoint", 9).headline.startswith("Stage 6 of 6")


# --- the home page --------------------------------------------------------------------------


def test_home_shows_path_purpose_goals_then_waiting_then_shared_activity(
    case, partner_a, partner_b, clinician
) -> None:
    case.stage = 2
    case.save(update_fields=["stage"])
    actions.add_case_goal(
        clinician, case, title="Evenings without phones", how_noticed="We talk", review_on=None
    )
    reached = actions.add_case_goal(
        clinician, case, title="Already done", how_noticed="Yes", review_on=None
    )
    CaseGoal.objects.filter(pk=reached.pk).update(status="reached")
    agreements.propose_agreement(
        partner_a, case, category="communication", title="Ten quiet minutes", text="After dinner."
    )
    page = text(signed_in_client(partner_b).get("/home/"))
    order = [
        "Stage 3 of 6 — setting boundaries",
        "You agree, together, on clear and fair expectations",
        "Evenings without phones",
        "Waiting for you",
        "Lately, shared between you",
        "Ari proposed “Ten quiet minutes”",
    ]
    positions = [page.index(words) for words in order]
    assert positions == sorted(positions)
    assert "Already done" not in page  # reached goals are not "being worked on"
    mine = text(signed_in_client(partner_a).get("/home/"))
    assert "You proposed “Ten quiet minutes”" in mine


def test_the_current_stage_is_marked_for_assistive_technology(case, partner_a) -> None:
    page = signed_in_client(partner_a).get("/home/").content.decode()
    assert page.count('aria-current="step"') == 1
    assert re.search(r'aria-current="step">.*?Getting started', page, re.S)


def test_shared_activity_leaves_out_what_the_other_partner_kept_to_themselves(
    case, partner_a, partner_b, clinician
) -> None:
    homework = actions.assign_homework(
        clinician,
        case,
        exercise_id="appreciation-practice",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    from tests.program.test_program_access import fill

    actions.submit_response(
        partner_a, homework, answers=fill(homework.exercise_id, "Kept"), visibility="clinician"
    )
    page = text(signed_in_client(partner_b).get("/home/"))
    assert "shared answers" not in page
    assert "Nothing shared lately" in page


def test_a_journal_entry_shared_with_both_is_shared_activity_a_kept_one_is_not(
    case, partner_a, partner_b
) -> None:
    from retrust.core import actions as core

    shared = core.write_journal_entry(
        partner_a, case, body="The walk helped today.", visibility="couple"
    )
    core.write_journal_entry(partner_a, case, body="Only mine.", visibility="private")
    core.write_journal_entry(partner_a, case, body="For the clinician.", visibility="clinician")
    response = signed_in_client(partner_b).get("/home/")
    page = text(response)
    assert page.count("Ari shared a journal entry") == 1
    assert f'href="/journal/{shared.pk}/"' in response.content.decode()
    assert "Nothing shared lately" not in page
    assert "You shared a journal entry" in text(signed_in_client(partner_a).get("/home/"))


def test_one_person_working_alone_gets_no_shared_activity(practice, clinician) -> None:
    case = Case.objects.create(practice=practice, label="Cam", track="individual", status="active")
    case.clinicians.add(clinician)
    cam = make_user("cam@example.org", "Cam")
    CaseMember.objects.create(case=case, user=cam, role="partner_a")
    page = text(signed_in_client(cam).get("/home/"))
    assert "Stage 1 of 6" in page and "Your program" in page
    assert "shared between you" not in page


# --- the menu -------------------------------------------------------------------------------


def test_the_program_is_in_the_menu_and_marked_on_its_pages(case, partner_a, clinician) -> None:
    client = signed_in_client(partner_a)
    assert client.get("/program/").url == f"/program/{case.pk}/"
    homework = actions.assign_homework(
        clinician,
        case,
        exercise_id="appreciation-practice",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    for url in (f"/program/{case.pk}/", f"/homework/{homework.pk}/"):
        page = client.get(url).content.decode()
        assert re.search(r'<a href="/program/" aria-current="page">Program', page), url
    home = client.get("/home/").content.decode()
    assert re.search(r'href="/home/" aria-current="page">My space', home)
    assert not re.search(r'href="/program/" aria-current', home)


# --- constant queries -----------------------------------------------------------------------


def test_home_is_constant_in_goals_and_shared_activity(
    case, partner_a, partner_b, clinician, client_for
) -> None:
    from retrust.core import actions as core

    def grow_by(n: int, start: int) -> None:
        for i in range(start, start + n):
            actions.add_case_goal(
                clinician, case, title=f"Goal {i}", how_noticed="We see it", review_on=None
            )
            agreement = agreements.propose_agreement(
                partner_a, case, category="communication", title=f"Promise {i}", text="Words."
            )
            agreements.accept_version(partner_b, agreement, version_number=1)
            core.write_journal_entry(partner_a, case, body=f"Entry {i}", visibility="couple")

    grow_by(1, 0)
    assert_constant(client_for("partner_b"), "/home/", lambda: grow_by(12, 1))


# --- homework: whether the other partner has sent theirs --------------------------------------


def test_homework_says_whether_the_other_sent_theirs_never_what(
    case, partner_a, partner_b, clinician
) -> None:
    from tests.conftest import pause_case
    from tests.program.test_program_access import fill

    due = timezone.localdate() + timedelta(days=3)
    first = actions.assign_homework(
        clinician, case, exercise_id="appreciation-practice", due_on=due
    )
    second = actions.assign_homework(
        clinician, case, exercise_id="rituals-of-connection", due_on=due
    )
    actions.submit_response(
        partner_a, first, answers=fill(first.exercise_id, "Kept-words"), visibility="clinician"
    )
    bo = signed_in_client(partner_b)
    page = text(bo.get(f"/program/{case.pk}/"))
    assert "Ari has sent theirs" in page and "Ari hasn't sent theirs yet" in page
    assert "Kept-words" not in page
    homework = text(bo.get(f"/homework/{first.pk}/"))
    assert "Ari has sent theirs." in homework and "Kept-words" not in homework
    # While Ari is held by a pause, what Ari sends does not show, not even that it was sent.
    pause_case(case, held_for=partner_a, shown=False)
    actions.submit_response(
        partner_a, second, answers=fill(second.exercise_id, "Held"), visibility="clinician"
    )
    assert "Ari hasn't sent theirs yet." in text(bo.get(f"/homework/{second.pk}/"))
