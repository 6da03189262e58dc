"""The coach on a phone (390×844): hints above the send button, a grammatical gentle start-up
in the builder and in an "it didn't hold" report, and the listener's template for the one who
sums up. Screenshots go to $RETRUST_SHOTS (default: the test's tmp dir) for a person to look at.

Every page shown goes through ``tab.check()`` (axe-core, no CSP violation, no script error).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from retrust.conversations import actions
from tests.agreements.conftest import make_active_agreement

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("RETRUST_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def above(page, panel, button) -> None:
    """The hint panel ends before the send button starts, on screen."""
    panel_box = page.locator(panel).bounding_box()
    button_box = page.locator(button).bounding_box()
    assert panel_box and button_box
    assert panel_box["y"] + panel_box["height"] <= button_box["y"]


def test_the_coach_on_a_phone(open_tab, case, partner_a, partner_b, tmp_path):
    folder = shots(tmp_path)
    agreement = make_active_agreement(partner_a, partner_b, case)
    ari = open_tab(partner_a)
    ari.page.set_viewport_size(PHONE)
    page = ari.page

    # 1. An "it didn't hold" report: hints and a grammatical rewrite, above the send button.
    ari.goto(f"/agreements/{agreement.pk}/")
    ari.check()
    page.get_by_text("Report that it didn't hold").click()
    page.locator("#breach_what_happened").fill(
        "On Monday you left your phone face down all evening, you're so selfish."
    )
    panel = page.locator("#coach-breach_what_happened")
    expect(panel).to_contain_text("Only you see these hints")
    expect(panel).to_contain_text("I feel [the feeling underneath")
    expect(panel).to_contain_text("about what happened on Monday.")
    expect(panel.locator("q")).to_have_count(1)  # "so selfish", once
    above(page, "#coach-breach_what_happened", "text=Send the report")
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "coach-breach-report.png"))
    ari.check()
    # Sarcastic thanks: the rules read only thanks; the learned layer, sure of contempt,
    # crosses the guard (its overrule), so the hint is there, with no phrase to quote, and
    # the thanks is not praised as appreciation beside it.
    page.locator("#breach_what_happened").fill(
        "Thanks so much for letting me find out from your sister, really thoughtful of you."
    )
    sarcasm = panel.locator(".coach-contempt")
    expect(sarcasm).to_have_count(1)
    expect(sarcasm.locator("q")).to_have_count(0)
    expect(panel.locator(".coach-appreciation")).to_have_count(0)
    sarcasm.scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "coach-sarcastic-thanks.png"))
    ari.check()

    # 2. The builder: the same panel sits above its send buttons now.
    ari.goto(f"/cases/{case.pk}/gentle-start/")
    page.get_by_label("What I feel").fill("hurt")
    page.get_by_label("About what specific situation").fill("you never listen to me")
    page.get_by_label("What I need").fill("ten minutes tonight to talk")
    feedback = page.locator("#coach-feedback")
    expect(feedback).to_contain_text("Only you see these hints")
    expect(feedback).to_contain_text("I feel hurt when you never listen to me.")  # their words
    expect(feedback).to_contain_text("I feel hurt when I hoped you would listen to me.")
    above(page, "#coach-feedback", "text=Send as a new conversation")
    feedback.scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "coach-builder.png"))
    ari.check()

    # 3. A speaker turn, then the listener's own template.
    talk = actions.open_conversation(partner_a, case, topic="Evenings")
    actions.post_turn(
        partner_a, talk, kind="statement", body="I miss our evenings together.", expected_seq=0
    )
    bo = open_tab(partner_b)
    bo.page.set_viewport_size(PHONE)
    bo.goto(f"/conversations/{talk.pk}/")
    listener_panel = bo.page.locator("#coach-turn-body")
    expect(listener_panel).to_contain_text("Listening first")
    expect(listener_panel).to_contain_text("What I heard you say is")
    bo.check()
    bo.page.get_by_label(re.compile("what did your partner say")).fill(
        "You always say that, you never listen to me either."
    )
    expect(listener_panel).to_contain_text("Only you see these hints")
    expect(listener_panel).to_contain_text("Did I get that right")
    expect(listener_panel).not_to_contain_text("A gentler way to start")
    above(bo.page, "#coach-turn-body", "button:text-is('Send')")
    listener_panel.scroll_into_view_if_needed()
    bo.page.screenshot(path=str(folder / "coach-listener.png"), full_page=True)
    bo.check()

    # 4. A hurtful-moment review: each part coached, and the summary of the partner's view is
    # a listener's task.
    review = actions.open_review(partner_a, case, title="The night of the party")
    ari.goto(f"/reviews/{review.pk}/")
    expect(ari.page.locator("#coach-id_answer-your_view")).to_contain_text("Listening first")
    ari.page.get_by_label("My view of what happened").fill(
        "Last night you ignored me the whole evening, you're so rude."
    )
    view_panel = ari.page.locator("#coach-id_answer-my_view")
    expect(view_panel).to_contain_text("Only you see these hints")
    expect(view_panel).to_contain_text("about what happened last night.")
    above(ari.page, "#coach-id_answer-my_view", "text=I'm done")
    view_panel.scroll_into_view_if_needed()
    ari.page.screenshot(path=str(folder / "coach-review.png"))
    ari.check()

    # Ari, the speaker, never sees Bo's hints.
    ari.goto(f"/conversations/{talk.pk}/")
    expect(ari.page.get_by_text("Only you see these hints")).to_have_count(0)
    expect(ari.page.get_by_text("Listening first")).to_have_count(0)
    ari.check()
