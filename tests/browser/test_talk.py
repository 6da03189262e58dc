"""The communication tools in a real Chromium: a speaker–listener round trip, a break and its
lock, and the gentle start-up builder's live feedback on a phone-sized screen.

Every page shown goes through ``tab.check()`` (axe-core, no CSP violation, no script error).
"""

from __future__ import annotations

import re

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
