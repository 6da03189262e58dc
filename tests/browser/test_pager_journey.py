"""A busy clinician pages through a long caseload and a long case timeline, on a desktop.

The caseload's pager swaps the table in place (htmx) and puts the page in the address bar, so
Back and a reload land on the same rows; the timeline's pager is plain links that return to the
timeline's heading. Every page shown goes through ``tab.check()`` (axe-core, CSP, console).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.test_case_timeline import add_events
from tests.test_query_counts import add_cases

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


ROWS = "#case-table tbody th[scope=row]"  # one row header per case


def case_rows(page) -> int:
    return page.locator(ROWS).count()


def test_a_clinician_pages_through_120_cases_in_place(open_tab, practice, clinician):
    add_cases(practice, clinician, 120)
    tab = open_tab(clinician)
    page = tab.page
    page.set_viewport_size(DESKTOP)
    tab.goto("/caseload/?sort=name")
    tab.check()
    assert case_rows(page) == 50
    expect(page.get_by_text("Cases 1–50 of 120")).to_be_visible()
    first_name = page.locator(ROWS).first.inner_text()

    pager = page.get_by_role("navigation", name="Caseload pages")
    with page.expect_response(lambda r: "page=2" in r.url and r.request.headers.get("hx-request")):
        pager.get_by_role("link", name="Next 50").click()
    expect(page.get_by_text("Cases 51–100 of 120")).to_be_visible()
    assert case_rows(page) == 50
    # Swapped in place: the page's own heading and filters are still there once, and the
    # address bar says where we are, with the sort kept.
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert re.search(r"[?&]sort=name&page=2$", page.url)
    tab.check()
    tab.shot("caseload-page-2-desktop")

    pager = page.get_by_role("navigation", name="Caseload pages")
    pager.get_by_role("link", name="Next 50").click()
    expect(page.get_by_text("Cases 101–120 of 120")).to_be_visible()
    assert case_rows(page) == 20
    expect(pager.get_by_role("link", name="Next 50")).to_have_count(0)

    # A reload of the address the pager pushed serves the same rows as a whole page.
    tab.goto(page.url)
    tab.check()
    expect(page.get_by_text("Cases 101–120 of 120")).to_be_visible()
    page.get_by_role("navigation", name="Caseload pages").get_by_role(
        "link", name="Previous 50"
    ).click()
    expect(page.get_by_text("Cases 51–100 of 120")).to_be_visible()
    page.go_back()
    expect(page.get_by_text("Cases 101–120 of 120")).to_be_visible()
    tab.goto("/caseload/?sort=name")
    tab.check()
    assert page.locator(ROWS).first.inner_text() == first_name


def test_a_clinician_reads_a_long_timeline_a_page_at_a_time(open_tab, clinician, case):
    add_events(case, clinician, 60)  # 30 notes written, 30 reads that the timeline leaves out
    tab = open_tab(clinician)
    page = tab.page
    page.set_viewport_size(DESKTOP)
    tab.goto(f"/cases/{case.pk}/")
    tab.check()
    timeline = page.locator("section[aria-labelledby=timeline-title]")
    pager = timeline.get_by_role("navigation", name="Timeline pages")
    expect(pager.get_by_text("Page 1 of 2")).to_be_visible()
    assert timeline.locator("ul.timeline > li").count() == 25

    pager.get_by_role("link", name="Older events").click()
    expect(pager.get_by_text("Page 2 of 2")).to_be_visible()
    assert page.url.endswith("?timeline=2#timeline-title")
    assert timeline.locator("ul.timeline > li").count() == 5
    # The browser scrolled to the timeline, not to the top of the case.
    expect(page.locator("#timeline-title")).to_be_in_viewport()
    tab.check()
    tab.shot("timeline-page-2-desktop")

    pager.get_by_role("link", name="Newer events").click()
    expect(pager.get_by_text("Page 1 of 2")).to_be_visible()
    tab.check()
