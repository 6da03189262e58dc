"""On a phone: leaving quickly from any partner page, a partner who joins later, long words.

Every page shown goes through ``tab.check()`` (axe-core, no CSP violation, no script error).
Screenshots land in /tmp/shots/core/ for a person to look at.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from retrust.core import actions
from retrust.core.models import Case, CaseMember, HeldRecord, User
from tests.conftest import make_user, pause_case

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots/core")
# A pasted link or a word without spaces must wrap, not push the page sideways.
LONG_WORD = "https://example.org/" + "averylongunbrokenaddress" * 6


def phone_tab(open_tab: Any, user: User | None) -> Any:
    tab = open_tab(user)
    tab.page.set_viewport_size(PHONE)
    return tab


def shot(tab: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits_the_phone(tab: Any) -> None:
    width = tab.page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{tab.page.url} scrolls sideways: {width}px"


def session_ended(tab: Any) -> None:
    """The beacon arrives on its own time: wait (briefly) until the session no longer works."""
    for _ in range(50):
        response = tab.context.request.get("/home/", max_redirects=0)
        if response.status == 302:
            assert response.headers["location"].startswith("/accounts/login/")
            return
        time.sleep(0.1)
    raise AssertionError("the session still works after leaving quickly")


def never_painted(tab: Any) -> None:
    """Pages that guard.js hid and replaced before they showed (the sign-in page reached by
    Back after leaving) count as checked: nothing of them was on screen."""
    for url in tab.unchecked():
        assert "/accounts/login/" in url, url
        tab.checked.add(url)


@pytest.fixture
def couple(case: Case, partner_a: User, partner_b: User) -> dict[str, Any]:
    entry = actions.write_journal_entry(
        partner_a, case, body=f"Something for both of us: {LONG_WORD}", visibility="couple"
    )
    return {"case": case, "entry": entry}


@pytest.mark.parametrize(
    ("start", "how"),
    [
        ("/home/", "button"),
        ("/journal/{entry}/", "escape"),
        ("/program/{case}/", "button"),
        ("/account/", "escape"),
    ],
)
def test_leaving_quickly_ends_the_session_and_back_shows_no_retrust(
    open_tab: Any, couple: dict[str, Any], partner_a: User, start: str, how: str
) -> None:
    path = start.format(entry=couple["entry"].pk, case=couple["case"].pk)
    tab = phone_tab(open_tab, partner_a)
    page = tab.page
    tab.goto("/home/")
    tab.check()
    if path != "/home/":
        tab.goto(path)
        tab.check()
    button = page.get_by_role("button", name="Leave quickly")
    expect(button).to_be_visible()
    fits_the_phone(tab)
    shot(tab, "leave-from-" + path.strip("/").replace("/", "-"))

    if how == "button":
        button.click()
    else:
        page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"/away/$"))
    expect(page).to_have_title("Easy weeknight soup")
    tab.check()
    session_ended(tab)
    # A fetch from the neutral page finds the session gone too.
    assert "/accounts/login/" in page.evaluate("fetch('/home/').then(r => r.url)")

    # Back, as far as it goes, never shows a retrust page.
    for _ in range(2):
        page.go_back()
        page.wait_for_load_state("load")
        if page.url == "about:blank":
            break
        expect(page).to_have_url(re.compile(r"/away/$"))
        assert "retrust" not in page.content().lower()
    never_painted(tab)


def test_long_words_wrap_on_the_partner_pages_and_the_account_page(
    open_tab: Any, couple: dict[str, Any], partner_a: User
) -> None:
    actions.create_api_token(partner_a, LONG_WORD[:80])
    # A long address with no hyphen to break at, on the account page.
    partner_a.email = "alexandramontgomeryfitzwilliam@relationshippractice.example.org"
    partner_a.save(update_fields=["email"])
    tab = phone_tab(open_tab, partner_a)
    for path in ["/home/", f"/journal/{couple['entry'].pk}/", "/account/"]:
        tab.goto(path)
        expect(tab.page.get_by_role("heading", level=1)).to_be_visible()
        tab.check()
        fits_the_phone(tab)
        shot(tab, "wraps-" + (path.strip("/").replace("/", "-") or "home"))


def test_a_partner_who_joins_later_sees_only_what_is_shown_to_them(
    open_tab: Any, case: Case, partner_a: User
) -> None:
    first = actions.write_journal_entry(
        partner_a, case, body="Before Bo: the first week was the hardest", visibility="couple"
    )
    actions.write_journal_entry(
        partner_a, case, body="Before Bo: I hope we can laugh again", visibility="couple"
    )
    bo = make_user("bo@example.org", "Bo")
    CaseMember.objects.create(case=case, user=bo, role="partner_b")
    assert actions.partner_joined(case, bo) == 2

    newcomer = phone_tab(open_tab, bo)
    newcomer.goto("/home/")
    expect(newcomer.page.get_by_role("heading", name="Hello, Bo")).to_be_visible()
    expect(newcomer.page.get_by_text("Before Bo")).to_have_count(0)
    newcomer.check()
    shot(newcomer, "newcomer-home-before")

    author = phone_tab(open_tab, partner_a)
    author.goto("/home/")
    expect(author.page.get_by_role("heading", name="What Bo can see")).to_be_visible()
    expect(author.page.get_by_role("button", name=re.compile("^Show to Bo"))).to_have_count(2)
    author.check()
    fits_the_phone(author)
    shot(author, "author-home-held")

    held = HeldRecord.objects.get(record_id=first.pk)
    author.page.locator(f"form[action='/cases/{case.pk}/held/{held.pk}/show/'] button").click()
    expect(author.page.get_by_role("status")).to_contain_text("Bo can read it now.")
    expect(author.page.get_by_role("button", name=re.compile("^Show to Bo"))).to_have_count(1)
    author.check()
    shot(author, "author-home-after-showing")

    newcomer.goto("/home/")
    expect(newcomer.page.get_by_text("the first week was the hardest")).to_be_visible()
    expect(newcomer.page.get_by_text("I hope we can laugh again")).to_have_count(0)
    newcomer.check()
    shot(newcomer, "newcomer-home-after")


def test_the_held_partner_sees_both_of_us_resting_before_typing(
    open_tab: Any, case: Case, partner_a: User, partner_b: User
) -> None:
    pause_case(case, held_for=partner_a, shown=False)
    tab = phone_tab(open_tab, partner_a)
    tab.goto("/home/")
    choice = tab.page.get_by_label("Both of us and our clinician — resting for now")
    expect(choice).to_be_disabled()
    expect(tab.page.get_by_text("“Both of us” is resting for now.")).to_be_visible()
    tab.check()
    shot(tab, "held-journal")
