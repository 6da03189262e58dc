"""Charts on a 390×844 phone (issue 17): every chart text at 12 px or more on screen, the
score axis at round numbers, the date axis labelled with dates that do not touch, and the table
with the same numbers still there. Check-ins (the partner's own PHQ-9 and trust pulse, and the
clinician's measures page) and the follow-through chart (a commitment and the case's ledger)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from retrust.agreements import actions as agreements
from retrust.assessments import actions as assessments
from retrust.assessments.models import MeasureResponse
from tests.browser.test_phone_journeys import (
    CHART_TEXT_PX,
    NARROW,
    PHONE,
    agreed_commitment,
    phone,
    shot,
)

TODAY = timezone.localdate()
LARGE_PHONE = {"width": 430, "height": 932}
DATE_LABEL = re.compile(r"^\d{1,2} [A-Z][a-z]{2}( \d{4})?$")

# Each chart's axis labels as drawn, with their on-screen boxes, for the checks below.
AXIS_LABELS = """(svg) => {
  const read = (selector) => [...svg.querySelectorAll(selector)].map((t) => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  });
  return {x: read(SELECTOR_X), y: read(SELECTOR_Y)};
}"""


def axis_labels(svg, x: str, y: str) -> dict:
    script = AXIS_LABELS.replace("SELECTOR_X", repr(x)).replace("SELECTOR_Y", repr(y))
    return svg.evaluate(script)


def assert_readable(tab, svg, *, x: str, y: str, y_suffix: str = "") -> list[int]:
    """The chart's text is at least 12 px; its dates are dates and its scores round numbers;
    no two labels of one axis overlap. Returns the score labels as numbers."""
    sizes = tab.page.evaluate(CHART_TEXT_PX)
    assert sizes and min(sizes) >= 11.95, f"chart text under 12 px: {sorted(sizes)[:5]}"
    labels = axis_labels(svg, x, y)
    dates = [label["text"] for label in labels["x"]]
    assert len(dates) >= 2 and all(DATE_LABEL.match(text) for text in dates), dates
    for a, b in zip(labels["x"], labels["x"][1:], strict=False):
        assert a["right"] <= b["left"], f"date labels touch: {a['text']} and {b['text']}"
    box = svg.bounding_box()
    for label in labels["x"] + labels["y"]:  # nothing cut off at the chart's edges
        assert box["x"] - 0.5 <= label["left"] and label["right"] <= box["x"] + box["width"] + 0.5
        assert box["y"] - 0.5 <= label["top"] and label["bottom"] <= box["y"] + box["height"] + 0.5
    ys = sorted(labels["y"], key=lambda label: label["top"])
    for a, b in zip(ys, ys[1:], strict=False):
        assert a["bottom"] <= b["top"] + 0.5, f"score labels touch: {a['text']} and {b['text']}"
    values = [int(label["text"].removesuffix(y_suffix)) for label in labels["y"]]
    return sorted(values)


def at_320(tab, selector: str, y_suffix: str = "") -> None:
    """The same page on the narrowest phone, and on a large one (where the phone type size
    steps down): still no sideways scroll, and readable charts."""
    for size in (NARROW, LARGE_PHONE):
        tab.page.set_viewport_size(size)
        assert tab.page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        charts = tab.page.locator(selector)
        for index in range(charts.count()):
            svg = charts.nth(index)
            if svg.bounding_box() is None:  # inside a closed <details>
                continue
            svg.scroll_into_view_if_needed()
            assert_readable(tab, svg, x="text.tick-x", y="text.tick-y", y_suffix=y_suffix)
        tab.check()


def chart_shot(svg, name: str) -> None:
    """The chart as it sits on the phone's screen, for a person to look at."""
    folder = os.environ.get("RETRUST_SHOTS", "")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        svg.screenshot(path=str(Path(folder) / name))


def weekly_history(partner, schedule, answers_by_week: list[dict]) -> None:
    """One submitted response a week, the last one today."""
    weeks = len(answers_by_week)
    for index, answers in enumerate(answers_by_week):
        made = assessments.submit_response(partner, schedule, answers).response
        ago = weeks - 1 - index
        if ago:
            when = timezone.now() - timedelta(weeks=ago)
            MeasureResponse.objects.filter(pk=made.pk).update(
                round_key=-ago, due_on=when.date(), submitted_at=when
            )


def test_check_in_charts_read_at_phone_size(open_tab, case, clinician, partner_a, partner_b):
    phq9, _ = assessments.schedule_measure(
        clinician,
        case,
        instrument_id="phq-9",
        kind="every_n_weeks",
        every_weeks=1,
        starts_on=TODAY - timedelta(weeks=12),
    )
    pulse, _ = assessments.schedule_measure(
        clinician,
        case,
        instrument_id="trust-pulse",
        kind="every_n_weeks",
        every_weeks=1,
        starts_on=TODAY - timedelta(weeks=12),
    )
    weekly_history(
        partner_a,
        phq9,
        [
            {f"phq9-{i}": 2 if i <= 12 - w and i != 9 else 0 for i in range(1, 10)}
            for w in range(10)
        ],
    )
    items = [
        "pulse-safety",
        "pulse-honesty",
        "pulse-follow-through",
        "pulse-closeness",
        "pulse-hope",
    ]
    weekly_history(partner_a, pulse, [{k: 1 + (w % 3) for k in items} for w in range(10)])
    weekly_history(partner_b, pulse, [{k: 2 + (w % 2) for k in items} for w in range(6)])

    ari = phone(open_tab, partner_a)
    ari.goto("/checkins/")
    charts = ari.page.locator("svg.trajectory")
    expect(charts).to_have_count(2)
    for index in range(2):
        svg = charts.nth(index)
        svg.scroll_into_view_if_needed()
        expect(svg.locator("title")).to_have_count(1)
        expect(svg.locator("desc")).to_have_count(1)
        values = assert_readable(ari, svg, x="text.tick-x", y="text.tick-y")
        assert values[0] == 0
        assert values[-1] in (20, 27)  # trust pulse, PHQ-9: ending at the scale's maximum
        assert all(v % 5 == 0 for v in values[:-1]), values
        grid = svg.locator("line.grid")
        assert grid.count() >= len(values) - 1
        chart_shot(svg, f"chart-checkins-{index}-phone.png")
    ari.check()
    shot(ari, "chart-checkins-phone.png")
    at_320(ari, "svg.trajectory")

    # The clinician reading the same check-ins on a phone: both partners on one date axis.
    dana = open_tab(clinician)
    dana.page.set_viewport_size(PHONE)
    dana.goto(f"/cases/{case.pk}/measures/")
    pulse_chart = dana.page.locator(
        "svg#chart-trust-pulse, svg[aria-labelledby='chart-trust-pulse-title']"
    )
    expect(pulse_chart).to_have_count(1)
    pulse_chart.scroll_into_view_if_needed()
    assert_readable(dana, pulse_chart, x="text.tick-x", y="text.tick-y")
    chart_shot(pulse_chart, "chart-measures-clinician-only-phone.png")
    expect(dana.page.get_by_role("table", name=re.compile("Trust pulse"))).to_have_count(1)
    dana.check()
    shot(dana, "chart-measures-clinician-phone.png")


def test_the_follow_through_chart_reads_at_phone_size(open_tab, case, partner_a, partner_b):
    _, commitment = agreed_commitment(
        case, partner_a, partner_b, days=90, title="Evenings", text="Phones face up."
    )
    for start in range(90, 0, -30):
        days = agreements.record_days(
            partner_a,
            commitment,
            outcomes={
                TODAY - timedelta(days=i): "missed" if i % 5 == 0 else "kept"
                for i in range(start, start - 30, -1)
            },
        )
        agreements.confirm_days(partner_b, commitment, occurrence_ids=[d.pk for d in days])

    for url in (f"/commitments/{commitment.pk}/", f"/cases/{case.pk}/ledger/"):
        bo = phone(open_tab, partner_b)
        bo.goto(url)
        svg = bo.page.locator("figure.ledger-chart svg").first
        svg.scroll_into_view_if_needed()
        values = assert_readable(bo, svg, x="text.tick-x", y="text.tick-y", y_suffix="%")
        assert values == [0, 25, 50, 75, 100]
        chart_shot(svg, "chart-follow-through-only-" + url.strip("/").replace("/", "-") + ".png")
        expect(bo.page.get_by_text("The numbers as a table").first).to_be_visible()
        bo.check()
        shot(bo, "chart-follow-through-" + url.strip("/").replace("/", "-") + ".png")
        at_320(bo, "figure.ledger-chart svg", y_suffix="%")
