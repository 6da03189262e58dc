"""Messages in a real Chromium: Ari (on a phone) writes privately to their clinician, the
clinician (desktop) replies from Today, Ari reads the reply — and Bo, on their phone, sees
nothing of it: no thread, no count, nothing on home. Then shared work is paused and the
couple's conversation rests while each private one stays open.

Every page shown goes through ``tab.check()`` (axe-core: nothing serious or critical).
Screenshots land in /tmp/threads-shots/ (or RETRUST_SHOTS).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from retrust.core.models import Case, User
from retrust.threads import actions
from tests.conftest import pause_case

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path(os.environ.get("RETRUST_SHOTS") or "/tmp/threads-shots")

FROM_ARI = "Could we talk about the phone in the drawer on Thursday? I have not slept well."
REPLY = "Thank you for telling me, Ari. Yes, we will start there on Thursday."


def shoot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def menu(tab: Any) -> Any:
    return tab.page.get_by_role("navigation", name="Main")


def test_a_private_exchange_stays_between_ari_and_the_clinician(
    open_tab: Any, case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    actions.send_message(partner_b, case, "together", body="We managed the check-in twice.")

    bo = open_tab(partner_b)
    bo.page.set_viewport_size(PHONE)
    bo.goto(f"/cases/{case.pk}/messages/")
    expect(bo.page.get_by_role("link", name="You and Dana Clinician")).to_be_visible()
    expect(bo.page.get_by_role("link", name="Both of you")).to_be_visible()
    bo.check()
    bo_messages_before = bo.page.locator("main").inner_text()
    bo.goto("/home/")
    bo.check()
    bo_home_before = bo.page.locator("main").inner_text()
    bo_menu_before = menu(bo).inner_text()

    # Ari, on a phone, from the menu to their private thread with the clinician.
    ari = open_tab(partner_a)
    ari.page.set_viewport_size(PHONE)
    ari.goto("/home/")
    ari.check()
    menu(ari).get_by_role("link", name=re.compile("^Messages")).click()
    expect(ari.page.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    ari.check()
    shoot(ari, "1-ari-messages-phone")
    ari.page.get_by_role("link", name="You and Dana Clinician").click()
    expect(
        ari.page.get_by_text("Your partner never sees it, nor whether you have written.")
    ).to_be_visible()
    expect(ari.page.get_by_text("Messages are not for emergencies.")).to_be_visible()
    expect(ari.page.get_by_role("link", name="Crisis resources").first).to_be_visible()
    ari.check()
    ari.page.get_by_role("button", name="Send").click()  # empty: a clear word, nothing sent
    expect(ari.page.get_by_text("Write your message before sending it.")).to_be_visible()
    ari.check(status=400)
    shoot(ari, "2-ari-empty-phone")
    ari.page.get_by_label("Your message").fill(FROM_ARI)
    ari.page.get_by_role("button", name="Send").click()
    expect(ari.page.get_by_text(FROM_ARI)).to_be_visible()
    ari.check()
    shoot(ari, "3-ari-sent-phone")

    # The clinician, on a desktop, finds it on Today and replies.
    dana = open_tab(clinician)
    dana.page.set_viewport_size(DESKTOP)
    dana.goto("/caseload/today/")
    section = dana.page.get_by_role("region", name="Messages waiting for your reply")
    expect(section).to_contain_text("Ari, privately")
    expect(section).to_contain_text("the couple's conversation")
    dana.check()
    shoot(dana, "4-clinician-today-desktop")
    section.get_by_role("link", name="Ari and Bo: Ari, privately").click()
    expect(dana.page.get_by_text(FROM_ARI)).to_be_visible()
    dana.check()
    dana.page.get_by_label("Your message").fill(REPLY)
    dana.page.get_by_role("button", name="Send").click()
    expect(dana.page.get_by_text(REPLY)).to_be_visible()
    dana.check()
    shoot(dana, "5-clinician-replied-desktop")
    dana.goto("/caseload/today/")
    expect(dana.page.get_by_text("Ari, privately")).to_have_count(0)
    expect(dana.page.get_by_text("the couple's conversation")).to_be_visible()
    dana.check()
    # From the case page: every thread of the couple, with what still waits.
    dana.goto(f"/cases/{case.pk}/")
    expect(dana.page.get_by_text("1 waiting for your reply")).to_be_visible()
    dana.check()
    dana.page.get_by_role("link", name=re.compile("^Messages: each partner")).click()
    expect(dana.page.get_by_role("link", name="Ari, privately")).to_be_visible()
    expect(dana.page.get_by_role("link", name="Bo, privately")).to_be_visible()
    expect(dana.page.get_by_text("Waiting for your reply")).to_have_count(1)
    dana.check()
    shoot(dana, "5b-clinician-case-messages-desktop")

    # Ari sees the reply: a count in the menu (the reply, and Bo's word to both), then the words.
    ari.goto("/home/")
    expect(menu(ari).get_by_role("link", name="Messages 2 waiting for you")).to_be_visible()
    ari.check()
    menu(ari).get_by_role("link", name=re.compile("^Messages")).click()
    expect(ari.page.get_by_text("1 new")).to_have_count(2)
    ari.check()
    ari.page.get_by_role("link", name="You and Dana Clinician").click()
    expect(ari.page.get_by_text(REPLY)).to_be_visible()
    expect(ari.page.get_by_text("New", exact=True)).to_be_visible()
    ari.check()
    shoot(ari, "6-ari-reads-reply-phone")
    ari.goto("/home/")
    expect(menu(ari).get_by_role("link", name="Messages 1 waiting for you")).to_be_visible()
    ari.check()

    # Bo sees nothing of it: the same messages page, home and menu as before.
    bo.goto("/home/")
    assert bo.page.locator("main").inner_text() == bo_home_before
    assert menu(bo).inner_text() == bo_menu_before
    bo.check()
    bo.goto(f"/cases/{case.pk}/messages/")
    assert bo.page.locator("main").inner_text() == bo_messages_before
    expect(bo.page.get_by_text("Ari, privately")).to_have_count(0)
    bo.check()
    shoot(bo, "7-bo-messages-unchanged-phone")
    bo.goto(f"/cases/{case.pk}/messages/partner_a/", status=404)
    bo.check(status=404)


def test_the_couples_conversation_rests_during_a_pause(
    open_tab: Any, case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    actions.send_message(partner_b, case, "together", body="We managed the check-in twice.")
    pause_case(case, held_for=partner_a, shown=True)
    bo = open_tab(partner_b)
    bo.page.set_viewport_size(PHONE)
    bo.goto(f"/cases/{case.pk}/messages/together/")
    expect(bo.page.get_by_text("Individual sessions are the next step")).to_be_visible()
    expect(bo.page.get_by_label("Your message")).to_have_count(0)
    bo.check()
    shoot(bo, "8-bo-together-paused-phone")
    bo.page.get_by_role("link", name="write to your clinician").click()
    expect(bo.page.get_by_role("heading", name="You and Dana Clinician")).to_be_visible()
    bo.check()
    bo.page.get_by_label("Your message").fill("Can we talk before Thursday?")
    bo.page.get_by_role("button", name="Send").click()
    expect(bo.page.get_by_text("Can we talk before Thursday?")).to_be_visible()
    bo.check()
