"""The JSON API for the partner actions of issue 17 on commitments: several days recorded at
once, several confirmed at once, and the reply thread under a day seen differently. The same
actions as the pages, so the same rules: all or none, a double submit changes nothing, shared
work waits during a pause, and the query count does not grow with the history behind it."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retrust.agreements import actions
from retrust.agreements.models import Confirmation, DisputeReply, Occurrence
from retrust.core import pause as core_pause
from tests.agreements.test_query_counts import add_occurrences
from tests.conftest import pause_case
from tests.test_query_counts import assert_constant

TODAY = timezone.localdate()


def days(*ago: int, outcome: str = "kept") -> dict:
    return {
        "days": [
            {"due_on": (TODAY - timedelta(days=n)).isoformat(), "outcome": outcome} for n in ago
        ]
    }


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_the_committer_records_several_days_at_once_and_again_changes_nothing(
    commitment, client_for
):
    a = client_for("partner_a")
    url = f"/api/v1/commitments/{commitment.pk}/days"
    unrecorded = a.get(f"/api/v1/commitments/{commitment.pk}/unrecorded").json()
    assert unrecorded[:3] == [(TODAY - timedelta(days=n)).isoformat() for n in range(3)]

    first = post(a, url, days(1, 2, 3))
    assert first.status_code == 201
    body = first.json()
    assert [d["due_on"] for d in body] == [
        (TODAY - timedelta(days=n)).isoformat() for n in (3, 2, 1)
    ]
    assert {d["outcome"] for d in body} == {"kept"} and {d["verdict"] for d in body} == {None}
    again = post(a, url, days(1, 2, 3))
    assert again.status_code == 201 and again.json() == body
    assert Occurrence.objects.filter(commitment=commitment).count() == 3
    left = a.get(f"/api/v1/commitments/{commitment.pk}/unrecorded").json()
    assert (TODAY - timedelta(days=2)).isoformat() not in left


def test_a_day_recorded_differently_refuses_the_lot_and_names_the_day(commitment, client_for):
    a = client_for("partner_a")
    url = f"/api/v1/commitments/{commitment.pk}/days"
    assert post(a, url, days(2)).status_code == 201
    refused = post(
        a,
        url,
        {
            "days": [
                {"due_on": (TODAY - timedelta(days=1)).isoformat(), "outcome": "kept"},
                {"due_on": (TODAY - timedelta(days=2)).isoformat(), "outcome": "missed"},
            ]
        },
    )
    assert refused.status_code == 400
    detail = refused.json()["detail"][0]
    assert detail["loc"] == ["body", "days"]
    day = TODAY - timedelta(days=2)
    assert f"{day:%a} {day.day} {day:%b}" in detail["msg"] and "Nothing was saved" in detail["msg"]
    assert Occurrence.objects.filter(commitment=commitment).count() == 1
    twice = post(a, url, {"days": days(1)["days"] * 2})
    assert twice.status_code == 400 and "once" in twice.json()["detail"][0]["msg"]
    future = post(
        a, url, {"days": [{"due_on": (TODAY + timedelta(days=3)).isoformat(), "outcome": "kept"}]}
    )
    assert future.status_code == 400
    assert post(a, url, {"days": []}).status_code == 422
    assert Occurrence.objects.filter(commitment=commitment).count() == 1


def test_the_other_partner_confirms_several_days_at_once_all_or_none(
    commitment, partner_a, partner_b, client_for, case
):
    recorded = actions.record_days(
        partner_a, commitment, outcomes={TODAY - timedelta(days=n): "kept" for n in (1, 2, 3)}
    )
    b = client_for("partner_b")
    url = f"/api/v1/commitments/{commitment.pk}/confirmations"
    ids = [o.pk for o in recorded]
    first = post(b, url, {"occurrences": ids})
    assert first.status_code == 200
    assert [d["verdict"] for d in first.json()] == ["confirmed"] * 3
    again = post(b, url, {"occurrences": ids})
    assert again.status_code == 200 and again.json() == first.json()
    assert Confirmation.objects.filter(occurrence__commitment=commitment).count() == 3

    # A day of another commitment among the ticks: nothing is confirmed.
    other = actions.make_commitment(
        partner_a,
        case,
        action="Call at lunch",
        schedule="daily",
        starts_on=TODAY - timedelta(days=5),
    )
    stray = actions.record_occurrence(partner_a, other, due_on=TODAY, outcome="kept")
    fresh = actions.record_occurrence(partner_a, commitment, due_on=TODAY, outcome="kept")
    refused = post(b, url, {"occurrences": [fresh.pk, stray.pk]})
    assert refused.status_code == 400
    assert not Confirmation.objects.filter(occurrence__in=[fresh, stray]).exists()
    # The committer cannot confirm their own days: the route is not theirs.
    assert post(client_for("partner_a"), url, {"occurrences": [fresh.pk]}).status_code == 404


def test_a_reply_thread_under_a_day_seen_differently(commitment, partner_a, partner_b, client_for):
    day = actions.record_occurrence(partner_a, commitment, due_on=TODAY, outcome="kept")
    actions.answer_occurrence(partner_b, day, verdict="disputed", note="No text that night")
    a, b = client_for("partner_a"), client_for("partner_b")
    url = f"/api/v1/occurrences/{day.pk}/replies"
    sent = post(a, url, {"body": "My phone was flat, sorry.", "submission_key": "k-1"})
    assert sent.status_code == 201 and sent.json()["mine"] is True
    assert post(a, url, {"body": "My phone was flat, sorry.", "submission_key": "k-1"}).json() == (
        sent.json()
    )
    assert (
        post(b, url, {"body": "Thank you for saying.", "submission_key": "k-2"}).status_code == 201
    )
    assert DisputeReply.objects.filter(occurrence=day).count() == 2
    for client, mine in ((a, [True, False]), (b, [False, True])):
        thread = client.get(url).json()
        assert [r["body"] for r in thread] == ["My phone was flat, sorry.", "Thank you for saying."]
        assert [r["mine"] for r in thread] == mine
    listed = b.get(f"/api/v1/commitments/{commitment.pk}/occurrences").json()
    assert [r["author"] for r in listed[0]["replies"]] == ["Ari", "Bo"]
    # A day nobody saw differently has no thread to reply in.
    plain = actions.record_occurrence(
        partner_a, commitment, due_on=TODAY - timedelta(days=1), outcome="kept"
    )
    refused = post(a, f"/api/v1/occurrences/{plain.pk}/replies", {"body": "Hello"})
    assert refused.status_code == 400 and refused.json()["detail"][0]["loc"] == ["body", "body"]


def test_during_a_pause_the_new_routes_wait_and_save_nothing(
    case, commitment, partner_a, partner_b, client_for
):
    day = actions.record_occurrence(partner_a, commitment, due_on=TODAY, outcome="kept")
    yesterday = actions.record_occurrence(
        partner_a, commitment, due_on=TODAY - timedelta(days=1), outcome="kept"
    )
    actions.answer_occurrence(partner_b, day, verdict="disputed", note="Not so")
    before = (
        sorted(Occurrence.objects.values_list("id", "outcome")),
        sorted(Confirmation.objects.values_list("id", "verdict")),
        DisputeReply.objects.count(),
    )
    pause_case(case)  # shown: both partners are held
    a, b = client_for("partner_a"), client_for("partner_b")
    answers = [
        post(a, f"/api/v1/commitments/{commitment.pk}/days", days(2, 3)),
        post(
            b, f"/api/v1/commitments/{commitment.pk}/confirmations", {"occurrences": [yesterday.pk]}
        ),
        post(a, f"/api/v1/occurrences/{day.pk}/replies", {"body": "Can we talk?"}),
        post(b, f"/api/v1/occurrences/{day.pk}/replies", {"body": "Later."}),
    ]
    for response in answers:
        assert response.status_code == 409
        assert response.json()["detail"][0]["msg"] == core_pause.DEFAULT_SHOWN_MESSAGE
    after = (
        sorted(Occurrence.objects.values_list("id", "outcome")),
        sorted(Confirmation.objects.values_list("id", "verdict")),
        DisputeReply.objects.count(),
    )
    assert after == before


def _disputed_with_replies(commitment, partner_a, partner_b, start: int, n: int) -> None:
    for i in range(n):
        day = actions.record_occurrence(
            partner_a, commitment, due_on=TODAY - timedelta(days=start + i), outcome="kept"
        )
        actions.answer_occurrence(partner_b, day, verdict="disputed", note=f"n{i}")
        actions.reply_to_dispute(partner_a, day, body=f"reply {i}")
        actions.reply_to_dispute(partner_b, day, body=f"answer {i}")


def test_the_thread_routes_read_in_constant_queries(
    case, commitment, partner_a, partner_b, client_for
):
    _disputed_with_replies(commitment, partner_a, partner_b, 0, 2)
    first = Occurrence.objects.filter(commitment=commitment).order_by("due_on").first()
    start = iter(range(2, 30, 3))  # the commitment began 30 days ago

    def grow() -> None:
        _disputed_with_replies(commitment, partner_a, partner_b, next(start), 3)
        actions.reply_to_dispute(partner_b, first, body="one more")

    routes = {
        "partner_a": ["occurrences", "replies", "unrecorded"],
        "partner_b": ["occurrences", "replies"],
        "clinician": ["occurrences", "replies"],
    }
    for persona, names in routes.items():
        client = client_for(persona)
        for name in names:
            url = {
                "occurrences": f"/api/v1/commitments/{commitment.pk}/occurrences",
                "replies": f"/api/v1/occurrences/{first.pk}/replies",
                "unrecorded": f"/api/v1/commitments/{commitment.pk}/unrecorded",
            }[name]
            assert_constant(client, url, grow)
    assert DisputeReply.objects.filter(occurrence=first).count() == 2 + 7


def _queries_to_post(client, url, data) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = post(client, url, data)
    assert response.status_code in (200, 201), response.content
    return len(captured.captured_queries)


def test_recording_and_confirming_days_cost_the_same_with_a_long_history(
    commitment, partner_a, partner_b, client_for
):
    a, b = client_for("partner_a"), client_for("partner_b")
    record = f"/api/v1/commitments/{commitment.pk}/days"
    confirm = f"/api/v1/commitments/{commitment.pk}/confirmations"
    counts = []
    for history, ago in ((0, (1, 2)), (1500, (3, 4))):
        if history:
            add_occurrences(commitment, partner_b, 40, history)
        counts.append(_queries_to_post(a, record, days(*ago)))
        ids = list(
            Occurrence.objects.filter(
                commitment=commitment, due_on__in=[TODAY - timedelta(days=n) for n in ago]
            ).values_list("pk", flat=True)
        )
        counts.append(_queries_to_post(b, confirm, {"occurrences": ids}))
    assert counts[:2] == counts[2:], counts
