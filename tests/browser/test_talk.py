"""The communication tools in a real Chromium: a speaker–listener round trip, a break and its
lock, and the gentle start-up builder's live feedback on a phone-sized screen.

Every page shown goes through ``tab.check()`` (axe-core, no CSP violation, no script error).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from retrust.conversations.models import Break, Conversation, Turn

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def heading(tab, name, level=1):
    return tab.page.get_by_role("heading", name=name, level=level)


def test_speaker_listener_round_trip(open_tab, case, partner_a, partner_b):
    ari = open_tab(partner_a)
    ari.goto(f"/cases/{case.pk}/talk/")
    expect(heading(ari, "Talk")).to_be_visible()
    ari.check()

    ari.page.get_by_label("Topic").fill("Evenings together")
    ari.page.get_by_role("button", name="Open a conversation").click()
    expect(heading(ari, "Evenings together")).to_be_visible()
    ari.check()

    ari.page.get_by_label("What would you like your partner to understand?").fill(
        "I feel lonely when we spend evenings on our phones. I'd like one evening a week together."
    )
    ari.page.get_by_role("button", name="Send").click()
    expect(ari.page.get_by_text("Waiting for Bo")).to_be_visible()
    ari.check()

    bo = open_tab(partner_b)
    conversation = Conversation.objects.get()
    bo.goto(f"/conversations/{conversation.pk}/")
    expect(bo.page.get_by_role("heading", name=re.compile("sum up what you heard"))).to_be_visible()
    expect(bo.page.locator("blockquote")).to_contain_text("one evening a week")
    bo.check()
    bo.page.get_by_label(re.compile("what did your partner say")).fill(
        "You feel lonely when we're both on our phones, and you'd like one evening a week."
    )
    bo.page.get_by_role("button", name="Send").click()
    expect(bo.page.get_by_text("Waiting for Ari")).to_be_visible()
    bo.check()

    ari.page.reload()
    expect(ari.page.get_by_text("You feel lonely when we're both on our phones")).to_be_visible()
    ari.page.get_by_role("button", name="Yes, that's it").click()
    expect(ari.page.get_by_text("Confirmed")).to_be_visible()
    ari.check()

    # Roles swap: now Bo speaks and Ari listens.
    conversation.refresh_from_db()
    assert conversation.speaker_id == partner_b.pk
    assert list(Turn.objects.values_list("kind", flat=True)) == [
        "statement",
        "summary",
        "confirmation",
    ]
    bo.page.reload()
    expect(bo.page.get_by_role("heading", name=re.compile("share your view"))).to_be_visible()
    bo.check()


def test_a_break_is_called_and_the_lock_shown(open_tab, case, partner_a, partner_b):
    from retrust.conversations import actions

    conversation = actions.open_conversation(partner_a, case, topic="Money")
    bo = open_tab(partner_b)
    bo.goto(f"/conversations/{conversation.pk}/")
    bo.check()
    bo.page.get_by_label("We'll come back in").select_option("30")
    bo.page.get_by_role("button", name="Take a break").click()
    expect(bo.page.get_by_role("heading", name=re.compile("On a break until"))).to_be_visible()
    expect(bo.page.get_by_text("Breathe out more slowly")).to_be_visible()
    expect(bo.page.get_by_role("button", name="Take a break")).to_have_count(0)
    bo.check()
    assert Break.objects.count() == 1

    ari = open_tab(partner_a)
    ari.goto(f"/conversations/{conversation.pk}/")
    expect(ari.page.get_by_role("heading", name=re.compile("On a break until"))).to_be_visible()
    expect(ari.page.get_by_role("textbox")).to_have_count(0)
    ari.check()

    ari.goto(f"/cases/{case.pk}/talk/")
    expect(ari.page.get_by_text(re.compile("On a break until"))).to_be_visible()
    ari.check()


def test_builder_live_feedback_on_a_phone(open_tab, case, partner_a, partner_b):
    ari = open_tab(partner_a)
    ari.page.set_viewport_size(PHONE)
    ari.goto(f"/cases/{case.pk}/gentle-start/")
    expect(heading(ari, "Build a gentle start-up")).to_be_visible()
    ari.check()

    page = ari.page
    page.get_by_label("What I feel").fill("worried")
    page.get_by_label("About what specific situation").fill("when you come home after midnight")
    page.get_by_label("What I need").fill("a text if you'll be late")
    feedback = page.locator("#coach-feedback")
    expect(feedback).to_contain_text(
        "I feel worried when you come home after midnight. A text if you'll be late."
    )
    ari.check()

    # A harsh situation gets a private hint, live.
    page.get_by_label("About what specific situation").fill("you never care about anyone")
    expect(feedback).to_contain_text("Criticism")
    expect(feedback).to_contain_text("Only you see these hints")
    ari.check()

    page.get_by_label("About what specific situation").fill("when you come home after midnight")
    page.get_by_role("button", name="Send as a new conversation").click()
    expect(page).to_have_url(re.compile(r"/conversations/\d+/$"))
    expect(page.get_by_text("I feel worried when you come home after midnight.")).to_be_visible()
    ari.check()


def test_trigger_log_and_review_pages(open_tab, case, partner_a, partner_b, clinician):
    ari = open_tab(partner_a)
    ari.goto(f"/cases/{case.pk}/triggers/")
    expect(heading(ari, "My trigger log")).to_be_visible()
    ari.check()
    ari.page.get_by_label("What happened").fill("A song from that summer on the radio")
    ari.page.get_by_label(re.compile("How strong it felt")).select_option("6")
    ari.page.get_by_role("button", name="Save").click()
    expect(ari.page.get_by_text("A song from that summer on the radio")).to_be_visible()
    expect(ari.page.locator("svg.trend-svg rect")).to_have_count(12)
    ari.check()

    ari.goto(f"/cases/{case.pk}/talk/")
    ari.check()
    ari.page.get_by_label("The moment").fill("The night of the party")
    ari.page.get_by_role("button", name="Start a review").click()
    expect(heading(ari, "The night of the party")).to_be_visible()
    ari.check()

    ari.page.get_by_label("What I felt").fill("Left out")
    ari.page.get_by_role("button", name="Save draft").click()
    expect(ari.page.get_by_text("Draft saved. Only you can see it.")).to_be_visible()
    ari.check()

    # The clinician's view of the same case: the review, and the (empty) shared trend.
    dana = open_tab(clinician)
    review_url = ari.page.url
    dana.goto(review_url)
    expect(dana.page.get_by_label("Your comment")).to_be_visible()
    dana.check()
    dana.goto(f"/cases/{case.pk}/triggers/")
    expect(heading(dana, "Trigger log shared with you")).to_be_visible()
    expect(dana.page.get_by_text("A song from that summer")).to_have_count(0)
    dana.check()


SHOTS = Path("/tmp/shots/conversations")


def shot(tab, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(tab):
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{tab.page.url} scrolls sideways ({width}px)"


def test_talk_on_a_phone_while_held_and_not(open_tab, case, partner_a, partner_b):
    """Bo's answer paused shared work: Bo sees the pause where the forms were, before typing;
    Ari sees the same Talk pages as before until the clinician acts; then both read the
    practice's neutral wording. The private trigger log keeps working throughout."""
    from retrust.conversations import actions
    from tests.conftest import pause_case

    conversation = actions.open_conversation(partner_a, case, topic="Evenings together")
    actions.post_turn(
        partner_a, conversation, kind="statement", body="I miss our evenings.", expected_seq=0
    )
    review = actions.open_review(partner_a, case, title="The night of the party")

    bo = open_tab(partner_b)
    bo.page.set_viewport_size(PHONE)
    bo.goto(f"/cases/{case.pk}/talk/")
    expect(bo.page.get_by_role("button", name="Open a conversation")).to_be_visible()
    no_sideways_scroll(bo)
    bo.check()
    shot(bo, "talk-not-held")
    bo.goto(f"/conversations/{conversation.pk}/")
    expect(bo.page.get_by_role("heading", name=re.compile("sum up what you heard"))).to_be_visible()
    bo.check()
    shot(bo, "conversation-not-held")

    pause_case(case, held_for=partner_b, shown=False)

    bo.goto(f"/cases/{case.pk}/talk/")
    status = bo.page.locator(".pause-banner")
    expect(status).to_contain_text("Your clinician will be in touch with you soon")
    expect(bo.page.get_by_role("button", name="Open a conversation")).to_have_count(0)
    expect(bo.page.get_by_role("button", name="Start a review")).to_have_count(0)
    expect(bo.page.get_by_text("Opening a new conversation waits for now.")).to_be_visible()
    no_sideways_scroll(bo)
    bo.check()
    shot(bo, "talk-held")

    bo.goto(f"/conversations/{conversation.pk}/")
    expect(bo.page.locator(".pause-banner")).to_be_visible()
    expect(bo.page.get_by_role("textbox")).to_have_count(0)
    expect(bo.page.get_by_role("button", name="Take a break")).to_have_count(0)
    no_sideways_scroll(bo)
    bo.check()
    shot(bo, "conversation-held")

    bo.goto(f"/reviews/{review.pk}/")
    expect(bo.page.get_by_role("button", name=re.compile("I'm done"))).to_have_count(0)
    bo.page.get_by_label("What I felt").fill("Cornered, then sad")
    bo.page.get_by_role("button", name="Save draft").click()
    expect(bo.page.get_by_text("Draft saved. Only you can see it.")).to_be_visible()
    no_sideways_scroll(bo)
    bo.check()
    shot(bo, "review-held")

    bo.goto(f"/cases/{case.pk}/triggers/")
    bo.page.get_by_label("What happened").fill("A door slammed downstairs")
    bo.page.get_by_role("button", name="Save").click()
    expect(bo.page.get_by_text("A door slammed downstairs")).to_be_visible()
    expect(bo.page.locator(".pause-banner")).to_have_count(0)
    no_sideways_scroll(bo)
    bo.check()
    shot(bo, "triggers-held")

    # Ari: no change at all while the clinician has not acted.
    ari = open_tab(partner_a)
    ari.page.set_viewport_size(PHONE)
    ari.goto(f"/cases/{case.pk}/talk/")
    expect(ari.page.get_by_role("button", name="Open a conversation")).to_be_visible()
    expect(ari.page.locator(".pause-banner")).to_have_count(0)
    ari.check()
    shot(ari, "talk-other-partner-before-clinician-acts")

    from retrust.core import pause

    pause.show(case)
    ari.page.reload()
    banner = ari.page.locator(".pause-banner")
    expect(banner).to_contain_text("Individual sessions are the next step")
    expect(ari.page.get_by_role("button", name="Open a conversation")).to_have_count(0)
    no_sideways_scroll(ari)
    ari.check()
    shot(ari, "talk-other-partner-after-clinician-acts")
