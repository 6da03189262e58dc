"""The main journeys, in a real Chromium: signing in, opening a case, joining by invitation.

Every page shown goes through ``tab.check()``: axe-core finds nothing serious or critical, and
the console shows no Content Security Policy violation or script error.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from retrust.core.models import Case, CaseMember, ClinicianMembership, User
from tests.conftest import PASSWORD, current_code

pytestmark = pytest.mark.browser

NEW_PASSWORD = "slow tide under the bridge"
INVITE_LINK = re.compile(r"https?://\S+/invite/[^/\s]+/")


def invitation_link(to: str, live_server: Any) -> str:
    """The link in the one invitation email sent to ``to``; it points at the live server."""
    sent = [m for m in mail.outbox if to in m.to]
    assert len(sent) == 1, f"expected one email to {to}, got {[m.to for m in mail.outbox]}"
    found = INVITE_LINK.findall(sent[0].body)
    assert len(found) == 1, sent[0].body
    assert found[0].startswith(live_server.url + "/invite/")
    return found[0]


def heading(tab: Any, name: str, level: int = 1) -> Any:
    return tab.page.get_by_role("heading", name=name, level=level)


def test_anonymous_pages(open_tab):
    tab = open_tab()
    tab.goto("/")
    expect(heading(tab, "Rebuilding trust, one steady step at a time")).to_be_visible()
    tab.check()

    tab.page.get_by_role("main").get_by_role("link", name="Sign in").click()
    expect(tab.page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(heading(tab, "Sign in")).to_be_visible()
    tab.check()

    tab.goto("/invite/not-a-real-invitation-token/", status=404)
    expect(heading(tab, "This invitation can't be used")).to_be_visible()
    expect(tab.page.get_by_role("alert")).to_contain_text("not valid")
    tab.check(status=404)

    # Staff pages send strangers to sign in, keeping where they were going.
    tab.goto("/caseload/")
    expect(tab.page).to_have_url(re.compile(r"/accounts/login/\?next=/caseload/$"))
    tab.check()


def test_clinician_signs_in_with_password_and_code(open_tab, clinician, case):
    tab = open_tab()
    page = tab.page
    tab.goto("/accounts/login/")
    tab.check()

    # A wrong password first: the error is announced and the page stays accessible.
    page.get_by_label("Email").fill(clinician.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("don't match")
    tab.check()

    page.get_by_label("Email").fill(clinician.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(heading(tab, "Enter your code")).to_be_visible()
    tab.check()

    page.get_by_label("6-digit code from your authenticator app").fill(current_code(clinician))
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/caseload/$"))
    expect(heading(tab, "Caseload")).to_be_visible()
    expect(page.get_by_role("link", name="Ari and Bo")).to_be_visible()
    tab.check()

    # The filters swap the table in place with htmx (under the strict CSP) and update the URL.
    page.get_by_label("Status").select_option("closed")
    expect(page).to_have_url(re.compile(r"status=closed"))
    expect(page.get_by_text("No cases match.")).to_be_visible()
    expect(page.get_by_role("link", name="Ari and Bo")).to_have_count(0)
    tab.check()


def test_clinician_opens_a_case_and_a_partner_joins(open_tab, live_server, clinician):
    staff = open_tab(clinician)
    page = staff.page
    staff.goto("/caseload/")
    staff.check()

    page.get_by_role("link", name="Open a case").click()
    expect(heading(staff, "Open a case")).to_be_visible()
    staff.check()
    page.get_by_label("Case name").fill("Sam and Jo")
    page.get_by_label("First partner's name").fill("Sam")
    page.get_by_label("First partner's email").fill("sam@example.org")
    page.get_by_role("button", name="Open the case and send invitations").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    expect(heading(staff, "Sam and Jo")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Case opened")
    staff.check()

    # The second partner is invited from the case page.
    page.get_by_label("Partner's name").fill("Jo")
    page.get_by_label("Partner's email").fill("jo@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to jo@example.org")
    staff.check()

    case = Case.objects.get(label="Sam and Jo")
    assert case.clinicians.filter(pk=clinician.pk).exists()
    link = invitation_link("sam@example.org", live_server)

    partner = open_tab()
    partner.goto(link)
    expect(heading(partner, "Welcome to retrust")).to_be_visible()
    expect(partner.page.get_by_text("sam@example.org")).to_be_visible()
    partner.check()
    name = partner.page.get_by_label("Your first name, or what you'd like to be called")
    expect(name).to_have_value("Sam")
    name.fill("Sammy")
    partner.page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    partner.page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    partner.page.get_by_role("button", name="Create my account").click()
    expect(partner.page).to_have_url(re.compile(r"/home/$"))
    expect(heading(partner, "Hello, Sammy")).to_be_visible()
    expect(heading(partner, "Sam and Jo", level=2)).to_be_visible()
    partner.check()

    # Clinicians' pages don't exist for partners.
    partner.goto("/caseload/", status=404)
    partner.check(status=404)

    member = CaseMember.objects.get(case=case)
    assert (member.user.email, member.role) == ("sam@example.org", "partner_a")

    # The link has done its job: opening it again, signed out, explains and changes nothing.
    again = open_tab()
    again.goto(link, status=410)
    expect(again.page.get_by_role("alert")).to_contain_text("already been used")
    again.check(status=410)

    # The clinician sees who joined, and the timeline says so in words.
    staff.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="Partner A: Sammy")).to_be_visible()
    timeline = page.locator("section[aria-labelledby=timeline-title]")
    expect(timeline.get_by_text("Sammy joined the case")).to_be_visible()
    staff.check()


def test_admin_adds_a_clinician_who_enrols_in_two_factor(open_tab, live_server, admin):
    admin_tab = open_tab(admin)
    page = admin_tab.page
    admin_tab.goto("/practice/")
    expect(heading(admin_tab, "Quiet Harbour Therapy")).to_be_visible()
    admin_tab.check()

    page.get_by_label("Name:", exact=True).fill("Noor Newcomer")
    page.get_by_label("Email:", exact=True).fill("noor@example.org")
    page.get_by_label("Role").select_option("clinician")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to noor@example.org")
    expect(page.get_by_text("noor@example.org — Clinician")).to_be_visible()
    admin_tab.check()

    newcomer = open_tab()
    newcomer.goto(invitation_link("noor@example.org", live_server))
    expect(heading(newcomer, "Welcome to retrust")).to_be_visible()
    newcomer.check()
    newcomer.page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    newcomer.page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    newcomer.page.get_by_role("button", name="Create my account").click()

    # Staff must set up two-step sign-in before anything else.
    expect(newcomer.page).to_have_url(re.compile(r"/accounts/two-factor/"))
    expect(heading(newcomer, "Set up two-step sign-in")).to_be_visible()
    newcomer.check()
    user = User.objects.get(email="noor@example.org")
    assert ClinicianMembership.objects.get(user=user).role == "clinician"
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown = newcomer.page.locator("code.secret").inner_text().replace(" ", "")
    assert shown == base64.b32encode(device.bin_key).decode().rstrip("=")

    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    newcomer.page.get_by_label("6-digit code from your authenticator app").fill(f"{code:06d}")
    newcomer.page.get_by_role("button", name="Confirm").click()
    expect(newcomer.page).to_have_url(re.compile(r"/caseload/$"))
    expect(heading(newcomer, "Caseload")).to_be_visible()
    expect(newcomer.page.get_by_role("link", name="Open your first case")).to_be_visible()
    newcomer.check()
    device.refresh_from_db()
    assert device.confirmed
