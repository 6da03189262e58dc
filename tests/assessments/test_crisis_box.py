"""The crisis box sits at the top of a check-in only where the instrument asks about self-harm
(an item with a safety alert, PHQ-9 item 9); every page keeps the crisis link in its footer.
A check-in sent with questions left open flags every one of them at once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from retrust.assessments import actions, registry

BOX = "If you are struggling right now"


@pytest.fixture
def schedules(case, clinician, partner_a):
    found = {}
    for instrument in ("phq-9", "gad-7", "trust-pulse"):
        found[instrument], _ = actions.schedule_measure(
            clinician,
            case,
            instrument_id=instrument,
            kind="every_n_weeks",
            every_weeks=2,
            starts_on=timezone.localdate(),
        )
    return found


def test_only_the_form_that_asks_about_self_harm_opens_with_the_crisis_box(schedules, client_for):
    client = client_for("partner_a")
    for instrument, schedule in schedules.items():
        page = client.get(f"/checkins/{schedule.pk}/").content.decode()
        assert (BOX in page) == registry.get(instrument).asks_about_self_harm, instrument
        assert "Crisis resources" in page  # the footer link, on every form
    assert registry.get("phq-9").asks_about_self_harm
    assert not registry.get("trust-pulse").asks_about_self_harm


def test_every_unanswered_question_is_flagged_at_once(schedules, client_for):
    schedule = schedules["trust-pulse"]
    response = client_for("partner_a").post(
        f"/checkins/{schedule.pk}/", {"submission_key": "k", "action": "submit"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Questions 1, 2, 3, 4 and 5 have no answer yet." in page
    assert page.count("Choose an answer here.") == 5
    assert page.count("field-error") == 5
