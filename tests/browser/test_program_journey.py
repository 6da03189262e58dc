"""The program in a real Chromium: homework answered on phones, revealed together, stage advance.

Every page goes through ``tab.check()`` (axe-core, no CSP violation, no script error).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from retrust.program.models import Assignment, ExerciseResponse

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
A_WORDS = "We cook together on Sundays again"
B_WORDS = "You tell me about your day without me asking"


def on_phone(tab):
    tab.page.set_viewport_size(PHONE)
    return tab


def answer(tab, assignment, words):
    page = tab.page
    tab.goto(f"/homework/{assignment.pk}/")
    expect(page.get_by_role("heading", name="What trust would look like", level=1)).to_be_visible()
    tab.check()
    page.get_by_label("Picture an ordinary day").fill(words)
    # The draft saves itself (htmx) and says so in a status message.
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    page.get_by_label("What small thing would tell you").fill("A kind word")
    page.get_by_label("One hope you have").fill("Feeling at home")
    # Typing pauses, one autosave follows (debounced); send once it has landed.
    with page.expect_response(lambda r: "/draft/" in r.url and r.status == 200):
        page.get_by_label("Both of us and our clinician").check()
    expect(page.locator(".htmx-request")).to_have_count(0)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").first).to_contain_text("Sent")
    tab.check()


def test_homework_revealed_together_and_stage_advance(
    open_tab, clinician, case, partner_a, partner_b
):
    staff = open_tab(clinician)
    page = staff.page
    staff.goto(f"/cases/{case.pk}/")
    staff.check()
    page.get_by_role("link", name="Program: homework, goals and stages").click()
    expect(page.get_by_role("heading", name="Program: Ari and Bo")).to_be_visible()
    staff.check()
    page.get_by_label("Exercise").select_option("what-trust-looks-like")
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    page.get_by_label("Due on").fill(due)
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Homework assigned")
    staff.check()
    assignment = Assignment.objects.get(case=case)

    first = on_phone(open_tab(partner_a))
    first.goto(f"/program/{case.pk}/")
    first.check()
    first.page.get_by_role("link", name="What trust would look like").click()
    expect(first.page).to_have_url(re.compile(rf"/homework/{assignment.pk}/$"))
    first.check()
    answer(first, assignment, A_WORDS)
    expect(first.page.get_by_text("revealed together")).to_be_visible()

    second = on_phone(open_tab(partner_b))
    second.goto(f"/homework/{assignment.pk}/")
    expect(second.page.get_by_text(A_WORDS)).to_have_count(0)
    second.check()
    answer(second, assignment, B_WORDS)
    # The second answer reveals both, to both.
    expect(second.page.get_by_text(A_WORDS)).to_be_visible()
    first.goto(f"/homework/{assignment.pk}/")
    expect(first.page.get_by_text(B_WORDS)).to_be_visible()
    first.check()
    assert ExerciseResponse.objects.filter(submitted_at__isnull=False).count() == 2

    # Stage advance: the clinician proposes, each partner confirms.
    staff.goto(f"/cases/{case.pk}/program/")
    staff.check()
    page.get_by_label("Looking back at the goals before moving on").fill(
        "Both of you named what trust would look like."
    )
    page.get_by_role("button", name="Propose the next stage").click()
    expect(page.get_by_text("No confirmations yet.")).to_be_visible()
    staff.check()

    for tab, expected in ((first, "once your partner confirms"), (second, "Stage 2 of 6")):
        tab.goto(f"/program/{case.pk}/")
        expect(tab.page.get_by_role("heading", name="Ready for the next stage?")).to_be_visible()
        tab.check()
        tab.page.get_by_role("button", name="Yes, I'm ready").click()
        expect(tab.page.get_by_role("status").first).to_contain_text(expected)
        tab.check()
    expect(second.page.get_by_text("Stage 2 of 6 — hearing the hurt").first).to_be_visible()
    # The first exercise done together now shows as a milestone card.
    expect(
        second.page.get_by_role("heading", name="Your first exercise done together")
    ).to_be_visible()
    case.refresh_from_db()
    assert case.stage == 1

    # From the card, a note of appreciation reaches the other partner.
    card = second.page.get_by_role("article", name="Your first exercise done together")
    card.get_by_label("A note to Ari").fill("Thank you for Sunday")
    card.get_by_role("button", name="Send a note").click()
    expect(second.page.get_by_role("status").first).to_contain_text("on its way")
    second.check()
    first.goto(f"/program/{case.pk}/")
    expect(first.page.get_by_text("Thank you for Sunday")).to_be_visible()
    first.check()

    # Each partner's home, on the phone, says what they shared lately, in their own words:
    # "You" for what they did, the other partner's name for theirs; never the words.
    lately = (
        ("ari", first, "Bo sent a note of appreciation", "You shared answers to"),
        ("bo", second, "You sent a note of appreciation", "Ari shared answers to"),
    )
    for who, tab, note_line, answers_line in lately:
        tab.goto("/")
        panel = tab.page.get_by_role("region", name="Lately, shared between you")
        expect(panel.get_by_text(note_line)).to_be_visible()
        expect(panel.get_by_text(answers_line)).to_be_visible()
        expect(panel.get_by_text("Thank you for Sunday")).to_have_count(0)
        tab.check()
        tab.shot(f"home-lately-{who}")


def test_clinician_library_and_discernment_decision(open_tab, clinician, case, partner_a):
    staff = open_tab(clinician)
    page = staff.page
    staff.goto("/exercises/")
    expect(page.get_by_role("heading", name="Exercise library")).to_be_visible()
    staff.check()
    page.get_by_role("link", name="An accountability letter").click()
    expect(page.get_by_text("The partner who broke trust")).to_be_visible()
    staff.check()

    # The track is changed on the case page (with a reason); the program page follows it.
    staff.goto(f"/cases/{case.pk}/program/")
    staff.check()
    page.get_by_role("link", name="Change the track on the case page").click()
    staff.check()
    page.locator("#track-track").select_option("discernment")
    page.get_by_label("Why the track changes").fill("They want clarity first.")
    page.get_by_role("button", name="Change track").click()
    staff.check()
    staff.goto(f"/cases/{case.pk}/program/")
    expect(page.get_by_role("heading", name="Discernment decision")).to_be_visible()
    staff.check()
    # Parting without a closing plan is refused, with the reason next to the field.
    page.get_by_label("Separate").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("write the closing plan")).to_be_visible()
    staff.check(status=400)
    page.get_by_label("Closing plan (needed if they part)").fill("Tell the family together.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").first).to_contain_text("Decision recorded")
    staff.check()

    partner = on_phone(open_tab(partner_a))
    partner.goto(f"/program/{case.pk}/")
    expect(partner.page.get_by_text("Tell the family together.")).to_be_visible()
    partner.check()


def test_on_a_phone_a_held_partner_and_a_partner_on_their_own(
    open_tab, practice, clinician, case, partner_a, partner_b
):
    """Hole 7: the held partner's forms say so before typing; the other partner sees no change.
    Hole 4: one person on the individual track is offered nothing "for both of us"."""
    from retrust.core import pause
    from retrust.core.models import Case, CaseMember
    from retrust.program import actions
    from tests.conftest import make_user, pause_case

    due = timezone.localdate() + timedelta(days=7)
    assignment = actions.assign_homework(
        clinician, case, exercise_id="what-trust-looks-like", due_on=due
    )
    pause_case(case, held_for=partner_a, shown=False)

    held = on_phone(open_tab(partner_a))
    held.goto(f"/homework/{assignment.pk}/")
    expect(held.page.get_by_role("status").filter(has_text="will be in touch")).to_be_visible()
    expect(held.page.get_by_label("Both of us and our clinician")).to_have_count(0)
    expect(held.page.get_by_label("Me and our clinician")).to_be_visible()
    held.check()
    held.goto(f"/program/{case.pk}/")
    expect(held.page.get_by_text(pause.HELD_MESSAGE).first).to_be_visible()
    held.check()

    other = on_phone(open_tab(partner_b))
    other.goto(f"/homework/{assignment.pk}/")
    expect(other.page.get_by_label("Both of us and our clinician")).to_be_visible()
    expect(other.page.get_by_text("will be in touch")).to_have_count(0)
    other.check()

    solo = Case.objects.create(practice=practice, label="Cam", track="individual", status="active")
    solo.clinicians.add(clinician)
    cam = make_user("cam@example.org", "Cam")
    CaseMember.objects.create(case=solo, user=cam, role="partner_a")
    check_in = actions.assign_homework(
        clinician, solo, exercise_id="daily-needs-check-in", due_on=due
    )
    alone = on_phone(open_tab(cam))
    alone.goto(f"/homework/{check_in.pk}/")
    expect(alone.page.get_by_label("Me and my clinician")).to_be_visible()
    expect(alone.page.get_by_text("Both of us")).to_have_count(0)
    expect(alone.page.get_by_role("heading", name="Your partner's answers")).to_have_count(0)
    alone.check()
    alone.page.get_by_role("link", name="My program").click()
    expect(alone.page.get_by_role("heading", name="My program", level=1)).to_be_visible()
    expect(alone.page.get_by_text("Both of us")).to_have_count(0)
    alone.check()
