"""A partner's "Waiting for you" list on a phone changes as items are done."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from retrust.agreements import actions as agreements
from tests.notifications.test_tick import assign

PHONE = {"width": 390, "height": 844}


def shot(tab, name: str) -> None:
    folder = os.environ.get("RETRUST_SHOTS", "")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_the_list_changes_as_items_are_done(open_tab, case, partner_a, partner_b):
    agreement = agreements.propose_agreement(
        partner_a,
        case,
        category="communication",
        title="Evenings",
        text="We talk for ten minutes after dinner.",
    )
    homework = assign(case, due_on=timezone.localdate() + timedelta(days=2))
    homework.title = "Three things I appreciated this week"
    homework.save(update_fields=["title"])

    b = open_tab(partner_b)
    b.page.set_viewport_size(PHONE)
    b.goto("/home/")
    waiting = b.page.get_by_role("heading", name="Waiting for you")
    expect(waiting).to_be_visible()
    nav = b.page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name=re.compile(r"My space 2 waiting for you"))).to_be_visible()
    b.check()
    shot(b, "partner-home-phone.png")

    b.page.get_by_role("link", name=re.compile("A new agreement waits for your answer")).click()
    expect(b.page).to_have_url(re.compile(rf"/agreements/{agreement.pk}/$"))
    b.check()
    b.page.get_by_role("button", name="Accept version 1").click()
    b.check()
    b.goto("/home/")
    expect(b.page.get_by_text("A new agreement waits for your answer")).to_have_count(0)
    expect(b.page.get_by_role("link", name=re.compile("Homework for you"))).to_be_visible()
    expect(nav.get_by_role("link", name=re.compile(r"My space 1 waiting for you"))).to_be_visible()
    b.check()
    shot(b, "partner-home-phone-after.png")

    a = open_tab(partner_a)
    a.page.set_viewport_size(PHONE)
    a.goto("/home/")
    expect(a.page.get_by_text("waits for your answer")).to_have_count(0)
    expect(a.page.get_by_role("link", name=re.compile("Homework for you"))).to_be_visible()
    a.check()


def test_the_clinicians_today_on_a_phone(open_tab, case, partner_a, partner_b, clinician):
    from tests.notifications.test_waiting import _clinician_world

    _clinician_world(case, clinician, partner_a)
    c = open_tab(clinician)
    c.page.set_viewport_size(PHONE)
    c.goto("/caseload/today/")
    expect(c.page.get_by_role("heading", name="Open alerts")).to_be_visible()
    expect(c.page.get_by_role("link", name="Sign your note")).to_be_visible()
    c.check()
    shot(c, "clinician-today-phone.png")
