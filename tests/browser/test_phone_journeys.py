"""The partner's experience on a phone, second pass (issue 17), in a real Chromium.

On a 390×844 phone: the home page's path and waiting list, the daily question revealed
together, five days recorded at once and confirmed at once, a reply under a day seen
differently. At 320 px wide: no partner page scrolls sideways, chart text is at least 12 px
and the current page is marked in the menu. Every page is checked with axe-core.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from retrust.agreements import actions as agreements
from retrust.core import actions as core
from retrust.program import actions as program
from retrust.program import queries as program_queries

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 700}
TODAY = timezone.localdate()

CHART_TEXT_PX = """() => {
  const sizes = [];
  for (const text of document.querySelectorAll('svg text')) {
    const svg = text.ownerSVGElement;
    const box = svg.viewBox && svg.viewBox.baseVal;
    const scale = box && box.width ? svg.getBoundingClientRect().width / box.width : 1;
    if (svg.getBoundingClientRect().width === 0) continue;  // inside a closed <details>
    sizes.push(parseFloat(getComputedStyle(text).fontSize) * scale);
  }
  return sizes;
}"""

RADIO_LABELS_ASTRAY = """() => {
  const astray = [];
  for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    const box = input.getBoundingClientRect();
    if (box.width === 0) continue;  // hidden, or inside a closed <details>
    const label = input.closest('label')
      || (input.id && document.querySelector(`label[for="${input.id}"]`));
    if (!label) { astray.push(`${input.name}: no label`); continue; }
    if (label.contains(input)) continue;  // wraps its button: beside it by construction
    const lab = label.getClientRects()[0];
    // Beside: the label's first line starts on the button's line, to its right.
    if (!lab || lab.top > box.bottom || lab.bottom < box.top || lab.left < box.left) {
      const words = label.textContent.trim().slice(0, 30);
      astray.push(`${input.name}=${input.value}: label "${words}" not beside its button`);
    }
  }
  return astray;
}"""


def shot(tab, name: str) -> None:
    folder = os.environ.get("RETRUST_SHOTS", "")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(Path(folder) / name), full_page=True)


def phone(open_tab, user, size=PHONE):
    tab = open_tab(user)
    tab.page.set_viewport_size(size)
    return tab


# --- the home page --------------------------------------------------------------------------


def test_the_home_page_shows_the_path_then_what_waits(
    open_tab, case, partner_a, partner_b, clinician
):
    case.stage = 2
    case.save(update_fields=["stage"])
    program.add_case_goal(
        clinician,
        case,
        title="Phones down at dinner",
        how_noticed="We eat and talk",
        review_on=None,
    )
    agreements.propose_agreement(
        partner_a, case, category="communication", title="Evenings", text="Ten quiet minutes."
    )
    core.write_journal_entry(partner_a, case, body="Thank you for Sunday.", visibility="couple")
    bo = phone(open_tab, partner_b)
    bo.goto("/home/")
    path = bo.page.get_by_role("list").filter(has=bo.page.locator(".path-step")).first
    expect(path.locator("li")).to_have_count(6)
    expect(bo.page.locator('[aria-current="step"]')).to_contain_text("Setting boundaries")
    headline = bo.page.get_by_role("heading", name="Stage 3 of 6 — setting boundaries")
    waiting = bo.page.get_by_role("heading", name="Waiting for you")
    expect(headline).to_be_visible()
    expect(bo.page.get_by_text("Phones down at dinner")).to_be_visible()
    expect(waiting).to_be_visible()
    assert headline.bounding_box()["y"] < waiting.bounding_box()["y"]
    activity = bo.page.get_by_role("heading", name="Lately, shared between you")
    assert waiting.bounding_box()["y"] < activity.bounding_box()["y"]
    expect(bo.page.get_by_role("link", name="Ari proposed “Evenings”")).to_be_visible()
    nav = bo.page.get_by_role("navigation", name="Main")
    expect(nav.locator('[aria-current="page"]')).to_contain_text("My space")
    bo.check()
    shot(bo, "home-path-phone.png")
    # A one-tap "I read this" on Ari's shared journal entry, from the home page.
    bo.page.get_by_role("button", name=re.compile("^I read this")).click()
    expect(bo.page.get_by_role("status")).to_contain_text("Ari will see that you read it")
    expect(bo.page.get_by_text("You read this")).to_be_visible()
    bo.check()
    nav.get_by_role("link", name="Program").click()
    expect(bo.page).to_have_url(re.compile(rf"/program/{case.pk}/$"))
    expect(nav.locator('[aria-current="page"]')).to_have_text("Program")
    bo.check()


# --- the daily question ---------------------------------------------------------------------


def test_the_daily_question_is_revealed_together(open_tab, case, partner_a, partner_b, clinician):
    prompt = program_queries.daily_prompt(case, None, TODAY)
    ari = phone(open_tab, partner_a)
    ari.goto("/home/")
    card = ari.page.locator("section.daily")
    expect(card.get_by_text(prompt.text)).to_be_visible()
    card.get_by_label("Your answer").fill("The way you hum when you cook")
    card.get_by_role("button", name="Send my answer").click()
    expect(ari.page).to_have_url(re.compile(r"/home/$"))
    expect(
        card.get_by_text("Your partner's answer shows here once they've answered too")
    ).to_be_visible()
    ari.check()
    shot(ari, "daily-sent-phone.png")

    bo = phone(open_tab, partner_b)
    bo.goto("/home/")
    card_b = bo.page.locator("section.daily")
    expect(card_b.get_by_text("Your partner has answered. Answer to see theirs.")).to_be_visible()
    expect(bo.page.get_by_text("The way you hum when you cook")).to_have_count(0)
    bo.check()
    shot(bo, "daily-waiting-phone.png")
    card_b.get_by_label("Your answer").fill("Our walk by the river")
    card_b.get_by_role("button", name="Send my answer").click()
    expect(card_b.get_by_text("The way you hum when you cook")).to_be_visible()
    expect(card_b.get_by_text("Our walk by the river")).to_be_visible()
    bo.check()
    shot(bo, "daily-revealed-phone.png")

    ari.goto("/home/")
    expect(card.get_by_text("Our walk by the river")).to_be_visible()
    ari.check()


# --- commitments ----------------------------------------------------------------------------


def agreed_commitment(case, partner_a, partner_b, *, days: int, title: str, text: str):
    """Ari's daily commitment under an agreement both accepted, running for ``days`` days."""
    agreement = agreements.propose_agreement(
        partner_a, case, category="transparency", title=title, text=text
    )
    agreements.accept_version(partner_b, agreement, version_number=1)
    commitment = agreements.make_commitment(
        partner_a,
        case,
        action="Text when I leave work",
        schedule="daily",
        starts_on=TODAY - timedelta(days=days),
        agreement=agreement,
    )
    return agreement, commitment


def test_five_days_recorded_at_once_confirmed_at_once_and_a_reply(
    open_tab, case, partner_a, partner_b
):
    _, commitment = agreed_commitment(
        case, partner_a, partner_b, days=4, title="Phones", text="Face up at dinner."
    )
    ari = phone(open_tab, partner_a)
    ari.goto(f"/commitments/{commitment.pk}/")
    form = ari.page.locator("form.days-form")
    days = form.locator("fieldset.day-choice")
    expect(days).to_have_count(5)
    for i in range(5):
        days.nth(i).get_by_label("Kept").check()
    ari.check()
    shot(ari, "record-five-days-phone.png")
    form.get_by_role("button", name="Record these days").click()
    expect(ari.page.get_by_role("status")).to_contain_text("Recorded 5 days: 5 kept, 0 missed.")
    expect(ari.page.locator("form.days-form")).to_have_count(0)
    expect(ari.page.get_by_text("Kept 5 of the last 5 days recorded")).to_be_visible()
    ari.check()

    bo = phone(open_tab, partner_b)
    bo.goto(f"/commitments/{commitment.pk}/")
    confirm = bo.page.get_by_role("region", name="Days to confirm")
    boxes = confirm.get_by_role("checkbox")
    expect(boxes).to_have_count(5)
    boxes.first.uncheck()  # Bo remembers one day differently
    bo.check()
    shot(bo, "confirm-days-phone.png")
    confirm.get_by_role("button", name="Confirm the ticked days").click()
    expect(bo.page.get_by_role("status")).to_contain_text("Confirmed 4 days.")
    bo.check()

    odd_day = bo.page.locator("li.entry").filter(has_not=bo.page.locator(".badge-couple")).first
    odd_day.locator("summary").click()
    odd_day.get_by_role("textbox").fill("I didn't get a text that evening")
    odd_day.get_by_role("button", name="Send how I saw it").click()
    expect(bo.page.get_by_role("status")).to_contain_text("saw it differently")
    bo.check()

    ari.goto(f"/commitments/{commitment.pk}/")
    thread = ari.page.get_by_role("group", name=re.compile("Replies about"))
    thread.get_by_label("Your reply").fill("My phone was flat, sorry. I'll call next time.")
    thread.get_by_role("button", name=re.compile("^Reply")).click()
    expect(ari.page.get_by_role("status")).to_contain_text("Sent.")
    expect(ari.page.get_by_text("My phone was flat, sorry.")).to_be_visible()
    ari.check()
    shot(ari, "dispute-reply-phone.png")

    bo.goto(f"/commitments/{commitment.pk}/")
    expect(bo.page.get_by_text("My phone was flat, sorry.")).to_be_visible()
    expect(bo.page.get_by_text("80%")).to_have_count(0)
    bo.check()


# --- nothing scrolls sideways at 320 px -----------------------------------------------------


def _world(case, partner_a, partner_b, clinician):
    """One of everything a partner can open, so every partner page has something on it."""
    from retrust.assessments import actions as assessments
    from retrust.conversations import actions as talk

    case.stage = 3
    case.save(update_fields=["stage"])
    agreement, commitment = agreed_commitment(
        case,
        partner_a,
        partner_b,
        days=20,
        title="Phones face up in the evenings, every evening, including weekends",
        text="A-very-long-unbroken-word-that-a-phone-must-wrap-somewhere-without-scrolling",
    )
    days = agreements.record_days(
        partner_a,
        commitment,
        outcomes={TODAY - timedelta(days=i): "kept" if i % 4 else "missed" for i in range(1, 12)},
    )
    agreements.confirm_days(partner_b, commitment, occurrence_ids=[d.pk for d in days[1:]])
    agreements.answer_occurrence(partner_b, days[0], verdict="disputed", note="Not as I saw it")
    agreements.reply_to_dispute(partner_a, days[0], body="Let's talk it over on Sunday")
    homework = program.assign_homework(
        clinician, case, exercise_id="appreciation-practice", due_on=TODAY + timedelta(days=3)
    )
    sent = program.assign_homework(
        clinician, case, exercise_id="rituals-of-connection", due_on=TODAY + timedelta(days=4)
    )
    program.submit_response(
        partner_a,
        sent,
        answers={"mornings": "A hug", "weekly": "A walk", "used_to": "Sunday pancakes"},
        visibility="clinician",
    )
    program.add_case_goal(
        clinician, case, title="Calm evenings", how_noticed="Fewer arguments", review_on=None
    )
    entry = core.write_journal_entry(partner_a, case, body="A good day.", visibility="couple")
    schedule, _ = assessments.schedule_measure(
        clinician,
        case,
        instrument_id="trust-pulse",
        kind="every_n_weeks",
        every_weeks=1,
        starts_on=TODAY,
    )
    conversation = talk.open_conversation(partner_a, case, topic="Weekends")
    review = talk.open_review(partner_a, case, title="The party")
    talk.log_trigger(partner_a, case, what_happened="A late message", intensity=3)
    return {
        "agreement": agreement,
        "commitment": commitment,
        "homework": homework,
        "sent": sent,
        "entry": entry,
        "schedule": schedule,
        "conversation": conversation,
        "review": review,
    }


def test_no_partner_page_scrolls_sideways_at_320px(open_tab, case, partner_a, partner_b, clinician):
    made = _world(case, partner_a, partner_b, clinician)
    c = case.pk
    pages = [
        "/home/",
        f"/program/{c}/",
        f"/program/{c}/daily/",
        f"/homework/{made['homework'].pk}/",
        f"/homework/{made['sent'].pk}/",  # sent, still changeable: the change form
        f"/cases/{c}/agreements/",
        f"/agreements/{made['agreement'].pk}/",
        f"/commitments/{made['commitment'].pk}/",
        f"/cases/{c}/ledger/",
        "/checkins/",
        f"/checkins/{made['schedule'].pk}/",
        f"/cases/{c}/talk/",
        f"/cases/{c}/feeling-words/",
        f"/cases/{c}/gentle-start/",
        f"/conversations/{made['conversation'].pk}/",
        f"/reviews/{made['review'].pk}/",
        f"/cases/{c}/triggers/",
        f"/journal/{made['entry'].pk}/",
        f"/journal/{made['entry'].pk}/delete/",
        f"/cases/{c}/safety-check/",
        "/account/",
        "/account/notifications/",
    ]
    ari = phone(open_tab, partner_a, NARROW)
    problems = []
    for url in pages:
        ari.goto(url)
        width = ari.page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            problems.append(f"{url} scrolls sideways ({width}px)")
        small = [round(px, 1) for px in ari.page.evaluate(CHART_TEXT_PX) if px < 11.95]
        if small:
            problems.append(f"{url} has chart text under 12 px: {small}")
        problems += [f"{url}: {p}" for p in ari.page.evaluate(RADIO_LABELS_ASTRAY)]
        marked = ari.page.get_by_role("navigation", name="Main").locator('[aria-current="page"]')
        if marked.count() != 1:
            problems.append(f"{url} marks {marked.count()} menu entries as the current page")
        ari.check()
        shot(ari, "320-" + re.sub(r"\W+", "-", url).strip("-") + ".png")
    assert not problems, "\n".join(problems)
