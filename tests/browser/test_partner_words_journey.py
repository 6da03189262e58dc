"""Issue 17, second pass, on a 390×844 phone in a real Chromium: words for a hard moment into a
gentle start-up and a conversation; a finished hurtful-moment review's next step (talk it
through, or take it to the next session, as each person then sees it); and sent homework
changed until the other partner could read it. Every page is checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from retrust.conversations import actions as talk
from retrust.conversations.models import Conversation, HurtfulMomentReview
from retrust.core.models import JournalEntry
from retrust.program import actions as program
from retrust.program import content
from tests.browser.test_phone_journeys import PHONE, phone, shot
from tests.conversations.conftest import ANSWER_A

pytestmark = pytest.mark.browser


def test_feeling_words_into_a_gentle_start_and_a_conversation(open_tab, case, partner_a, partner_b):
    ari = phone(open_tab, partner_a)
    ari.goto(f"/cases/{case.pk}/talk/")
    ari.check()
    ari.page.get_by_role("link", name="Words for a hard moment").click()
    expect(ari.page.get_by_role("heading", name="Words for a hard moment", level=1)).to_be_visible()
    ari.check()
    # Nothing ticked: a clear message, nothing kept.
    ari.page.get_by_role("button", name="Start a conversation").click()
    expect(ari.page.get_by_role("alert")).to_contain_text("Tick at least one word")
    ari.check(status=400)
    for word in ("lonely", "hurt", "reassurance", "to be heard"):
        ari.page.get_by_label(word, exact=True).check()
    shot(ari, "words-ticked.png")
    ari.page.get_by_role("button", name="Start a conversation").click()

    expect(ari.page.get_by_role("heading", name="Build a gentle start-up")).to_be_visible()
    expect(ari.page.get_by_label("What I feel")).to_have_value("hurt and lonely")
    expect(ari.page.get_by_label("What I need")).to_have_value("I need to be heard and reassurance")
    assert Conversation.objects.count() == 0 and JournalEntry.objects.count() == 0
    ari.check()
    ari.page.get_by_label("About what specific situation").fill("when you left the party early")
    shot(ari, "words-builder.png")
    ari.page.get_by_role("button", name="Send as a new conversation").click()
    expect(ari.page.get_by_text("Sent. Your partner sums up what they heard next.")).to_be_visible()
    ari.check()
    shot(ari, "words-sent.png")

    statement = Conversation.objects.get().turns.get().body
    assert statement == (
        "I feel hurt and lonely when you left the party early. I need to be heard and reassurance."
    )
    bo = phone(open_tab, partner_b)
    bo.goto(f"/conversations/{Conversation.objects.get().pk}/")
    expect(bo.page.locator("blockquote")).to_contain_text("I feel hurt and lonely")
    bo.check()


def test_feeling_words_into_a_private_journal_entry(open_tab, case, partner_a, partner_b):
    bo = phone(open_tab, partner_b)
    bo.goto("/home/")
    bo.check()
    bo.page.get_by_role("link", name="words for what you feel and need").first.click()
    bo.page.get_by_label("scared", exact=True).check()
    bo.page.get_by_label("some time", exact=True).check()
    bo.page.get_by_role("button", name="Write it in my journal").click()
    expect(bo.page.get_by_role("heading", name="Write in your journal")).to_be_visible()
    expect(bo.page.get_by_label("What's on your mind")).to_have_value(
        "I feel scared. I need some time."
    )
    expect(bo.page.get_by_label("Only me")).to_be_checked()
    bo.check()
    assert JournalEntry.objects.count() == 0
    bo.page.get_by_role("button", name="Save").click()
    expect(bo.page.get_by_text("Saved.")).to_be_visible()
    bo.check()
    entry = JournalEntry.objects.get()
    assert entry.visibility == "private" and entry.body == "I feel scared. I need some time."


def test_a_finished_review_offers_the_next_step(open_tab, case, partner_a, partner_b, clinician):
    review = talk.open_review(partner_a, case, title="The night of the party")
    talk.save_review_answer(partner_a, review, parts=ANSWER_A, done=True)
    bo = phone(open_tab, partner_b)
    bo.goto(f"/reviews/{review.pk}/")
    expect(bo.page.get_by_role("heading", name="What next?")).to_have_count(0)
    questions = bo.page.locator("form textarea").count()
    expect(bo.page.locator(".lead")).to_contain_text(f"answers {questions} questions alone")
    bo.check()
    for box in bo.page.locator("form textarea").all():
        box.fill("A few honest words of mine.")
    bo.page.get_by_role("button", name="I'm done: share when we both are").click()
    expect(bo.page.get_by_role("heading", name="What next?")).to_be_visible()
    bo.check()
    shot(bo, "review-next-step.png")

    bo.page.get_by_role("button", name="Take it to our next session").click()
    expect(bo.page.get_by_text("Noted for your next session.")).to_be_visible()
    expect(bo.page.locator("#for-session")).to_contain_text("You asked on")
    expect(bo.page.get_by_role("button", name="Take it to our next session")).to_have_count(0)
    bo.check()
    shot(bo, "review-taken-to-session.png")
    assert HurtfulMomentReview.objects.get().for_session_by == partner_b

    ari = phone(open_tab, partner_a)
    ari.goto(f"/reviews/{review.pk}/")
    expect(ari.page.locator("#for-session")).to_contain_text("Bo asked on")
    ari.check()
    ari.page.get_by_role("link", name="Talk it through").click()
    expect(ari.page.get_by_label("About what specific situation")).to_have_value(
        "about “The night of the party”"
    )
    ari.check()
    shot(ari, "review-talk-it-through.png")

    dana = open_tab(clinician)
    dana.goto(f"/cases/{case.pk}/")
    panel = dana.page.locator(
        "section", has=dana.page.get_by_role("heading", name="Asked for the next session")
    )
    expect(panel).to_contain_text("The night of the party")
    expect(panel).to_contain_text("asked by Bo")
    dana.check()
    shot(dana, "review-clinician-case-page.png")
    panel.get_by_role("link", name="The night of the party").click()
    dana.page.get_by_role("button", name="We talked it through in session").click()
    expect(dana.page.locator("#for-session")).to_contain_text("Talked through in session")
    dana.check()
    dana.goto(f"/cases/{case.pk}/")
    expect(dana.page.get_by_role("heading", name="Asked for the next session")).to_have_count(0)
    dana.check()


def test_sent_homework_can_change_until_the_partner_could_read_it(
    open_tab, case, partner_a, partner_b, clinician
):
    homework = program.assign_homework(
        clinician,
        case,
        exercise_id="what-trust-looks-like",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    ari = phone(open_tab, partner_a)
    ari.goto(f"/homework/{homework.pk}/")
    rule = content.sharing_rule(
        reveal_together=True, widest="couple", maximum="couple", on_my_own=False
    )
    expect(ari.page.locator("#sharing-rule")).to_have_text(rule)
    expect(ari.page.get_by_label("Me and our clinician")).to_be_checked()
    ari.check()
    for box in ari.page.locator("main form textarea, main form input[type=text]").all():
        box.fill("My first words")
    ari.page.get_by_label("Both of us").check()
    shot(ari, "homework-rule.png")
    ari.page.get_by_role("button", name="Send my answers").click()
    expect(ari.page.get_by_text("Sent. Thank you for doing this.")).to_be_visible()
    ari.check()

    ari.page.get_by_text("Change my answers").click()
    for box in ari.page.locator("details form textarea, details form input[type=text]").all():
        box.fill("My better words")
    shot(ari, "homework-change.png")
    ari.page.get_by_role("button", name="Save my changes").click()
    expect(ari.page.get_by_text("Your changes are saved.")).to_be_visible()
    expect(ari.page.locator(".program-answers").first).to_contain_text("My better words")
    ari.check()

    exercise = content.library()[homework.exercise_id]
    program.submit_response(
        partner_b,
        homework,
        answers={
            p.key: ("3" if p.field == "scale_1_5" else "Bo's words") for p in exercise.prompts
        },
        visibility="couple",
    )
    ari.page.reload()
    expect(ari.page.locator("#edit-locked")).to_have_text(program.OPEN_TO_PARTNER)
    expect(ari.page.get_by_text("Change my answers")).to_have_count(0)
    ari.check()
    shot(ari, "homework-locked.png")

    bo = phone(open_tab, partner_b)
    bo.goto(f"/homework/{homework.pk}/")
    expect(bo.page.get_by_text("My better words").first).to_be_visible()
    expect(bo.page.get_by_text("My first words")).to_have_count(0)
    bo.check()
    assert bo.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert re.search("My first words", bo.page.content()) is None
