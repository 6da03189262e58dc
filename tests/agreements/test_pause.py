"""While the case is paused after a safety screen, nothing new is shared through agreements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from retrust.agreements import actions
from retrust.agreements.models import (
    Agreement,
    AgreementVersion,
    BreachReport,
    Commitment,
    Confirmation,
    Occurrence,
)
from retrust.core import pause as core_pause
from retrust.safety import actions as safety
from tests.conftest import _paused
from tests.test_safety import POSITIVE


def everything():
    return [
        sorted(model.objects.values_list("id", flat=True))
        for model in (Agreement, AgreementVersion, Commitment, Occurrence, Confirmation)
    ] + [sorted(BreachReport.objects.values_list("id", "response"))]


@pytest.fixture
def recorded(commitment, partner_a):
    return actions.record_occurrence(
        partner_a, commitment, due_on=timezone.localdate(), outcome="kept"
    )


def pause(case, partner):
    safety.submit_screen(partner, case, POSITIVE, "screen-key")
    assert _paused(case)
    core_pause.show(case)  # the clinician has acted: both partners see the neutral wording


def test_every_sharing_action_waits_during_a_pause(
    case, partner_a, partner_b, agreement, commitment, recorded
):
    report = actions.report_breach(
        partner_a, agreement, what_happened="x", happened_on=timezone.localdate()
    )
    pause(case, partner_b)
    before = everything()
    today = timezone.localdate()
    attempts = [
        lambda: actions.propose_agreement(
            partner_a, case, category="money", title="T", text="Ask first."
        ),
        lambda: actions.amend_agreement(partner_b, agreement, based_on=1, title="P", text="New."),
        lambda: actions.request_renegotiation(partner_b, agreement),
        lambda: actions.make_commitment(partner_b, case, action="Call", schedule="daily"),
        lambda: actions.record_occurrence(
            partner_a,
            commitment,
            due_on=today - timedelta(days=1),
            outcome="kept",
        ),
        lambda: actions.answer_occurrence(partner_b, recorded, verdict="confirmed"),
        lambda: actions.report_breach(partner_b, agreement, what_happened="y", happened_on=today),
        lambda: actions.respond_to_breach(partner_b, report, response="responsibility"),
    ]
    for attempt in attempts:
        with pytest.raises(core_pause.SharedWorkPaused):
            attempt()
    assert everything() == before


def test_the_pages_and_api_say_so_kindly(case, partner_a, partner_b, client_for):
    pause(case, partner_a)
    page = client_for("partner_a").post(
        f"/cases/{case.pk}/agreements/new/",
        {"category": "money", "title": "T", "text": "Ask first."},
    )
    assert page.status_code == 400
    assert core_pause.DEFAULT_SHOWN_MESSAGE in page.content.decode()
    response = client_for("partner_b").post(
        f"/api/v1/cases/{case.pk}/agreements",
        {"category": "money", "title": "T", "text": "Ask first."},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"] == core_pause.DEFAULT_SHOWN_MESSAGE
    assert not Agreement.objects.exists()
