"""Fewer taps: several days recorded at once, several confirmed at once, and a short reply
thread under a day seen differently that both partners write and the clinician reads."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from retrust.agreements import actions
from retrust.agreements.models import Confirmation, DisputeReply, Occurrence
from retrust.core.exceptions import ActionError
from tests.conftest import pause_case
from tests.test_query_counts import assert_constant

TODAY = timezone.localdate()


def days_back(*n: int) -> list:
    return [TODAY - timedelta(days=i) for i in n]


def record_post(outcomes: dict) -> dict[str, str]:
    return {f"day_{day.isoformat()}": outcome for day, outcome in outcomes.items()}


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_five_days_are_recorded_in_one_form_and_a_second_submit_changes_nothing(
    commitment, client_for
):
    client = client_for("partner_a")
    page = client.get(f"/commitments/{commitment.pk}/").content.decode()
    for day in days_back(0, 1, 2, 3, 4):
        assert f'name="day_{day.isoformat()}"' in page
    outcomes = dict.fromkeys(days_back(0, 1, 2, 3), "kept") | {days_back(4)[0]: "missed"}
    for _ in range(2):
        response = client.post(f"/commitments/{commitment.pk}/days/", record_post(outcomes))
        assert response.status_code == 302
    recorded = dict(Occurrence.objects.values_list("due_on", "outcome"))
    assert recorded == outcomes
    follow = text(client.get(response.url))
    assert "Recorded 5 days: 4 kept, 1 missed." in follow
    assert f'name="day_{TODAY.isoformat()}"' not in client.get(response.url).content.decode()


def test_a_blank_form_says_what_to_do_and_saves_nothing(commitment, client_for):
    response = client_for("partner_a").post(f"/commitments/{commitment.pk}/days/", {})
    assert response.status_code == 400
    assert "Choose kept or missed for at least one day." in text(response)
    assert not Occurrence.objects.exists()


def test_a_day_recorded_differently_meanwhile_saves_none_of_them(commitment, partner_a):
    actions.record_occurrence(partner_a, commitment, due_on=days_back(2)[0], outcome="missed")
    with pytest.raises(ActionError, match="already recorded as missed. Nothing was saved"):
        actions.record_days(
            partner_a, commitment, outcomes=dict.fromkeys(days_back(0, 1, 2), "kept")
        )
    assert Occurrence.objects.count() == 1


def test_a_day_the_commitment_was_not_due_refuses_the_whole_form(partner_a, case):
    weekly = actions.make_commitment(
        partner_a,
        case,
        action="Sunday walk",
        schedule="weekdays",
        weekdays=str(TODAY.weekday()),
        starts_on=TODAY - timedelta(days=14),
    )
    with pytest.raises(ActionError, match="wasn't due that day. Nothing was saved"):
        actions.record_days(
            partner_a, weekly, outcomes={TODAY: "kept", TODAY - timedelta(days=1): "kept"}
        )
    assert not Occurrence.objects.exists()


def test_a_held_partner_records_nothing_and_is_told_kindly(case, commitment, partner_a, client_for):
    pause_case(case, held_for=partner_a, shown=False)
    response = client_for("partner_a").post(
        f"/commitments/{commitment.pk}/days/", record_post({TODAY: "kept"})
    )
    assert response.status_code in (400, 409)
    assert not Occurrence.objects.exists()


# --- confirming several at once -------------------------------------------------------------


@pytest.fixture
def five_days(commitment, partner_a):
    return actions.record_days(
        partner_a, commitment, outcomes=dict.fromkeys(days_back(1, 2, 3, 4, 5), "kept")
    )


def test_the_other_partner_confirms_five_days_at_once(commitment, five_days, client_for):
    client = client_for("partner_b")
    page = client.get(f"/commitments/{commitment.pk}/").content.decode()
    assert "Confirm the ticked days" in page
    assert page.count('name="occurrences"') == 5 and page.count("checked") >= 5
    ticks = {"occurrences": [o.pk for o in five_days]}
    for _ in range(2):
        response = client.post(f"/commitments/{commitment.pk}/confirmations/", ticks)
        assert response.status_code == 302
    assert Confirmation.objects.filter(verdict="confirmed").count() == 5
    assert "Confirmed 5 days." in text(client.get(response.url))
    assert "Confirm the ticked days" not in client.get(response.url).content.decode()


def test_confirming_is_all_or_nothing(commitment, five_days, partner_b):
    actions.answer_occurrence(partner_b, five_days[0], verdict="disputed", note="Not that day")
    with pytest.raises(ActionError, match="already answered this one"):
        actions.confirm_days(partner_b, commitment, occurrence_ids=[o.pk for o in five_days])
    assert Confirmation.objects.count() == 1


def test_the_committer_cannot_confirm_their_own_days(commitment, five_days, client_for):
    response = client_for("partner_a").post(
        f"/commitments/{commitment.pk}/confirmations/", {"occurrences": [five_days[0].pk]}
    )
    assert response.status_code == 404
    assert not Confirmation.objects.exists()


def test_ticking_nothing_says_so(commitment, five_days, client_for):
    response = client_for("partner_b").post(f"/commitments/{commitment.pk}/confirmations/", {})
    assert response.status_code == 400
    assert "Tick at least one day to confirm." in text(response)


# --- a day seen differently ------------------------------------------------------------------


def test_both_partners_reply_under_a_day_seen_differently_and_the_clinician_reads_it(
    commitment, five_days, partner_b, client_for
):
    disputed = five_days[0]
    actions.answer_occurrence(partner_b, disputed, verdict="disputed", note="I waited an hour")
    a, b = client_for("partner_a"), client_for("partner_b")
    url = f"/occurrences/{disputed.pk}/replies/"
    first = a.post(url, {"body": "My phone died, sorry", "submission_key": "k1"})
    assert first.status_code == 302 and first.url.endswith(f"#day-{disputed.pk}")
    a.post(url, {"body": "My phone died, sorry", "submission_key": "k1"})  # double submit
    assert b.post(url, {"body": "Thank you for saying so"}).status_code == 302
    assert DisputeReply.objects.count() == 2
    for client in (a, b, client_for("clinician")):
        page = text(client.get(f"/commitments/{commitment.pk}/"))
        assert page.index("My phone died, sorry") < page.index("Thank you for saying so")
    clinician_page = client_for("clinician").get(f"/commitments/{commitment.pk}/")
    assert f'action="/occurrences/{disputed.pk}/replies/"' not in clinician_page.content.decode()


def test_replies_are_only_for_days_seen_differently(commitment, five_days, client_for):
    response = client_for("partner_a").post(
        f"/occurrences/{five_days[0].pk}/replies/", {"body": "Hello"}
    )
    assert response.status_code == 400
    assert "Replies are for a day one of you saw differently." in text(response)
    assert not DisputeReply.objects.exists()


def test_an_empty_reply_is_refused_with_a_message(commitment, five_days, partner_b, client_for):
    actions.answer_occurrence(partner_b, five_days[0], verdict="disputed", note="No")
    response = client_for("partner_b").post(f"/occurrences/{five_days[0].pk}/replies/", {})
    assert response.status_code == 400
    assert not DisputeReply.objects.exists()


def test_the_commitment_page_is_constant_in_replies(
    commitment, five_days, partner_a, partner_b, client_for
):
    for occurrence in five_days[:2]:
        actions.answer_occurrence(partner_b, occurrence, verdict="disputed", note="Hmm")
    actions.reply_to_dispute(partner_a, five_days[0], body="One")

    def grow() -> None:
        for i in range(10):
            actions.reply_to_dispute(partner_a, five_days[i % 2], body=f"More {i}")
            actions.reply_to_dispute(partner_b, five_days[i % 2], body=f"Back {i}")

    assert_constant(client_for("partner_b"), f"/commitments/{commitment.pk}/", grow)


# --- the plain count ------------------------------------------------------------------------


def test_partners_read_the_count_first_and_no_interval_jargon(commitment, partner_b, client_for):
    days = actions.record_days(
        commitment.author, commitment, outcomes=dict.fromkeys(days_back(*range(1, 8)), "kept")
    )
    actions.confirm_days(partner_b, commitment, occurrence_ids=[d.pk for d in days])
    page = text(client_for("partner_b").get(f"/commitments/{commitment.pk}/"))
    assert page.index("Kept 7 of the last 7 days recorded") < page.index("Careful estimate")
    assert "80%" not in page and "interval" not in page
    clinician = text(client_for("clinician").get(f"/commitments/{commitment.pk}/"))
    assert "80% interval" in clinician
