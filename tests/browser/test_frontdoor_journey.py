"""The front door in a real Chromium: a visitor (phone) reads the practice page, takes the
self-check, asks for a first conversation with their answers and gets a "we received it" email
at the local SMTP server; their partner adds their own part; the clinician (desktop) screens,
offers and accepts with both partners invited; each partner joins and finds their own goals in
their intake. Another visitor subscribes to updates, confirms and unsubscribes. A visitor's
answer about fear leads with crisis resources.

Every page shown goes through ``tab.check()`` (axe-core: nothing serious or critical).
Screenshots land in /tmp/shots/frontdoor/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from retrust.core.models import Practice, User
from retrust.frontdoor.models import (
    Article,
    ClinicianProfile,
    ConsultationRequest,
    PracticePage,
    Subscriber,
)
from retrust.safety.models import CrisisResource
from tests.support.mail import body_of, run_queued_tasks

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "slow tide under the pier"
INVITE = re.compile(r"(/invite/[A-Za-z0-9_\-]+/)")
EMAILED_PATH = re.compile(r"https://retrust\.example(/p/quiet-harbour/updates/[a-z]+/[^/\s>]+/)")
SHOTS = Path("/tmp/frontdoor-shots")


def shoot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def answer(tab: Any, question: str, choice: str) -> None:
    tab.page.get_by_role("group", name=question).get_by_label(choice, exact=True).check()


@pytest.fixture
def published(practice: Practice, clinician: User) -> PracticePage:
    ClinicianProfile.objects.create(
        practice=practice,
        user=clinician,
        bio="Dana works with couples after an affair, and with partners who come on their own.",
    )
    CrisisResource.objects.create(
        practice=practice, name="Harbour Crisis Line", phone="0800 123 456", hours="24 hours"
    )
    Article.objects.create(
        practice=practice,
        title="Why trust comes back slowly",
        body="Small promises, kept.\n\n## What helps\n\n- Doing what you said you would",
        published=True,
    )
    return PracticePage.objects.create(
        practice=practice,
        published=True,
        about="A small practice by the harbour. We help couples **rebuild trust** at their pace.",
        fees="- First conversation: free, 30 minutes\n- Sessions: 90 for 50 minutes",
        contact="Weekdays 9–5 · 01234 567 890",
    )


def invitation_path(inbox: Any, address: str) -> str:
    for message in inbox.messages:
        if address in message["To"]:
            match = INVITE.search(body_of(message))
            if match:
                return match.group(1)
    raise AssertionError(f"No invitation reached {address}")


def test_a_visitor_reflects_and_asks_for_a_first_conversation(
    open_tab: Any, published: PracticePage, clinician: User, smtp_server: Any
) -> None:
    tab = open_tab()
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto("/practice-info/")
    expect(page).to_have_url(re.compile(r"/p/quiet-harbour/$"))
    expect(page.get_by_role("heading", name="Quiet Harbour Therapy", level=1)).to_be_visible()
    expect(page.get_by_text("Dana works with couples")).to_be_visible()
    tab.check()
    shoot(tab, "01-practice-page")

    page.get_by_role("link", name="Resources").first.click()
    expect(page.get_by_role("heading", name="Resources", level=1)).to_be_visible()
    page.get_by_role("link", name="Why trust comes back slowly").click()
    expect(page.get_by_role("heading", name="What helps")).to_be_visible()
    tab.check()
    shoot(tab, "07-article")
    page.go_back()
    tab.check()
    shoot(tab, "08-resources")
    tab.goto("/p/quiet-harbour/")

    page.get_by_role("link", name="Is it time to get help?").click()
    expect(page.get_by_role("heading", name="Is it time to get help?")).to_be_visible()
    tab.check()
    shoot(tab, "02-self-check")
    answer(tab, "Do the two of you argue often, or feel far apart even in the same room?", "Often")
    answer(tab, "Has closeness between you — talking openly, affection, sex — faded?", "Sometimes")
    answer(tab, "Are you ever afraid of your partner, or of what they might do?", "No")
    page.get_by_role("button", name="See what this might mean").click()
    expect(page.get_by_role("heading", name="Your reflection")).to_be_visible()
    expect(page.get_by_text("Arguments or distance keep coming back.")).to_be_visible()
    tab.check()
    shoot(tab, "03-reflection")
    assert ConsultationRequest.objects.count() == 0

    page.get_by_role("button", name="Ask for a first conversation").click()
    expect(page.get_by_role("heading", name="Ask for a first conversation")).to_be_visible()
    tab.check()
    page.get_by_label("What should we call you?").fill("Sam")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address or phone number").fill("sam@example.net")
    page.get_by_label("When is a safe time to contact you?").fill("Weekday mornings")
    page.get_by_label("No — please don't leave a message").check()
    page.get_by_label("Yes, any time").check()
    page.get_by_label("What do you hope will change? (optional)").fill("Fewer silent evenings.")
    page.get_by_label("Include my self-check answers with this request").check()
    page.get_by_label(re.compile("give me a private link for my partner")).check()
    shoot(tab, "04-consultation-form")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    tab.check()
    shoot(tab, "05-sent")
    link = page.get_by_label("Your partner's link").input_value()
    run_queued_tasks()
    (received,) = smtp_server.wait_for(1)
    assert smtp_server.recipients() == ["sam@example.net"]
    assert received["Subject"] == "We received your request"
    assert "Sam" not in body_of(received) and "Quiet Harbour" not in received["From"]

    partner = open_tab()
    partner.page.set_viewport_size(PHONE)
    partner.goto(link)
    expect(partner.page.get_by_role("heading", name="Add your part")).to_be_visible()
    partner.check()
    partner.page.get_by_label("What should we call you?").fill("Alex")
    partner.page.get_by_label("Email", exact=True).check()
    partner.page.get_by_label("Email address or phone number").fill("alex@example.net")
    partner.page.get_by_label("Only the practice's name and a request to call back").check()
    partner.page.get_by_label("No, please don't email me").check()
    partner.page.get_by_label("What does trust mean to you? (optional)").fill("No surprises.")
    shoot(partner, "09-partner-part")
    partner.page.get_by_role("button", name="Send my request").click()
    expect(partner.page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    partner.check()

    stored = ConsultationRequest.objects.get(joins=None)
    assert stored.self_check == {"arguments": "often", "intimacy": "sometimes", "afraid": "no"}

    run_queued_tasks()
    # Alex said no email: nothing more has been sent to anyone.
    assert smtp_server.recipients() == ["sam@example.net"]

    staff = open_tab(clinician)
    staff.page.set_viewport_size(DESKTOP)
    staff.goto("/practice/consultations/")
    staff.check()
    staff.page.get_by_role("link", name="Sam").click()
    expect(staff.page.get_by_text("Email: sam@example.net")).to_be_visible()
    expect(staff.page.get_by_text("Email: alex@example.net")).to_be_visible()
    expect(staff.page.get_by_text("Weekday mornings")).to_be_visible()
    staff.check()
    staff.page.get_by_label("Screened").check()
    staff.page.get_by_label("Note (seen only by the practice's staff)").fill("Texted; call Tue.")
    staff.page.get_by_role("button", name="Save", exact=True).click()
    expect(staff.page.get_by_text("Texted; call Tue.")).to_be_visible()
    staff.check()
    staff.page.get_by_label("Consultation offered").check()
    staff.page.get_by_label("Note (seen only by the practice's staff)").fill("Offered Thu 10:00.")
    staff.page.get_by_role("button", name="Save", exact=True).click()
    expect(staff.page.get_by_text("Offered Thu 10:00.")).to_be_visible()
    staff.check()
    shoot(staff, "10-request-desktop")
    stored.refresh_from_db()
    assert stored.status == "offered"
    staff.page.get_by_label(re.compile("Couple work")).check()
    staff.page.get_by_label(re.compile("Also invite their partner")).check()
    staff.page.get_by_role("button", name="Open a case and send the invitation").click()
    expect(staff.page).to_have_url(re.compile(r"/cases/\d+/$"))
    staff.check()
    stored.refresh_from_db()
    assert stored.case is not None and stored.status == "booked"
    invited = dict(stored.case.invitations.values_list("role", "email"))
    assert invited == {"partner_a": "sam@example.net", "partner_b": "alex@example.net"}

    # Each partner joins from their own invitation and finds their own words in their intake.
    smtp_server.wait_for(3)
    for who, address, own, other in (
        (tab, "sam@example.net", "Fewer silent evenings.", "No surprises."),
        (partner, "alex@example.net", "No surprises.", "Fewer silent evenings."),
    ):
        who.goto(invitation_path(smtp_server, address))
        who.check()
        who.page.get_by_label("Choose a password").fill(PASSWORD)
        who.page.get_by_label("Type the password again").fill(PASSWORD)
        who.page.get_by_role("button", name="Create my account").click()
        who.page.wait_for_load_state("load")
        who.check()
        who.goto(f"/program/{stored.case.pk}/")
        expect(who.page.get_by_text(own)).to_be_visible()
        assert other not in who.page.content()
        who.check()
        shoot(who, f"11-intake-goal-{address.split('@')[0]}")


def test_a_visitor_subscribes_confirms_and_unsubscribes(
    open_tab: Any, published: PracticePage, admin: User, smtp_server: Any
) -> None:
    tab = open_tab()
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto("/p/quiet-harbour/")
    tab.check()
    page.get_by_role("link", name="Sign up for updates").click()
    expect(page.get_by_role("heading", name="Updates from Quiet Harbour Therapy")).to_be_visible()
    tab.check()
    page.get_by_label("Your email address").fill("robin@example.net")
    shoot(tab, "20-updates-signup")
    page.get_by_role("button", name="Send me a link to confirm").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    tab.check()
    run_queued_tasks()
    (confirm,) = smtp_server.wait_for(1)
    path = EMAILED_PATH.search(body_of(confirm)).group(1)  # type: ignore[union-attr]
    tab.goto(path)
    tab.check()
    page.get_by_role("button", name="Yes, send me updates").click()
    expect(page.get_by_role("heading", name="You're on the list")).to_be_visible()
    tab.check()
    shoot(tab, "21-updates-confirmed")
    # The same link again: a clear answer, nothing changes.
    tab.goto(path)
    page.get_by_role("button", name="Yes, send me updates").click()
    expect(page.get_by_role("heading", name="Already confirmed")).to_be_visible()
    tab.check()

    staff = open_tab(admin)
    staff.page.set_viewport_size(DESKTOP)
    staff.goto("/practice/updates/")
    staff.check()
    staff.page.get_by_label("Subject line").fill("A new evening group")
    staff.page.get_by_label("The update").fill("We **start** in May. Ask us about it.")
    staff.page.get_by_role("button", name="Send the update").click()
    expect(staff.page.get_by_text("The update is on its way")).to_be_visible()
    staff.check()
    run_queued_tasks()  # writes the outbox rows in batches
    run_queued_tasks()  # sends them
    update = smtp_server.wait_for(2)[1]
    staff.goto("/practice/updates/")
    expect(staff.page.get_by_text("1 address", exact=True)).to_be_visible()
    staff.check()
    shoot(staff, "22-updates-admin")
    assert update["Subject"] == "A new evening group"
    unsubscribe = update["List-Unsubscribe"].strip("<>").split("retrust.example")[1]
    tab.goto(unsubscribe)
    tab.check()
    page.get_by_role("button", name="Stop the updates").click()
    expect(page.get_by_role("heading", name="You're off the list")).to_be_visible()
    tab.check()
    shoot(tab, "23-unsubscribed")
    assert Subscriber.objects.get().status == "unsubscribed"


def test_fear_of_the_partner_leads_with_crisis_resources(
    open_tab: Any, published: PracticePage
) -> None:
    tab = open_tab()
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto("/p/quiet-harbour/self-check/")
    tab.check()
    answer(tab, "Are you ever afraid of your partner, or of what they might do?", "Yes")
    page.get_by_role("button", name="See what this might mean").click()
    expect(page.get_by_role("heading", name="Your safety comes first")).to_be_visible()
    expect(page.get_by_text("Harbour Crisis Line")).to_be_visible()
    expect(page.get_by_role("button", name="Leave quickly")).to_be_visible()
    tab.check()
    shoot(tab, "06-safety-first")
    assert ConsultationRequest.objects.count() == 0


def test_a_visitor_picks_times_on_a_phone_and_the_clinician_books_one_on_accepting(
    open_tab: Any, published: PracticePage, practice: Practice, clinician: User, smtp_server: Any
) -> None:
    """With session hours, the form offers free times by day; the inbox shows the picks and the
    clinician books the first consultation as they open the case; Sam finds it in My sessions."""
    from datetime import time

    from retrust.sessions import actions as sessions_actions
    from retrust.sessions.models import Appointment

    sessions_actions.set_weekly_hours(
        clinician, practice, [(d, time(9), time(17)) for d in range(7)]
    )
    tab = open_tab()
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto("/p/quiet-harbour/consultation/")
    expect(page.get_by_text("Times that would suit you for a first conversation")).to_be_visible()
    tab.check()
    page.get_by_label("What should we call you?").fill("Sam")
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address or phone number").fill("sam@example.net")
    page.get_by_label("No — please don't leave a message").check()
    page.get_by_label("No, please don't email me").check()
    first_day = page.locator(".slot-day").first
    day = first_day.locator(".slot-day-name").inner_text()
    first_day.get_by_label("09:00").check()
    first_day.get_by_label("09:50").check()
    shoot(tab, "30-picking-times")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    tab.check()
    stored = ConsultationRequest.objects.get()
    assert len(stored.preferred_slots) == 2

    staff = open_tab(clinician)
    staff.page.set_viewport_size(DESKTOP)
    staff.goto(f"/practice/consultations/{stored.pk}/")
    expect(staff.page.get_by_role("listitem").filter(has_text=f"{day}, 09:00")).to_be_visible()
    staff.check()
    booking = staff.page.get_by_label("Book the first consultation")
    # The first time Sam asked for is chosen; the clinician takes the second.
    assert booking.input_value() == stored.preferred_slots[0]
    booking.select_option(stored.preferred_slots[1])
    shoot(staff, "31-accept-and-book")
    staff.page.get_by_role("button", name="Open a case and send the invitation").click()
    expect(staff.page).to_have_url(re.compile(r"/cases/\d+/$"))
    expect(staff.page.get_by_text("The first consultation is booked.")).to_be_visible()
    staff.check()
    (booked,) = Appointment.objects.all()
    assert booked.start.isoformat() == stored.preferred_slots[1]

    run_queued_tasks()
    smtp_server.wait_for(2)  # Sam's invitation to join, and the clinician's calendar invitation
    tab.goto(invitation_path(smtp_server, "sam@example.net"))
    tab.check()
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state("load")
    tab.check()
    tab.goto("/sessions/")
    expect(page.get_by_text("09:50").first).to_be_visible()
    tab.check()
    shoot(tab, "32-my-sessions")
