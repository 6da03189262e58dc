"""While the case is paused after a safety screen, nothing new is shared through agreements.

Until the clinician has acted, only the partner whose answer paused the case is held: their
forms give way to a kind message, while the other partner's pages do not change at all (the
timing of a disclosure must not be readable from them).
"""

from __future__ import annotations

import re
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
    assert page.status_code == 409
    assert core_pause.DEFAULT_SHOWN_MESSAGE in page.content.decode()
    response = client_for("partner_b").post(
        f"/api/v1/cases/{case.pk}/agreements",
        {"category": "money", "title": "T", "text": "Ask first."},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"] == core_pause.DEFAULT_SHOWN_MESSAGE
    assert not Agreement.objects.exists()


def test_the_held_partner_sees_the_message_and_the_shown_pause_holds_both_pages(
    case, partner_a, partner_b, agreement, commitment, client_for
):
    pause(case, partner_a)
    for persona in ("partner_a", "partner_b"):
        client = client_for(persona)
        for url in (f"/cases/{case.pk}/agreements/", f"/commitments/{commitment.pk}/"):
            text = client.get(url).content.decode()
            assert core_pause.DEFAULT_SHOWN_MESSAGE in text
            assert "Propose an agreement" not in text and "Record how it went" not in text
    # Stopping one's own commitment shares nothing new: it stays possible.
    stop_page = client_for("partner_a").get(f"/commitments/{commitment.pk}/").content.decode()
    assert "Yes, stop this commitment" in stop_page


# --- before the clinician has acted: only the disclosing partner is held -------------------

VOLATILE = re.compile(r'value="[0-9a-f]{32}"|name="csrfmiddlewaretoken" value="[^"]+"')


def page_as(client, url):
    """The page as its reader sees it, without the values that change on every request."""
    response = client.get(url)
    assert response.status_code == 200, url
    return VOLATILE.sub("", response.content.decode())


@pytest.fixture
def shared_work(case, partner_a, partner_b, agreement, commitment):
    """Something waiting on each partner: a proposal for B to answer, a day for each to confirm."""
    proposal = actions.propose_agreement(
        partner_a, case, category="money", title="Spending", text="Ask before big purchases."
    )
    mine = actions.make_commitment(partner_b, case, action="Say goodnight", schedule="daily")
    today = timezone.localdate()
    actions.record_occurrence(partner_a, commitment, due_on=today, outcome="kept")
    actions.record_occurrence(partner_b, mine, due_on=today, outcome="kept")
    return {"proposal": proposal, "a_commitment": commitment, "b_commitment": mine}


def test_before_the_clinician_acts_the_other_partner_sees_no_change_and_can_propose(
    case, partner_a, partner_b, shared_work, client_for
):
    a = client_for("partner_a")
    urls = [
        f"/cases/{case.pk}/agreements/",
        f"/agreements/{shared_work['proposal'].pk}/",
        f"/commitments/{shared_work['a_commitment'].pk}/",
        f"/commitments/{shared_work['b_commitment'].pk}/",
        f"/cases/{case.pk}/ledger/",
    ]
    before = [page_as(a, url) for url in urls]
    safety.submit_screen(partner_b, case, POSITIVE, "screen-key")
    assert _paused(case) and case.pause_shown_at is None

    assert [page_as(a, url) for url in urls] == before
    assert "Propose an agreement" in before[0] and "Record these days" in before[2]
    assert "Confirm" in before[3]
    for text in before:
        assert core_pause.HELD_MESSAGE not in text
        assert core_pause.DEFAULT_SHOWN_MESSAGE not in text

    proposed = a.post(
        f"/cases/{case.pk}/agreements/new/",
        {"category": "communication", "title": "Check-ins", "text": "A short daily check-in."},
    )
    assert proposed.status_code == 302
    assert Agreement.objects.filter(versions__title="Check-ins").exists()
    api = a.post(
        f"/api/v1/cases/{case.pk}/commitments",
        {"action": "Call at lunch", "schedule": "daily"},
        content_type="application/json",
    )
    assert api.status_code == 201


def test_before_the_clinician_acts_the_held_partner_sees_the_kind_message_instead_of_forms(
    case, partner_a, partner_b, shared_work, client_for
):
    safety.submit_screen(partner_b, case, POSITIVE, "screen-key")
    b = client_for("partner_b")
    pages = {
        "case": page_as(b, f"/cases/{case.pk}/agreements/"),
        "proposal": page_as(b, f"/agreements/{shared_work['proposal'].pk}/"),
        "theirs": page_as(b, f"/commitments/{shared_work['a_commitment'].pk}/"),
        "mine": page_as(b, f"/commitments/{shared_work['b_commitment'].pk}/"),
    }
    for text in pages.values():
        assert core_pause.HELD_MESSAGE in text
        assert core_pause.DEFAULT_SHOWN_MESSAGE not in text
    assert "Propose an agreement" not in pages["case"] and "Add a commitment" not in pages["case"]
    assert "Accept version 1" not in pages["proposal"]
    assert "Propose a changed version" not in pages["proposal"]
    assert 'value="confirmed"' not in pages["theirs"]
    assert "Record how it went" not in pages["mine"]
    assert "Yes, stop this commitment" in pages["mine"]  # not shared work: still possible

    before = everything()
    refused = b.post(
        f"/cases/{case.pk}/agreements/new/",
        {"category": "money", "title": "T", "text": "Ask first."},
    )
    assert refused.status_code == 409
    assert core_pause.HELD_MESSAGE in refused.content.decode()
    api = b.post(
        f"/api/v1/agreements/{shared_work['proposal'].pk}/accept",
        {"version": 1},
        content_type="application/json",
    )
    assert api.status_code == 409
    assert api.json()["detail"][0]["msg"] == core_pause.HELD_MESSAGE
    assert everything() == before
