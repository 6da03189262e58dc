"""A partner answers a PHQ-9 and a trust pulse on a phone; the clinician sees both partners.

Every page shown goes through ``tab.check()`` (axe-core, CSP, console errors).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from retrust.assessments import actions
from retrust.assessments.models import MeasureResponse, ResponseStatus

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def choose(page, question: str, answer: str) -> None:
    """Tick an answer and wait for its autosave, so the test never races its own requests."""
    group = page.get_by_role("group", name=re.compile(re.escape(question)))
    with page.expect_response(lambda r: r.url.endswith("/draft/")):
        group.get_by_label(answer, exact=True).check()


def test_partner_answers_on_a_phone_and_the_clinician_sees_both(
    open_tab, case, clinician, partner_a, partner_b
):
    today = timezone.localdate()
    phq9, _ = actions.schedule_measure(
        clinician, case, instrument_id="phq-9", kind="every_n_weeks", every_weeks=2, starts_on=today
    )
    pulse, _ = actions.schedule_measure(
        clinician,
        case,
        instrument_id="trust-pulse",
        kind="every_n_weeks",
        every_weeks=1,
        starts_on=today,
    )
    # Bo has already answered both, so the clinician has two partners to compare.
    actions.submit_response(partner_b, phq9, {f"phq9-{i}": 1 for i in range(1, 10)})
    actions.submit_response(
        partner_b,
        pulse,
        {
            "pulse-safety": 3,
            "pulse-honesty": 2,
            "pulse-follow-through": 2,
            "pulse-closeness": 3,
            "pulse-hope": 3,
        },
    )

    tab = open_tab(partner_a)
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto("/checkins/")
    expect(page.get_by_role("heading", name="My check-ins", level=1)).to_be_visible()
    tab.check()

    page.get_by_role("link", name="Patient Health Questionnaire (PHQ-9)").click()
    expect(page.get_by_role("heading", name="If you are struggling right now")).to_be_visible()
    tab.check()
    answers = [
        "Several days",
        "Not at all",
        "More than half the days",
        "Several days",
        "Not at all",
        "Not at all",
        "Several days",
        "Not at all",
        "Not at all",
    ]
    for number, answer in enumerate(answers, start=1):
        choose(page, f"{number}. ", answer)
    expect(page.get_by_role("status").filter(has_text="Saved as a draft")).to_be_visible()
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_role("heading", name="Thank you — that's sent")).to_be_visible()
    tab.check()

    page.get_by_role("link", name="Back to my check-ins").click()
    page.get_by_role("link", name="Weekly trust pulse").click()
    expect(page.get_by_text("Written for retrust — not a validated questionnaire")).to_be_visible()
    tab.check()
    # Sending with an answer missing names the question and keeps the rest.
    choose(page, "1. I felt safe", "Mostly")
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_role("alert")).to_contain_text("Questions 2, 3, 4 and 5 have no answer yet")
    expect(page.get_by_text("Choose an answer here.")).to_have_count(4)
    tab.check(status=400)
    choose(page, "2. I felt my partner", "Somewhat")
    choose(page, "3. My partner did", "Mostly")
    choose(page, "4. I felt close", "A little")
    choose(page, "5. I feel hopeful", "Mostly")
    page.get_by_label(re.compile("Anything you want your clinician to know")).fill(
        "We talked on Sunday and it went better than I feared."
    )
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_role("heading", name="Thank you — that's sent")).to_be_visible()
    tab.check()
    page.get_by_role("link", name="Back to my check-ins").click()
    expect(page.get_by_text("Nothing is waiting for you right now.")).to_be_visible()
    expect(page.get_by_text("Latest: 5 — Mild.")).to_be_visible()
    tab.check()

    assert (
        MeasureResponse.objects.filter(author=partner_a, status=ResponseStatus.SUBMITTED).count()
        == 2
    )

    staff = open_tab(clinician)
    # On a phone too: the wide table scrolls sideways and must be reachable by keyboard.
    staff.page.set_viewport_size(PHONE)
    staff.goto(f"/cases/{case.pk}/")
    staff.check()
    staff.page.get_by_role("link", name=re.compile("Measures")).click()
    expect(staff.page.get_by_role("heading", name="Measures for Ari and Bo")).to_be_visible()
    expect(staff.page.locator("svg.trajectory")).to_have_count(2)
    expect(staff.page.get_by_role("img", name="PHQ-9 over time for both partners")).to_be_visible()
    expect(
        staff.page.get_by_role("table", name=re.compile("PHQ-9 — every response"))
    ).to_contain_text("Mild")
    staff.check()


def test_partner_answers_the_csi16_lines_on_a_phone(open_tab, case, clinician, partner_a):
    csi16, _ = actions.schedule_measure(
        clinician, case, instrument_id="csi-16", kind="intake", starts_on=timezone.localdate()
    )
    tab = open_tab(partner_a)
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto(f"/checkins/{csi16.pk}/")
    expect(page.get_by_role("heading", name="Couples Satisfaction Index (CSI-16)")).to_be_visible()
    tab.check()
    choose(page, "1. Please indicate the degree of happiness", "Happy")
    choose(page, "2. In general, how often", "More often than not")
    for number in range(3, 7):
        choose(page, f"{number}. ", "Mostly TRUE")
    for number in range(7, 11):
        choose(page, f"{number}. ", "Somewhat")
    # Each line: six points between two words, all on the phone's screen without scrolling.
    line = page.get_by_role("group", name=re.compile(r"^11\. INTERESTING — BORING"))
    expect(line.get_by_role("radio")).to_have_count(6)
    box = line.get_by_role("radio").last.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    choose(page, "11. INTERESTING", "5, at INTERESTING")
    choose(page, "12. BAD", "4")
    choose(page, "13. FULL", "3")
    choose(page, "14. STURDY", "0, at FRAGILE")
    choose(page, "15. DISCOURAGING", "5, at HOPEFUL")
    tab.check()
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_role("alert")).to_contain_text("16")
    tab.check(status=400)
    choose(page, "16. ENJOYABLE", "2")
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_role("heading", name="Thank you — that's sent")).to_be_visible()
    tab.check()
    (response,) = MeasureResponse.objects.filter(author=partner_a, status=ResponseStatus.SUBMITTED)
    # 3 + 3 + 4 × 3 + 4 × 2 = 26 for items 1–10; lines 5 + 4 + 3 + 0 + 5 + 2 = 19.
    assert (response.answers["csi16-11"], response.answers["csi16-14"]) == (5, 0)
    assert response.total == 45


SHOTS = Path("/tmp/shots/assessments")
PHONE_390 = {"width": 390, "height": 844}


def answer_csi4(tab, page, happiness: str, rest: str) -> None:
    choose(page, "1. Please indicate", happiness)
    choose(page, "2. I have a warm", f"{rest} TRUE")
    choose(page, "3. How rewarding", rest)
    choose(page, "4. In general", rest)
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_role("heading", name="Thank you — that's sent")).to_be_visible()
    tab.check()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_390["width"]


def test_a_partner_shares_csi_totals_and_the_other_sees_them_once_both_answered(
    open_tab, case, clinician, partner_a, partner_b
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    csi4, _ = actions.schedule_measure(
        clinician, case, instrument_id="csi-4", kind="intake", starts_on=today
    )
    phq9, _ = actions.schedule_measure(
        clinician, case, instrument_id="phq-9", kind="intake", starts_on=today
    )
    actions.suggest_sharing(clinician, case, True)
    # Both partners answer the PHQ-9: it must never appear on the other partner's page.
    actions.submit_response(partner_a, phq9, {f"phq9-{i}": 2 if i < 9 else 0 for i in range(1, 10)})
    actions.submit_response(partner_b, phq9, {f"phq9-{i}": 0 for i in range(1, 10)})

    ari = open_tab(partner_a)
    page = ari.page
    page.set_viewport_size(PHONE_390)
    ari.goto("/checkins/")
    expect(page.get_by_text("Dana Clinician suggests that you each share")).to_be_visible()
    expect(page.get_by_text("I choose to share my CSI-4 totals with Bo.")).to_be_visible()
    no_sideways_scroll(page)
    ari.check()
    page.screenshot(path=str(SHOTS / "1-ari-chooses.png"), full_page=True)
    page.get_by_role("button", name="Share my CSI-4 totals with Bo").click()
    expect(page.get_by_text("You are sharing your CSI-4 totals")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Stop sharing"))).to_be_visible()
    ari.check()

    page.get_by_role("link", name="Couples Satisfaction Index (CSI-4)").click()
    expect(
        page.get_by_text("Bo will see your total, because you chose to share it")
    ).to_be_visible()
    ari.check()
    page.screenshot(path=str(SHOTS / "2-ari-form-says-shared.png"), full_page=True)
    answer_csi4(ari, page, "Happy", "Somewhat")  # 3 + 2 + 2 + 2 = 9

    bo = open_tab(partner_b)
    other = bo.page
    other.set_viewport_size(PHONE_390)
    bo.goto("/checkins/")
    # Bo has not answered the CSI-4 yet: nothing of Ari's is shown.
    expect(other.get_by_role("heading", name="Side by side")).to_have_count(0)
    bo.check()
    other.get_by_role("link", name="Couples Satisfaction Index (CSI-4)").click()
    expect(
        other.get_by_text("Ari will not see your total unless you choose to share it.")
    ).to_be_visible()
    bo.check()
    answer_csi4(bo, other, "Very Happy", "Mostly")  # 4 + 3 + 3 + 3 = 13
    other.get_by_role("link", name="Back to my check-ins").click()
    together = other.get_by_role("region", name="Totals side by side")
    expect(together).to_contain_text("Ari: 9 (Notable relationship dissatisfaction)")
    expect(together).not_to_contain_text("PHQ-9")
    text = other.locator("main").inner_text()
    assert "Ari: 16" not in text and "severe" not in text  # Ari's PHQ-9 total and band
    no_sideways_scroll(other)
    bo.check()
    other.screenshot(path=str(SHOTS / "3-bo-sees-ari-csi.png"), full_page=True)

    # Bo has not chosen to share: Ari sees nothing of Bo's.
    ari.goto("/checkins/")
    expect(page.get_by_role("heading", name="Side by side")).to_have_count(0)
    ari.check()
    page.screenshot(path=str(SHOTS / "4-ari-sees-nothing-of-bo.png"), full_page=True)
