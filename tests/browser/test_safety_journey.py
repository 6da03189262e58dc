"""Safety first, in a real Chromium: a partner answers the private screen on a phone and leaves
quickly; the other partner's home shows no change until the clinician, on a desktop, moves the
couple to individual sessions in the practice's own words — then both partners read them. The
clinician sees the case first on the caseload, acknowledges the alert, sees each partner alone
and lifts the pause.

Set ``RETRUST_SHOTS`` to a folder to keep a screenshot of the key pages.

Every page shown goes through ``tab.check()``: axe-core finds nothing serious or critical, and
the console shows no Content Security Policy violation or script error.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from retrust.core import pause
from retrust.core.models import Case, CaseMember, User
from retrust.safety import actions as safety
from retrust.safety import screen
from retrust.safety.models import Alert, CasePause, IndividualSession, SafetyScreen

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PRACTICE_WORDING = (
    "For the next few weeks your clinician will see each of you on your own. Shared "
    "activities rest in the meantime."
)


def heading(tab: Any, name: str, level: int = 1) -> Any:
    return tab.page.get_by_role("heading", name=name, level=level)


@pytest.fixture
def busy_caseload(practice: Any, clinician: User, case: Case) -> list[Case]:
    """Other cases of the same clinician, touched more recently than the couple's own."""
    others = []
    for label in ["Cam and Dee", "Eve on her own"]:
        other = Case.objects.create(practice=practice, label=label, status="active")
        other.clinicians.add(clinician)
        others.append(other)
    safety.raise_alert(
        others[0], source="inactivity", priority="normal", summary="Quiet", dedupe_key="quiet"
    )
    return others


def test_partner_answers_privately_and_leaves_quickly(
    open_tab: Any,
    case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
    admin: User,
    busy_caseload: list[Case],
) -> None:
    # Bo's home as it is before anything happens.
    other = open_tab(partner_b)
    other.page.set_viewport_size(PHONE)
    other.goto("/home/")
    expect(heading(other, "Hello, Bo")).to_be_visible()
    other.check()
    bo_before = other.page.locator("main").inner_text()

    tab = open_tab(partner_a)
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto("/home/")
    expect(heading(tab, "Hello, Ari")).to_be_visible()
    tab.check()

    page.get_by_role("link", name="Answer privately").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/safety-check/$"))
    expect(heading(tab, "A few private questions")).to_be_visible()
    expect(page.get_by_role("button", name="Leave quickly")).to_be_visible()
    tab.check()

    # Sending it half-done explains what is missing, and keeps what was chosen.
    page.get_by_role("group", name=screen.QUESTIONS[0].text).get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Send to my clinician only").click()
    expect(page.get_by_text("Please choose an answer — any answer is fine.").first).to_be_visible()
    assert not SafetyScreen.objects.exists()
    tab.check(status=400)

    for question in screen.QUESTIONS:
        choice = "Yes" if question.id in ("control", "safe_messages") else "No"
        page.get_by_role("group", name=question.text).get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Send to my clinician only").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/safety-check/thanks/$"))
    expect(heading(tab, "Thank you")).to_be_visible()
    expect(page.get_by_text("Your answers went to your clinician only.")).to_be_visible()
    expect(page.get_by_role("heading", name="If you need help now")).to_be_visible()
    tab.check()
    stored = SafetyScreen.objects.get()
    assert stored.positive and stored.respondent == partner_a
    assert CasePause.objects.filter(case=case, lifted_at__isnull=True).exists()

    page.get_by_role("button", name="Leave quickly").click()
    expect(page).to_have_url(re.compile(r"/away/$"))
    expect(page).to_have_title("Easy weeknight soup")
    tab.check()

    # Back never shows a retrust page again: the session ended as they left (hole 3).
    page.go_back()
    page.wait_for_load_state("load")
    assert "/safety-check/" not in page.url, page.url
    # The session ended, so Back meets the sign-in page, which the guard hides before it is
    # painted and replaces with the neutral page.
    expect(page).to_have_url(re.compile(r"/away/$"))
    tab.check()
    tab.checked.update(url for url in tab.visited if "/accounts/login/" in url)

    # Signed in again later, Ari reads the kind note that says what still works.
    tab = open_tab(partner_a)
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto("/home/")
    expect(page.get_by_role("status").filter(has_text=pause.HELD_MESSAGE)).to_be_visible()
    expect(page.get_by_role("link", name="Answer privately")).to_have_count(0)
    tab.check()
    tab.shot("1-ari-home-held-phone")

    # Bo's home shows no change at all.
    other.page.reload()
    expect(heading(other, "Hello, Bo")).to_be_visible()
    other.check()
    assert other.page.locator("main").inner_text() == bo_before
    expect(other.page.locator(".pause-banner")).to_have_count(0)
    other.shot("2-bo-home-unchanged-phone")

    # The practice admin sets the practice's own wording.
    office = open_tab(admin)
    office.page.set_viewport_size(DESKTOP)
    office.goto("/practice/")
    expect(heading(office, "When shared work rests", level=2)).to_be_visible()
    office.check()
    office.page.get_by_label("What both partners read").fill(PRACTICE_WORDING)
    office.page.get_by_role("button", name="Save the wording").click()
    expect(office.page.get_by_role("status")).to_contain_text("Saved.")
    office.check()

    # The clinician, on a desktop, reads who sees what and moves to individual sessions.
    staff = open_tab(clinician)
    staff.page.set_viewport_size(DESKTOP)
    staff.goto(f"/cases/{case.pk}/")
    expect(heading(staff, "Who sees what right now", level=3)).to_be_visible()
    expect(staff.page.get_by_text("sees no change at all")).to_be_visible()
    expect(staff.page.locator("blockquote.wording")).to_have_text(PRACTICE_WORDING)
    staff.check()
    staff.shot("3-clinician-before-acting-desktop")
    staff.page.get_by_role("button", name="Move to individual sessions").click()
    expect(staff.page.get_by_role("status")).to_contain_text(
        "Both partners now see that individual sessions come next."
    )
    expect(staff.page.get_by_text("Both partners read, in your practice's words:")).to_be_visible()
    expect(staff.page.get_by_role("button", name="Move to individual sessions")).to_have_count(0)
    staff.check()
    staff.shot("4-clinician-after-acting-desktop")

    # Both partners now read the practice's words, and nothing about why.
    for partner, name in [(tab, "5-ari"), (other, "6-bo")]:
        partner.goto("/home/")
        expect(partner.page.get_by_role("status").filter(has_text=PRACTICE_WORDING)).to_be_visible()
        expect(partner.page.get_by_text(pause.HELD_MESSAGE)).to_have_count(0)
        expect(partner.page.get_by_text("Safety screen")).to_have_count(0)
        partner.check()
        partner.shot(f"{name}-home-shown-phone")


def test_escape_leaves_quickly_too(open_tab: Any, case: Case, partner_a: User) -> None:
    tab = open_tab(partner_a)
    tab.page.set_viewport_size(PHONE)
    tab.goto("/home/")
    tab.check()
    tab.page.get_by_role("link", name="Answer privately").click()
    expect(heading(tab, "A few private questions")).to_be_visible()
    tab.check()
    tab.page.keyboard.press("Escape")
    expect(tab.page).to_have_url(re.compile(r"/away/$"))
    tab.check()
    tab.page.go_back()
    tab.page.wait_for_load_state("load")
    expect(tab.page).to_have_url(re.compile(r"/away/$"))
    tab.check()
    tab.checked.update(url for url in tab.visited if "/accounts/login/" in url)


def test_back_to_my_space_leaves_no_screening_page_behind(
    open_tab: Any, case: Case, partner_a: User
) -> None:
    tab = open_tab(partner_a)
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto("/home/")
    tab.check()
    page.get_by_role("link", name="Answer privately").click()
    expect(heading(tab, "A few private questions")).to_be_visible()
    tab.check()
    for question in screen.QUESTIONS:
        page.get_by_role("group", name=question.text).get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Send to my clinician only").click()
    expect(heading(tab, "Thank you")).to_be_visible()
    tab.check()
    page.get_by_role("link", name="Back to my space").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    tab.check()
    page.go_back()
    page.wait_for_load_state("load")
    assert "/safety-check/" not in page.url, page.url
    tab.check()


def test_clinician_acknowledges_sees_each_partner_and_lifts_the_pause(
    open_tab: Any,
    case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
    busy_caseload: list[Case],
) -> None:
    answers = {q.id: screen.NO for q in screen.QUESTIONS}
    safety.submit_screen(partner_a, case, {**answers, "fear": screen.YES}, "journey-key")
    for other in busy_caseload:
        other.save()  # more recently updated than the paused case

    staff = open_tab(clinician)
    page = staff.page
    staff.goto("/caseload/")
    expect(heading(staff, "Caseload")).to_be_visible()
    first = page.locator("tbody tr").first
    expect(first.get_by_role("link")).to_have_text("Ari and Bo")
    expect(first.locator(".badge-high")).to_have_text("1 high alert")
    expect(first.get_by_text("Shared work paused")).to_be_visible()
    staff.check()

    first.get_by_role("link", name="Ari and Bo").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(heading(staff, "Ari and Bo")).to_be_visible()
    expect(heading(staff, "Shared work is paused", level=2)).to_be_visible()
    expect(page.get_by_text("a concern was answered yes", exact=True)).to_be_visible()
    staff.check()

    # Acknowledging needs a note: an empty one is explained, then a real one is kept.
    page.get_by_role("button", name="Acknowledge this alert").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    staff.check(status=400)
    page.get_by_label("What you did or decided").fill("Called Ari; we meet alone on Monday.")
    page.get_by_role("button", name="Acknowledge this alert").click()
    expect(page.get_by_role("status")).to_contain_text("Alert acknowledged.")
    expect(page.get_by_text("Called Ari; we meet alone on Monday.")).to_be_visible()
    staff.check()
    assert Alert.objects.get(case=case).acknowledged_by == clinician

    # Lifting waits until each partner was seen alone: the page says who is still to see, and
    # offers no lift button before then.
    expect(page.get_by_text("Still to see alone: Ari, Bo.")).to_be_visible()
    expect(page.get_by_role("button", name="Lift the pause")).to_have_count(0)

    for name in ["Ari", "Bo"]:
        page.get_by_label("Partner:", exact=True).select_option(label=name)
        page.get_by_role("button", name="Record", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Individual session recorded.")
        staff.check()
    assert IndividualSession.objects.filter(case=case).count() == 2
    expect(page.get_by_text("Still to see alone")).to_have_count(0)

    page.get_by_label("Why shared work can resume").fill(
        "Seen each alone; no current danger; both want to go on together."
    )
    page.get_by_role("button", name="Lift the pause").click()
    expect(page.get_by_role("status")).to_contain_text("Shared work can resume.")
    expect(heading(staff, "Shared work is paused", level=2)).to_have_count(0)
    staff.check()
    assert not CasePause.objects.filter(case=case, lifted_at__isnull=True).exists()

    # Back on the caseload the case has nothing waiting any more.
    page.get_by_role("link", name="Caseload").first.click()
    expect(heading(staff, "Caseload")).to_be_visible()
    row = page.locator("tbody tr", has=page.get_by_role("link", name="Ari and Bo"))
    expect(row.locator(".badge-high")).to_have_count(0)
    expect(row.get_by_text("Shared work paused")).to_have_count(0)
    staff.check()

    # And the partners can share with each other again.
    partner = open_tab(partner_b)
    partner.page.set_viewport_size(PHONE)
    partner.goto("/home/")
    expect(partner.page.get_by_text("Shared work is on hold")).to_have_count(0)
    partner.check()
    partner.page.get_by_label("What's on your mind").fill("Thank you for Saturday.")
    partner.page.get_by_label("Both of us and our clinician").check()
    partner.page.get_by_role("button", name="Save").click()
    expect(partner.page.get_by_role("status")).to_contain_text("Saved.")
    partner.check()
    assert CaseMember.objects.filter(case=case).count() == 2


def test_admin_manages_crisis_resources_and_help_shows_them(
    open_tab: Any, admin: User, case: Case
) -> None:
    tab = open_tab(admin)
    page = tab.page
    tab.goto("/practice/crisis-resources/")
    expect(heading(tab, "Crisis resources")).to_be_visible()
    tab.check()

    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    tab.check(status=400)

    page.get_by_label("Name").fill("Harbour Helpline")
    page.get_by_label("Phone").fill("0800 123 456")
    page.get_by_label("Hours").fill("Every day, 24 hours")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_contain_text("Added.")
    tab.check()

    visitor = open_tab()
    visitor.page.set_viewport_size(PHONE)
    visitor.goto("/")
    visitor.check()
    visitor.page.get_by_role("contentinfo").get_by_role("link", name="Crisis resources").click()
    expect(visitor.page).to_have_url(re.compile(r"/help/$"))
    expect(heading(visitor, "Help now")).to_be_visible()
    expect(visitor.page.get_by_text("Harbour Helpline")).to_be_visible()
    expect(visitor.page.get_by_role("link", name="0800 123 456")).to_have_attribute(
        "href", "tel:0800123456"
    )
    visitor.check()
