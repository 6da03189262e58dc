"""The clinician downloads both progress reports of the demo's active case (desktop), and
Priya finds the couple's report from her home page (phone). Every page is axe-checked; the PDFs
are read back with pdftotext and their first page is drawn to PNG to look at."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from retrust.core.demo import email_for, seed_demo
from retrust.core.models import Case, User
from tests.browser.conftest import shots_folder
from tests.reports.conftest import pdf_text
from tests.support.mail import run_queued_tasks

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def download(tab: Any, version: str, tmp_path: Path) -> bytes:
    """Ask for one version, wait for the list to offer it (htmx polling), download it."""
    page = tab.page
    page.get_by_label(version).check()
    page.get_by_role("button", name="Prepare the report").click()
    expect(page.get_by_text("We're preparing your report")).to_be_visible()
    expect(page.get_by_text("Being prepared")).to_be_visible()
    tab.check()
    run_queued_tasks()
    link = page.get_by_role("link", name=re.compile(rf"Download the PDF — {version.lower()}"))
    expect(link).to_be_visible()  # the list refreshes itself every two seconds
    tab.check()
    with page.expect_download() as caught:
        link.click()
    path = tmp_path / caught.value.suggested_filename
    caught.value.save_as(path)
    return path.read_bytes()


def draw_first_page(pdf: bytes, name: str, tmp_path: Path) -> None:
    folder = shots_folder()
    if folder is None:
        return
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-png", "-r", "70", str(source), str(folder / name)],  # noqa: S607
        check=True,
    )


def test_the_clinician_downloads_both_reports_of_the_demo_case(
    open_tab: Any, tmp_path: Path
) -> None:
    seed_demo()
    case = Case.objects.get(label="Priya and Daniel")
    maya = User.objects.get(email=email_for("maya"))

    tab = open_tab(maya)
    tab.page.set_viewport_size(DESKTOP)
    tab.goto(f"/cases/{case.pk}/")
    tab.check()
    tab.page.get_by_role("link", name=re.compile("Progress reports")).click()
    expect(tab.page.get_by_role("heading", name="Progress reports")).to_be_visible()
    tab.check()
    tab.shot("reports-clinician.png")

    clinician_pdf = download(tab, "For the clinician", tmp_path)
    couple_pdf = download(tab, "For the couple", tmp_path)
    tab.shot("reports-clinician-ready.png")

    clinician_text = pdf_text(clinician_pdf)
    assert "Progress report: Priya and Daniel" in clinician_text
    assert "Patient Health Questionnaire" in clinician_text  # each partner's own measures
    assert "Confidential clinical record" in clinician_text
    couple_text = pdf_text(couple_pdf)
    assert "Progress report: Priya and Daniel" in couple_text
    assert "For Priya and Daniel" in couple_text
    assert "Patient Health Questionnaire" not in couple_text
    assert "PHQ" not in couple_text and "GAD" not in couple_text
    draw_first_page(clinician_pdf, "report-clinician", tmp_path)
    draw_first_page(couple_pdf, "report-couple", tmp_path)


def test_priya_finds_the_couples_report_on_her_phone(open_tab: Any) -> None:
    seed_demo()
    priya = User.objects.get(email=email_for("priya"))
    tab = open_tab(priya)
    tab.page.set_viewport_size(PHONE)
    tab.goto("/home/")
    tab.check()
    tab.page.get_by_role("link", name=re.compile("A printable progress report")).first.click()
    expect(tab.page.get_by_role("button", name="Prepare our report")).to_be_visible()
    # Only the couple's version is offered: there is nothing to choose.
    expect(tab.page.get_by_label("For the clinician")).to_have_count(0)
    tab.check()
    tab.shot("reports-partner-phone.png")
