"""One way to number stages: the data counts from 0, every page (a partner's or a clinician's)
from 1, through the same function. Stage 2 reads "Stage 3 of 6 — setting boundaries" on the
partner's home and program and on the clinician's caseload, case and program pages."""

from __future__ import annotations

import re

import pytest
from django.utils.html import strip_tags

from retrust.program import journey
from tests.conftest import signed_in_client


def _text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


@pytest.mark.parametrize("stage", [0, 2, 5])
def test_partner_and_clinician_pages_give_the_same_stage_number(
    case, partner_a, partner_b, clinician, stage
):
    case.stage = stage
    case.save(update_fields=["stage"])
    expected = f"Stage {stage + 1} of 6 — {journey.EVERYDAY_NAMES[stage]}"
    partner = signed_in_client(partner_a)
    staff = signed_in_client(clinician)
    pages = {
        "partner home": _text(partner.get("/home/")),
        "partner program": _text(partner.get(f"/program/{case.pk}/")),
        "caseload": _text(staff.get("/caseload/")),
        "clinician case page": _text(staff.get(f"/cases/{case.pk}/")),
        "clinician program": _text(staff.get(f"/cases/{case.pk}/program/")),
    }
    for name, text in pages.items():
        assert expected in text, f"{name} does not say {expected!r}"
        # Where the case is, said any other way ("Stage N of 6 — …"), would contradict it;
        # exercises carry their own stage ("Stage 2 of 6 · …") in the assign list.
        others = set(re.findall(r"Stage \d of \d —", text)) - {f"Stage {stage + 1} of 6 —"}
        assert not others, f"{name} also names {others}"
    # The clinician's pages no longer show the stored number on its own.
    case_page = staff.get(f"/cases/{case.pk}/").content.decode()
    assert f"<dd>{stage}</dd>" not in case_page


def test_discernment_reads_finding_clarity_for_everyone(case, partner_a, clinician):
    case.track, case.stage = "discernment", 0
    case.save(update_fields=["track", "stage"])
    assert "Finding clarity" in _text(signed_in_client(partner_a).get(f"/program/{case.pk}/"))
    staff = signed_in_client(clinician)
    for url in ("/caseload/", f"/cases/{case.pk}/", f"/cases/{case.pk}/program/"):
        text = _text(staff.get(url))
        assert "Finding clarity" in text and "Stage 1 of 6 —" not in text, url


def test_a_proposed_move_is_numbered_the_same_for_partner_and_clinician(
    case, partner_a, partner_b, clinician
):
    from retrust.program import actions

    case.stage = 1
    case.save(update_fields=["stage"])
    actions.propose_advance(clinician, case, goals_review="Steady progress")
    partner = _text(signed_in_client(partner_a).get(f"/program/{case.pk}/"))
    staff = _text(signed_in_client(clinician).get(f"/cases/{case.pk}/program/"))
    assert "moving on to stage 3 of 6" in partner
    assert "move to stage 3 of 6" in staff


def test_the_exercise_library_counts_stages_from_one(clinician):
    text = _text(signed_in_client(clinician).get("/exercises/"))
    assert "Stage 1 of 6 · Understanding and goals" in text
    assert "Stage 6 of 6 · Maintain and grow" in text
    assert "Stage 0" not in text
