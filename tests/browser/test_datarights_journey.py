"""Data rights on a phone: Priya takes a copy of her data (and the file holds none of Daniel's
private or free text); Morgan asks to delete their account, the grace period passes, the shred
runs, Morgan's partner's records are intact and Morgan's clinical records are held."""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from retrust.agreements.models import Agreement, AgreementVersion, Consent
from retrust.conversations.models import Conversation, Turn
from retrust.core.datarights import FORMER_PARTNER
from retrust.core.demo import DEMO_PASSWORD, email_for, seed_demo
from retrust.core.models import Case, CaseMember, JournalEntry, User
from retrust.datarights.models import Departure
from retrust.datarights.package import DATA_NAME, FHIR_NAME
from retrust.notifications.tick import run_tick
from tests.support.mail import run_queued_tasks

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
DANIEL_PRIVATE = "Planted: Daniel's private worry about the weekend"
DANIEL_TURN = "Planted: Daniel's own words in a shared conversation"


def shot(tab: Any, name: str) -> None:
    folder = os.environ.get("RETRUST_SHOTS", "")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(Path(folder) / name), full_page=True)


def demo_user(key: str) -> User:
    return User.objects.get(email=email_for(key))


def test_priya_downloads_a_copy_without_daniels_words(open_tab: Any) -> None:
    seed_demo()
    priya, daniel = demo_user("priya"), demo_user("daniel")
    case = Case.objects.get(creation_key="demo-conjoint")
    JournalEntry.objects.create(case=case, author=daniel, visibility="private", body=DANIEL_PRIVATE)
    talk = Conversation.objects.create(
        case=case, author=daniel, visibility="couple", topic="Weekends", speaker=daniel,
        listener=priya,
    )  # fmt: skip
    Turn.objects.create(
        case=case, author=daniel, visibility="couple", conversation=talk, seq=1,
        kind="statement", body=DANIEL_TURN,
    )  # fmt: skip
    daniel_shared = [e.body for e in JournalEntry.objects.filter(author=daniel)]

    tab = open_tab(priya)
    tab.page.set_viewport_size(PHONE)
    tab.goto("/account/")
    tab.check()
    tab.page.get_by_role("link", name=re.compile("Your data")).click()
    expect(tab.page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    tab.check()
    tab.page.get_by_role("button", name="Prepare a copy").click()
    expect(tab.page.get_by_text("Your copy is being prepared")).to_be_visible()
    tab.check()
    shot(tab, "datarights-preparing-phone.png")

    run_queued_tasks()
    tab.page.reload()
    expect(tab.page.get_by_text("Your copy is ready")).to_be_visible()
    tab.check()
    shot(tab, "datarights-ready-phone.png")
    with tab.page.expect_download() as waiting:
        tab.page.get_by_role("button", name="Download your copy").click()
    download = waiting.value
    link = download.url
    data = Path(download.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    everything = "\n".join(files.values())
    assert "I noticed I checked Daniel's location" in files[DATA_NAME]  # Priya's own, private
    assert '"resourceType": "Patient"' in files[FHIR_NAME]
    for planted in [DANIEL_PRIVATE, DANIEL_TURN, *daniel_shared]:
        assert planted not in everything, planted
    assert "Weekends" not in everything  # the topic Daniel wrote

    # The link worked once.
    tab.goto(link, status=410)
    expect(tab.page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    tab.check(status=410)
    tab.goto("/account/data/")
    expect(tab.page.get_by_text(re.compile("You downloaded a copy"))).to_be_visible()
    tab.check()
    shot(tab, "datarights-downloaded-phone.png")


def test_morgan_leaves_and_their_partners_records_stay(open_tab: Any) -> None:
    seed_demo()
    morgan = demo_user("morgan")
    case = Case.objects.get(creation_key="demo-individual")
    jamie = User.objects.create_user("jamie@example.org", DEMO_PASSWORD, display_name="Jamie")
    CaseMember.objects.create(case=case, user=jamie, role="partner_b")
    JournalEntry.objects.create(
        case=case, author=jamie, visibility="couple", body="Jamie's note for us both"
    )
    agreement = Agreement.objects.create(
        case=case, author=jamie, visibility="couple", category="communication", status="active"
    )
    version = AgreementVersion.objects.create(
        agreement=agreement, number=1, title="Phones at dinner", text="Face down.",
        proposed_by=jamie,
    )  # fmt: skip
    Consent.objects.create(version=version, partner=jamie, decision="accepted")
    Consent.objects.create(version=version, partner=morgan, decision="accepted")
    agreement.active_version = version
    agreement.save()
    held_journal = JournalEntry.objects.get(author=morgan, visibility="clinician")

    # The practice admin gives people three weeks to change their mind.
    admin = open_tab(demo_user("ines"))
    admin.page.set_viewport_size(DESKTOP)
    admin.goto("/practice/")
    admin.check()
    admin.page.get_by_role("link", name="Deleting accounts and keeping records").click()
    admin.check()
    admin.page.get_by_label("Days before a deletion is carried out").fill("3")
    admin.page.get_by_role("button", name="Save").click()
    expect(admin.page.get_by_text("at least 7 days to change their mind")).to_be_visible()
    admin.check(status=400)
    shot(admin, "datarights-retention-error-desktop.png")
    admin.page.get_by_label("Days before a deletion is carried out").fill("21")
    admin.page.get_by_role("button", name="Save").click()
    expect(admin.page.get_by_text("Saved.")).to_be_visible()
    admin.check()

    tab = open_tab(morgan)
    tab.page.set_viewport_size(PHONE)
    tab.goto("/account/data/")
    tab.check()
    tab.page.get_by_role("link", name="Ask to delete your account").click()
    expect(tab.page.get_by_role("heading", name="Delete your account")).to_be_visible()
    expect(tab.page.get_by_text("Nothing is deleted for 21 days.")).to_be_visible()
    tab.check()
    shot(tab, "datarights-delete-phone.png")
    tab.page.get_by_role("button", name="Ask to delete my account").click()
    expect(tab.page.get_by_text("Tick the box to confirm")).to_be_visible()
    tab.check(status=400)
    tab.page.get_by_label("Your password").fill(DEMO_PASSWORD)
    tab.page.get_by_label("Yes, delete my account").check()
    tab.page.get_by_role("button", name="Ask to delete my account").click()
    expect(tab.page.get_by_text(re.compile("set to be deleted on"))).to_be_visible()
    tab.check()
    shot(tab, "datarights-requested-phone.png")

    tomas = demo_user("tomas")
    clinician = open_tab(tomas)
    clinician.page.set_viewport_size(DESKTOP)
    clinician.goto("/caseload/leaving/")
    expect(clinician.page.get_by_text(re.compile("Morgan asked on"))).to_be_visible()
    clinician.check()
    shot(clinician, "datarights-leaving-desktop.png")

    # Fourteen days later (the stored date moved back), the tick starts the shred.
    Departure.objects.filter(user=morgan).update(shred_after=timezone.now() - timedelta(seconds=1))
    run_tick()
    run_queued_tasks()

    departure = Departure.objects.get(user=morgan)
    assert departure.shredded_at is not None
    assert departure.hold_until > timezone.now() + timedelta(days=365 * 7 - 2)
    assert JournalEntry.objects.filter(pk=held_journal.pk).exists()  # held for the practice
    assert departure.held["core.journal entries shared with the clinician"] == 1
    assert JournalEntry.objects.filter(author=jamie).count() == 1
    assert Consent.objects.filter(version=version).count() == 2
    assert CaseMember.objects.filter(case=case, user=jamie).exists()

    # Morgan's session no longer works.
    tab.goto("/account/data/")
    expect(tab.page).to_have_url(re.compile("/accounts/login/"))
    tab.check()

    partner = open_tab(jamie)
    partner.page.set_viewport_size(PHONE)
    partner.goto(f"/agreements/{agreement.pk}/")
    expect(partner.page.get_by_text("Phones at dinner").first).to_be_visible()
    expect(partner.page.get_by_text(re.compile(FORMER_PARTNER)).first).to_be_visible()
    partner.check()
    shot(partner, "datarights-partner-after-phone.png")

    clinician.goto("/caseload/leaving/")
    expect(clinician.page.get_by_role("heading", name="Carried out")).to_be_visible()
    clinician.check()
    shot(clinician, "datarights-carried-out-desktop.png")
