"""The agreements journey in a real Chromium, every page checked by axe-core.

Partner A proposes a phone-transparency agreement, partner B amends it, A accepts the
amendment and it becomes active; A commits to a daily action, records a week, B confirms it,
and the ledger shows it — to the couple and to their clinician.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from retrust.agreements.models import Agreement, Occurrence

pytestmark = pytest.mark.browser


def heading(tab, name, level=1):
    return tab.page.get_by_role("heading", name=name, level=level)


def test_agree_commit_record_confirm_and_see_the_ledger(
    open_tab, case, partner_a, partner_b, clinician
):
    a = open_tab(partner_a)
    page = a.page
    a.goto("/home/")
    a.check()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/agreements/$"))
    expect(heading(a, "Agreements and commitments")).to_be_visible()
    a.check()

    # A proposes.
    page.get_by_text("Propose an agreement").click()
    page.get_by_label("What it's about").select_option("transparency")
    page.get_by_label("A short title").fill("Phones in the open")
    page.get_by_label("What you would both agree to").fill(
        "We leave our phones face up on the table in the evenings."
    )
    page.get_by_role("button", name="Propose", exact=True).click()
    expect(heading(a, "Phones in the open")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Proposed")
    a.check()
    agreement = Agreement.objects.get()

    # B amends.
    b = open_tab(partner_b)
    b.goto(f"/agreements/{agreement.pk}/")
    expect(b.page.get_by_role("button", name="Accept version 1")).to_be_visible()
    b.check()
    b.page.get_by_text("Propose a changed version").click()
    b.page.get_by_label("Your version").fill(
        "We leave our phones face up in the evenings, except for calls from work."
    )
    b.page.get_by_role("button", name="Propose this version").click()
    expect(b.page.get_by_role("status")).to_contain_text("Your version is proposed")
    b.check()

    # A accepts the amendment: now it is active.
    a.goto(f"/agreements/{agreement.pk}/")
    a.page.get_by_role("button", name="Accept version 2").click()
    expect(a.page.get_by_role("status")).to_contain_text("now active")
    expect(a.page.get_by_text("except for calls from work").first).to_be_visible()
    a.check()
    agreement.refresh_from_db()
    assert agreement.status == "active" and agreement.active_version.number == 2

    # A commits to a daily action, starting a week ago.
    a.goto(f"/cases/{case.pk}/agreements/")
    a.check()
    today = timezone.localdate()
    a.page.get_by_text("Add a commitment").click()
    a.page.get_by_label("What you will do").fill("Text if I will be more than 15 minutes late")
    a.page.get_by_label("How often").select_option("daily")
    a.page.get_by_label("Starting on").fill((today - timedelta(days=6)).isoformat())
    a.page.get_by_label("Part of an agreement (optional)").select_option(label="Phones in the open")
    a.page.get_by_role("button", name="Add the commitment").click()
    expect(heading(a, "Text if I will be more than 15 minutes late")).to_be_visible()
    a.check()

    # A records the week in one go: the form lists the days not recorded yet.
    days = a.page.locator("form.days-form fieldset.day-choice")
    expect(days).to_have_count(7)
    for i in range(7):
        days.nth(i).get_by_label("Kept", exact=True).check()
    a.page.get_by_role("button", name="Record these days").click()
    expect(a.page.get_by_role("status")).to_contain_text("Recorded 7 days: 7 kept, 0 missed.")
    a.check()
    assert Occurrence.objects.count() == 7
    assert set(Occurrence.objects.values_list("due_on", flat=True)) == {
        today - timedelta(days=i) for i in range(7)
    }
    expect(a.page.get_by_text("Not recorded yet")).to_have_count(0)

    # B confirms each day.
    commitment_url = a.page.url
    b.goto(commitment_url)
    b.check()
    # B confirms one day on its own, then the other six at once.
    confirm = b.page.get_by_role("button", name=re.compile(r"^Confirm \d"))
    expect(confirm).to_have_count(7)
    confirm.first.click()
    expect(b.page.get_by_role("status")).to_contain_text("Confirmed")
    expect(b.page.get_by_role("checkbox")).to_have_count(6)
    b.page.get_by_role("button", name="Confirm the ticked days").click()
    expect(b.page.get_by_role("status")).to_contain_text("Confirmed 6 days.")
    expect(confirm).to_have_count(0)
    b.check()

    # The ledger shows it, to B and to the clinician.
    b.goto(f"/cases/{case.pk}/ledger/")
    expect(heading(b, "Follow-through over time")).to_be_visible()
    expect(b.page.get_by_text("Kept 7 of the last 7 recorded").first).to_be_visible()
    expect(
        b.page.get_by_role("img", name=re.compile("Follow-through over time for Ari"))
    ).to_be_visible()
    b.check()

    staff = open_tab(clinician)
    staff.goto(f"/cases/{case.pk}/")
    staff.check()
    staff.page.get_by_role("link", name="Agreements, commitments and follow-through").click()
    expect(staff.page.get_by_role("link", name="Phones in the open")).to_be_visible()
    staff.check()
    staff.goto(f"/cases/{case.pk}/ledger/")
    expect(staff.page.get_by_text("from 7 recorded, 7 confirmed").first).to_be_visible()
    staff.check()


def test_changing_a_recorded_day_and_stopping_a_commitment_ask_first(
    open_tab, case, partner_a, partner_b
):
    from retrust.agreements import actions
    from retrust.agreements.models import Commitment

    today = timezone.localdate()
    commitment = actions.make_commitment(
        partner_a, case, action="Say goodnight", schedule="daily", starts_on=today
    )
    actions.record_occurrence(partner_a, commitment, due_on=today, outcome="kept")
    a = open_tab(partner_a)
    a.goto(f"/commitments/{commitment.pk}/")
    a.check()

    # Recording today again as missed: the page says what today holds and asks.
    a.page.get_by_label("Day:", exact=True).fill(today.isoformat())
    a.page.get_by_label("Missed", exact=True).check()
    a.page.get_by_role("button", name="Record", exact=True).click()
    expect(a.page.get_by_text("You already recorded")).to_be_visible()
    a.check(status=409)
    assert Occurrence.objects.get().outcome == "kept"
    a.page.get_by_label(re.compile(r"^Yes, change .* to “missed”")).check()
    a.page.get_by_role("button", name="Record", exact=True).click()
    expect(a.page.get_by_role("status")).to_contain_text("Changed")
    a.check()
    assert Occurrence.objects.get().outcome == "missed"

    # Stopping: one tap on the button alone stops nothing.
    a.page.get_by_text("Stop this commitment", exact=True).first.click()
    a.page.get_by_role("button", name="Stop this commitment").click()
    expect(a.page.get_by_text("Tick “Yes, stop this commitment”")).to_be_visible()
    a.check(status=400)
    assert Commitment.objects.get().ended_at is None
    a.page.get_by_label("Yes, stop this commitment").check()
    a.page.get_by_role("button", name="Stop this commitment").click()
    expect(a.page.get_by_role("status")).to_contain_text("Stopped")
    a.check()
    assert Commitment.objects.get().ended_at is not None
