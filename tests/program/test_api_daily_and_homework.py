"""The JSON API for the daily question and for "your partner has sent theirs" (issue 17).

The same read builder and action as the partner's card: the other partner's answer is withheld
until both have answered that day, sending the same words twice changes nothing, a held partner
cannot answer, and the route reads in constant queries whatever the history."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from retrust.core import pause as core_pause
from retrust.core.models import AuditEvent
from retrust.program import actions, queries
from retrust.program.models import DailyAnswer
from tests.conftest import lift_case, pause_case
from tests.program.test_program_access import fill
from tests.test_query_counts import assert_constant

TODAY = timezone.localdate()
ARI_WORDS = "Ari-daily-marker: the way you hum when you cook"
BO_WORDS = "Bo-daily-marker: our walk by the river"


def url(case) -> str:
    return f"/api/v1/program/cases/{case.pk}/daily"


def send(client, case, body: str, prompt_id: str | None = None):
    prompt_id = prompt_id or queries.daily_prompt(case, None, TODAY).id
    return client.post(
        url(case), {"prompt_id": prompt_id, "body": body}, content_type="application/json"
    )


def answer(user, case, body: str, day: date) -> None:
    prompt = queries.daily_prompt(case, None, day)
    actions.answer_daily_question(user, case, body=body, prompt_id=prompt.id, today=day)


def test_answers_are_revealed_together_through_the_api(case, partner_a, partner_b, client_for):
    a, b = client_for("partner_a"), client_for("partner_b")
    fresh = a.get(url(case)).json()
    assert fresh["prompt"] == queries.daily_prompt(case, None, TODAY).text
    assert fresh["mine"] is None and fresh["theirs"] is None
    assert fresh["other_answered"] is False and fresh["revealed"] is False

    sent = send(a, case, ARI_WORDS)
    assert sent.status_code == 200
    assert sent.json()["mine"]["body"] == ARI_WORDS and sent.json()["theirs"] is None

    # Bo learns that Ari answered, never what, until Bo answers too.
    waiting = b.get(url(case))
    assert waiting.json()["other_answered"] is True and waiting.json()["theirs"] is None
    assert ARI_WORDS not in waiting.content.decode()
    assert ARI_WORDS not in b.get(f"/api/v1/program/cases/{case.pk}").content.decode()

    both = send(b, case, BO_WORDS).json()
    assert both["revealed"] is True
    assert both["mine"]["body"] == BO_WORDS and both["theirs"]["body"] == ARI_WORDS
    assert both["theirs"] == {**both["theirs"], "author": "Ari", "mine": False}
    seen_by_ari = a.get(url(case)).json()
    assert seen_by_ari["theirs"]["body"] == BO_WORDS and seen_by_ari["revealed"] is True
    assert seen_by_ari["streak"] == {
        "run": 1,
        "shared": 1,
        "summary": "You've shared answers once so far",
    }


def test_sending_the_same_words_twice_changes_nothing(case, partner_a, client_for):
    a = client_for("partner_a")
    first = send(a, case, ARI_WORDS)
    events = AuditEvent.objects.count()
    again = send(a, case, ARI_WORDS)
    assert again.status_code == 200 and again.json() == first.json()
    assert DailyAnswer.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.count() == events


def test_yesterdays_question_and_bad_words_are_refused_plainly(case, partner_a, client_for):
    a = client_for("partner_a")
    stale = send(a, case, ARI_WORDS, prompt_id="not-today")
    assert stale.status_code == 409
    assert "new day's question" in stale.json()["detail"][0]["msg"]
    assert send(a, case, "").status_code == 422
    assert send(a, case, "x" * 501).status_code == 422
    blank = send(a, case, "   ")
    assert blank.status_code == 400 and blank.json()["detail"][0]["loc"] == ["body", "body"]
    assert not DailyAnswer.objects.exists()


def test_after_the_other_has_answered_an_answer_stays_as_read(
    case, partner_a, partner_b, client_for
):
    a, b = client_for("partner_a"), client_for("partner_b")
    send(a, case, "First words")
    assert send(a, case, ARI_WORDS).json()["mine"]["body"] == ARI_WORDS  # changed, unread
    send(b, case, BO_WORDS)
    refused = send(a, case, "Something else now")
    assert refused.status_code == 400
    assert DailyAnswer.objects.get(author=partner_a).body == ARI_WORDS


def test_a_held_partner_cannot_answer_and_the_other_sees_no_change(
    case, partner_a, partner_b, client_for
):
    pause_case(case, held_for=partner_a, shown=False)
    a, b = client_for("partner_a"), client_for("partner_b")
    refused = send(a, case, ARI_WORDS)
    assert refused.status_code == 409
    assert refused.json()["detail"][0]["msg"] == core_pause.HELD_MESSAGE
    held = a.get(url(case)).json()
    assert held["held"] is True and held["held_message"] == core_pause.HELD_MESSAGE
    other = b.get(url(case)).json()
    assert other["held"] is False and other["held_message"] == ""
    assert other["other_answered"] is False
    assert not DailyAnswer.objects.exists()


def test_the_daily_route_is_constant_in_history(case, partner_a, partner_b, client_for):
    answer(partner_a, case, "One", TODAY - timedelta(days=1))

    def grow() -> None:
        for i in range(2, 40):
            day = TODAY - timedelta(days=i)
            answer(partner_a, case, f"A{i}", day)
            answer(partner_b, case, f"B{i}", day)
        answer(partner_a, case, "Today", TODAY)

    assert_constant(client_for("partner_b"), url(case), grow)


# --- homework: "your partner has sent theirs" -----------------------------------------------


def sent_flags(client, case) -> dict[int, bool | None]:
    body = client.get(f"/api/v1/program/cases/{case.pk}").json()
    return {a["id"]: a["other_partner_sent"] for a in body["assignments"]}


def test_the_program_says_whether_the_other_partner_has_sent_never_what(
    case, partner_a, partner_b, clinician, client_for
):
    homework = actions.assign_homework(
        clinician, case, exercise_id="what-trust-looks-like", due_on=TODAY + timedelta(days=3)
    )
    secret = "Homework-marker: what I wrote alone"
    actions.submit_response(
        partner_a, homework, answers=fill(homework.exercise_id, secret), visibility="couple"
    )
    assert sent_flags(client_for("partner_b"), case) == {homework.pk: True}
    assert sent_flags(client_for("partner_a"), case) == {homework.pk: False}
    assert sent_flags(client_for("clinician"), case) == {homework.pk: None}
    assert (
        secret
        not in client_for("partner_b").get(f"/api/v1/program/cases/{case.pk}").content.decode()
    )


def test_what_a_held_partner_sends_does_not_show_as_sent(
    case, partner_a, partner_b, clinician, client_for
):
    homework = actions.assign_homework(
        clinician, case, exercise_id="appreciation-practice", due_on=TODAY + timedelta(days=3)
    )
    record = pause_case(case, held_for=partner_a, shown=False)
    actions.submit_response(
        partner_a, homework, answers=fill(homework.exercise_id, "Kept"), visibility="clinician"
    )
    assert sent_flags(client_for("partner_b"), case) == {homework.pk: False}
    lift_case(record)
    assert sent_flags(client_for("partner_b"), case) == {homework.pk: True}


def test_the_program_route_is_constant_in_assignments(
    case, partner_a, partner_b, clinician, client_for
):
    def give(n: int) -> None:
        for _ in range(n):
            homework = actions.assign_homework(
                clinician,
                case,
                exercise_id="appreciation-practice",
                due_on=TODAY + timedelta(days=3),
            )
            actions.submit_response(
                partner_a, homework, answers=fill(homework.exercise_id, "x"), visibility="couple"
            )

    give(1)
    assert_constant(client_for("partner_b"), f"/api/v1/program/cases/{case.pk}", lambda: give(6))
