"""What reaches people between sessions, followed in a real Chromium from the inbox onwards.

Priya proposes an agreement on her phone; the tick and the queue run here, in the test; Daniel's
email arrives at a real local SMTP server, says nothing, and its one link leads through sign-in
to the agreement waiting for his answer. A PHQ-9 with its ninth item answered above zero
reaches the clinician as an email after one tick, and the link leads to the caseload with the
alert on top. Every page shown goes through axe-core.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from retrust.assessments import actions as assessments
from retrust.assessments.models import MeasureSchedule
from retrust.core.models import Case, CaseMember
from retrust.notifications.tick import run_tick
from retrust.safety.models import Alert
from tests.conftest import PASSWORD, current_code, make_user
from tests.support.mail import body_of, run_queued_tasks

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# What an email must never say: names, the practice, the topic, any clinical word.
NEVER = (
    "Priya",
    "Daniel",
    "Harbour",
    "Phones",
    "agreement",
    "PHQ",
    "alert",
    "mood",
    "safety",
    "Couples",
    "CSI",
    "pulse",
    "trust",
    "check-in",
)


def shot(tab: Any, name: str) -> None:
    folder = os.environ.get("RETRUST_SHOTS", "")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(Path(folder) / name), full_page=True)


def sign_in_link(message: Any, live_server: Any) -> str:
    """The email's one link that is not the unsubscribe link: the bare sign-in page."""
    body = body_of(message)
    text = f"{message['Subject']}\n{message['From']}\n{body}"
    for word in NEVER:
        assert word.lower() not in text.lower(), f"the email says {word!r}"
    links = [link for link in re.findall(r"https?://\S+", body) if "/unsubscribe/" not in link]
    assert links == [f"{live_server.url}/accounts/login/"]
    return links[0]


@pytest.fixture
def couple(case: Case) -> tuple[Any, Any]:
    priya = make_user("priya@example.org", "Priya")
    daniel = make_user("daniel@example.org", "Daniel")
    CaseMember.objects.create(case=case, user=priya, role="partner_a")
    CaseMember.objects.create(case=case, user=daniel, role="partner_b")
    return priya, daniel


@pytest.fixture
def inbox(smtp_server: Any, settings: Any, live_server: Any) -> Any:
    settings.RETRUST_BASE_URL = live_server.url  # so the email's link opens in this browser
    return smtp_server


def test_an_agreement_proposed_reaches_the_other_partner_through_email_and_sign_in(
    open_tab, live_server, inbox, case, couple
):
    priya, daniel = couple
    for instrument in ("csi-4", "trust-pulse"):
        MeasureSchedule.objects.create(
            case=case,
            instrument_id=instrument,
            kind="every_n_weeks",
            every_weeks=1,
            starts_on=timezone.localdate(),
        )
    p = open_tab(priya)
    p.page.set_viewport_size(PHONE)
    p.goto(f"/cases/{case.pk}/agreements/")
    p.check()
    p.page.get_by_text("Propose an agreement").click()
    p.page.get_by_label("What it's about").select_option("transparency")
    p.page.get_by_label("A short title").fill("Phones in the open")
    p.page.get_by_label("What you would both agree to").fill(
        "We leave our phones face up on the table in the evenings."
    )
    p.page.get_by_role("button", name="Propose", exact=True).click()
    expect(p.page.get_by_role("status")).to_contain_text("Proposed")
    p.check()

    # The minute's tick, then the worker: one email to Daniel for all that waits for him
    # (the agreement and two check-ins), one to Priya for her check-ins.
    assert run_tick().queued_rows == 5
    run_queued_tasks()
    inbox.wait_for(2)
    assert sorted(inbox.recipients()) == sorted([daniel.email, priya.email])
    [message] = [m for m in inbox.messages if m["To"] == daniel.email]
    link = sign_in_link(message, live_server)

    d = open_tab()
    d.page.set_viewport_size(PHONE)
    d.goto(link)
    expect(d.page.get_by_role("heading", level=1)).to_contain_text("Sign in")
    d.check()
    shot(d, "email-link-sign-in-phone.png")
    d.page.get_by_label("Email").fill(daniel.email)
    d.page.get_by_label("Password").fill(PASSWORD)
    d.page.get_by_role("button", name="Sign in").click()
    expect(d.page).to_have_url(re.compile(r"/home/$"))
    expect(d.page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    # In the app each check-in is named (the email named none of them).
    expect(d.page.get_by_role("link", name=re.compile("Your check-in is ready: "))).to_have_count(2)
    expect(
        d.page.get_by_role("link", name=re.compile("Couples Satisfaction Index"))
    ).to_be_visible()
    d.check()
    shot(d, "email-link-waiting-phone.png")

    d.page.get_by_role("link", name=re.compile("A new agreement waits for your answer")).click()
    expect(d.page.get_by_role("heading", name="Phones in the open", level=1)).to_be_visible()
    expect(d.page.get_by_role("button", name="Accept version 1")).to_be_visible()
    d.check()
    shot(d, "email-link-consent-phone.png")
    d.page.get_by_role("button", name="Accept version 1").click()
    expect(d.page.get_by_role("status")).to_contain_text("now active")
    d.check()

    # Answered: the tick finds nothing more for anyone, and no second email goes out.
    assert run_tick().queued_rows == 0
    assert len(inbox.messages) == 2


def test_a_phq9_ninth_item_reaches_the_clinician_within_one_tick(
    open_tab, live_server, inbox, case, couple, clinician
):
    _, daniel = couple
    assessments.schedule_measure(
        clinician,
        case,
        instrument_id="phq-9",
        kind="every_n_weeks",
        every_weeks=2,
        starts_on=timezone.localdate(),
    )
    d = open_tab(daniel)
    d.page.set_viewport_size(PHONE)
    d.goto("/checkins/")
    d.check()
    d.page.get_by_role("link", name="Patient Health Questionnaire (PHQ-9)").click()
    d.check()
    for number in range(1, 10):
        group = d.page.get_by_role("group", name=re.compile(rf"^{number}\. "))
        with d.page.expect_response(lambda r: r.url.endswith("/draft/")):
            group.get_by_label("Several days" if number == 9 else "Not at all", exact=True).check()
    d.page.get_by_role("button", name="Send to my clinician").click()
    expect(d.page.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    d.check()
    shot(d, "phq9-item9-done-phone.png")
    assert Alert.objects.filter(case=case, priority="high").count() == 1

    # One tick after the answer: the email is queued and, once the worker runs, delivered.
    # (Priya's own check-in opening today goes out in the same tick, to her.)
    assert run_tick().queued_rows == 2
    run_queued_tasks()
    inbox.wait_for(2)
    assert sorted(inbox.recipients()) == sorted([clinician.email, "priya@example.org"])
    [message] = [m for m in inbox.messages if m["To"] == clinician.email]
    assert message["List-Unsubscribe"] is None  # a safety message cannot be switched off
    link = sign_in_link(message, live_server)

    c = open_tab()
    c.page.set_viewport_size(DESKTOP)
    c.goto(link)
    c.check()
    c.page.get_by_label("Email").fill(clinician.email)
    c.page.get_by_label("Password").fill(PASSWORD)
    c.page.get_by_role("button", name="Sign in").click()
    expect(c.page).to_have_url(re.compile(r"/accounts/two-factor/"))
    c.check()
    c.page.get_by_label("6-digit code from your authenticator app").fill(current_code(clinician))
    c.page.get_by_role("button", name="Confirm").click()
    expect(c.page).to_have_url(re.compile(r"/caseload/$"))
    expect(c.page.get_by_text("1 high alert")).to_be_visible()
    c.check()
    shot(c, "email-link-caseload-desktop.png")
    c.page.get_by_role("link", name=re.compile("Today")).first.click()
    expect(c.page.get_by_role("heading", name="Open alerts")).to_be_visible()
    c.check()
    shot(c, "email-link-today-desktop.png")
