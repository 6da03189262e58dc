"""Homework revealed together, and milestones: what each partner hears, and what they never do.

"Your partner has answered" reaches the partner who has not, exactly when their homework page
or their daily question's card says so; the news of a reveal and of a milestone reaches both
partners only when both see it in the app.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from retrust.agreements.models import Commitment, Confirmation, Occurrence
from retrust.core.models import Case
from retrust.notifications import kinds
from retrust.notifications.models import Notification, Status, SwitchedOff
from retrust.notifications.tick import run_tick
from retrust.program.models import Assignment, DailyAnswer, ExerciseResponse, StageProposal
from tests.conftest import pause_case
from tests.support.mail import body_of, run_queued_tasks


def rows(kind: str) -> set[tuple[str, str]]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", "occasion"))


def together(case: Case, *, due_on: date, reveal: bool = True, title: str = "Two lists") -> Any:
    return Assignment.objects.create(
        case=case,
        exercise_id=f"ex-{title}",
        title=title,
        reveal_together=reveal,
        maximum_visibility="couple",
        due_on=due_on,
    )


def send(assignment: Assignment, author: Any, *, at: Any = None, visibility: str = "couple") -> Any:
    """Answers sent the way the program's action leaves them (reveal once both have sent)."""
    at = at or timezone.now()
    response = ExerciseResponse.objects.create(
        case=assignment.case,
        author=author,
        assignment=assignment,
        visibility=visibility,
        submitted_at=at,
        created_at=at,
    )
    sent = ExerciseResponse.objects.filter(assignment=assignment, submitted_at__isnull=False)
    if assignment.reveal_together and sent.count() >= 2 and assignment.revealed_at is None:
        assignment.revealed_at = at
        assignment.save(update_fields=["revealed_at"])
    return response


def carried(case: Case, from_stage: int, decided_at: Any) -> StageProposal:
    """A move to the next stage that both partners confirmed."""
    return StageProposal.objects.create(
        case=case,
        track="conjoint",
        from_stage=from_stage,
        to_stage=from_stage + 1,
        goals_review="-",
        state="carried",
        decided_at=decided_at,
    )


def shared_commitment(case: Case, author: Any) -> Commitment:
    return Commitment.objects.create(
        case=case,
        author=author,
        visibility="couple",
        action="Text when I am late",
        schedule="daily",
        starts_on=timezone.localdate() - timedelta(days=10),
    )


# --- homework revealed together -------------------------------------------------------------


def answered(kind: str = "partner_answered") -> set[tuple[str, int, str]]:
    return set(
        Notification.objects.filter(kind=kind).values_list(
            "recipient__email", "subject_id", "occasion"
        )
    )


def test_only_the_partner_who_has_not_answered_hears_and_only_once_the_other_has(
    partner_a, partner_b, case
):
    assignment = together(case, due_on=timezone.localdate() + timedelta(days=3))
    nobody_yet = together(case, due_on=timezone.localdate() + timedelta(days=3), title="Two")
    run_tick()
    assert answered() == set()  # nobody has answered: nothing to anyone
    send(assignment, partner_a)
    run_tick()
    run_tick()
    assert answered() == {(partner_b.email, assignment.pk, "")}
    assert Notification.objects.filter(kind=kinds.PARTNER_ANSWERED.key).count() == 1
    assert nobody_yet.pk not in {subject for _, subject, _ in answered()}


def test_once_both_have_answered_nobody_hears_that_their_partner_has(partner_a, partner_b, case):
    assignment = together(case, due_on=timezone.localdate() + timedelta(days=3))
    send(assignment, partner_a, at=timezone.now() - timedelta(hours=1))
    send(assignment, partner_b)
    run_tick()
    assert answered() == set()


def test_homework_not_revealed_together_or_long_past_its_date_sets_off_nothing(
    partner_a, partner_b, case
):
    today = timezone.localdate()
    apart = together(case, due_on=today + timedelta(days=3), reveal=False, title="Apart")
    old = together(case, due_on=today - timedelta(days=30), title="Old")
    send(apart, partner_a)
    send(old, partner_a)
    run_tick()
    assert answered() == set()


def test_the_answer_of_a_partner_held_by_a_pause_tells_the_other_nothing_until_it_ends(
    partner_a, partner_b, case, clinician
):
    """A draft begun before the pause and sent during it: Bo's page does not say Ari sent it,
    so no message says so either; once the pause ends, both do."""

    from retrust.core import pause
    from retrust.program import actions

    assignment = actions.assign_homework(
        clinician,
        case,
        exercise_id="rituals-of-connection",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    assert assignment.reveal_together
    draft_at = timezone.now() - timedelta(days=1)
    response = ExerciseResponse.objects.create(
        case=case,
        author=partner_a,
        assignment=assignment,
        visibility="clinician",
        created_at=draft_at,
    )
    pause_case(case, held_for=partner_a, shown=False)
    ExerciseResponse.objects.filter(pk=response.pk).update(submitted_at=timezone.now())
    run_tick()
    assert answered() == set()
    bo = Client()
    bo.force_login(partner_b)
    page = html.unescape(bo.get(f"/homework/{assignment.pk}/").content.decode())
    assert "Ari hasn't sent theirs yet." in page
    pause.end(case)
    run_tick()
    assert answered() == {(partner_b.email, assignment.pk, "")}
    page = html.unescape(bo.get(f"/homework/{assignment.pk}/").content.decode())
    assert "Ari has sent theirs." in page


@pytest.mark.parametrize("shown", [False, True])
def test_a_partner_held_by_a_pause_is_not_chased(partner_a, partner_b, case, shown):
    """Ari answered before the pause; while Bo is held (or, once the clinician has acted, both
    are), nothing chases Bo for couple work."""
    assignment = together(case, due_on=timezone.localdate() + timedelta(days=3))
    send(assignment, partner_a, at=timezone.now() - timedelta(hours=2))
    pause_case(case, held_for=partner_b, shown=shown)
    run_tick()
    assert answered() == set()


def test_while_only_the_other_partner_is_held_the_one_not_held_sees_no_change(
    partner_a, partner_b, case
):
    """Until the clinician acts, Bo must notice nothing of Ari's pause: what Ari sent before it
    still reaches Bo's page, and the message about it too."""
    assignment = together(case, due_on=timezone.localdate() + timedelta(days=3))
    send(assignment, partner_a, at=timezone.now() - timedelta(hours=2))
    pause_case(case, held_for=partner_a, shown=False)
    run_tick()
    assert answered() == {(partner_b.email, assignment.pk, "")}


def test_nobody_hears_that_their_partner_answered_in_a_closed_case(partner_a, partner_b, case):
    assignment = together(case, due_on=timezone.localdate() + timedelta(days=3))
    send(assignment, partner_a)
    Case.objects.filter(pk=case.pk).update(status="closed")
    run_tick()
    assert answered() == set()


def test_the_message_that_a_partner_answered_arrives_content_free_and_only_to_them(
    smtp_server, partner_a, partner_b, case, practice
):
    from tests.notifications.test_delivery import assert_says_nothing_of

    # Past its date, so the homework's own reminders are over: this message is the only one.
    assignment = together(case, due_on=timezone.localdate() - timedelta(days=1))
    send(assignment, partner_a)
    run_tick()
    run_queued_tasks()
    [message] = smtp_server.wait_for(1)
    assert smtp_server.recipients() == [partner_b.email]
    assert message["Subject"] == "You have a new update"
    assert_says_nothing_of(message, partner_a.name, partner_b.name, "Two lists", "answered")
    assert "There is something new waiting for you." in body_of(message)
    assert "https://retrust.example/accounts/login/" in body_of(message)
    to_bo = Notification.objects.filter(recipient=partner_b)
    assert list(to_bo.values_list("kind", "status")) == [(kinds.PARTNER_ANSWERED.key, Status.SENT)]


def test_a_partner_who_switched_it_off_is_not_emailed(smtp_server, partner_a, partner_b, case):
    SwitchedOff.objects.create(user=partner_b, kind=kinds.PARTNER_ANSWERED.key)
    # Past its date, so the homework's own reminders are over: this message is the only one.
    assignment = together(case, due_on=timezone.localdate() - timedelta(days=1))
    send(assignment, partner_a)
    run_tick()
    run_queued_tasks()
    row = Notification.objects.get(kind=kinds.PARTNER_ANSWERED.key)
    assert (row.status, row.suppressed_reason) == (Status.SUPPRESSED, "switched_off")
    assert smtp_server.messages == []


def test_waiting_for_you_says_the_partner_has_answered_as_the_homework_page_does(
    partner_a, partner_b, case
):
    from retrust.notifications.waiting import waiting_for

    assignment = together(case, due_on=timezone.localdate() + timedelta(days=3))
    apart = together(case, due_on=timezone.localdate() + timedelta(days=3), reveal=False, title="B")
    before = {item.url: item.note for item in waiting_for([partner_b.pk])[partner_b.pk]}
    assert not any("answered" in note for note in before.values())
    send(assignment, partner_a)
    send(apart, partner_a)
    notes = {item.url: item.note for item in waiting_for([partner_b.pk])[partner_b.pk]}
    assert notes[f"/homework/{assignment.pk}/"].startswith("Your partner has answered")
    assert "answered" not in notes[f"/homework/{apart.pk}/"]
    assert not any("answered" in item.note for item in waiting_for([partner_a.pk])[partner_a.pk])


def test_the_partner_who_answered_first_hears_of_the_reveal_and_the_last_does_not(
    partner_a, partner_b, case
):
    assignment = together(case, due_on=timezone.localdate() + timedelta(days=3))
    send(assignment, partner_a, at=timezone.now() - timedelta(hours=3))
    run_tick()
    assert rows(kinds.ANSWERS_REVEALED.key) == set()  # no reveal yet: nothing to anyone
    send(assignment, partner_b)
    run_tick()
    run_tick()
    assert rows(kinds.ANSWERS_REVEALED.key) == {(partner_a.email, "revealed")}


def test_answers_kept_private_reveal_nothing_to_read_so_nobody_is_told(partner_a, partner_b, case):
    assignment = together(case, due_on=timezone.localdate() + timedelta(days=3))
    send(assignment, partner_a, at=timezone.now() - timedelta(hours=3))
    send(assignment, partner_b, visibility="private")
    run_tick()
    assert rows(kinds.ANSWERS_REVEALED.key) == set()


def test_a_partner_held_by_a_pause_reveals_nothing_to_the_other(partner_a, partner_b, case):
    assignment = together(case, due_on=timezone.localdate() + timedelta(days=3))
    send(assignment, partner_a, at=timezone.now() - timedelta(hours=3))
    pause_case(case, held_for=partner_b, shown=False)
    send(assignment, partner_b)
    run_tick()
    assert rows(kinds.ANSWERS_REVEALED.key) == set()
    assert rows(kinds.MILESTONE.key) == set()


# --- milestones -----------------------------------------------------------------------------


def test_the_first_exercise_done_together_is_announced_to_both_once(partner_a, partner_b, case):
    first = together(case, due_on=timezone.localdate(), reveal=False, title="First")
    send(first, partner_a, at=timezone.now() - timedelta(hours=1))
    run_tick()
    assert rows(kinds.MILESTONE.key) == set()  # one answer is not yet a shared card
    send(first, partner_b)
    second = together(case, due_on=timezone.localdate(), reveal=False, title="Second")
    send(second, partner_a)
    send(second, partner_b)
    run_tick()
    run_tick()
    assert rows(kinds.MILESTONE.key) == {
        (partner_a.email, "first-together"),
        (partner_b.email, "first-together"),
    }


def test_a_first_exercise_together_long_ago_is_not_announced_now(partner_a, partner_b, case):
    long_ago = timezone.now() - timedelta(days=30)
    old = together(case, due_on=timezone.localdate(), reveal=False, title="Old")
    send(old, partner_a, at=long_ago)
    send(old, partner_b, at=long_ago)
    new = together(case, due_on=timezone.localdate(), reveal=False, title="New")
    send(new, partner_a)
    send(new, partner_b)
    run_tick()
    assert rows(kinds.MILESTONE.key) == set()


def test_a_stage_behind_them_is_announced_to_both_partners(partner_a, partner_b, case):
    carried(case, 1, timezone.now())
    carried(case, 0, timezone.now() - timedelta(days=40))
    run_tick()
    assert rows(kinds.MILESTONE.key) == {(partner_a.email, "stage-1"), (partner_b.email, "stage-1")}


def _kept(commitment: Commitment, author: Any, confirmer: Any, due_on: date, at: Any) -> None:
    occurrence = Occurrence.objects.create(
        case=commitment.case,
        author=author,
        commitment=commitment,
        visibility="couple",
        due_on=due_on,
        outcome="kept",
        created_at=at,
    )
    Confirmation.objects.create(occurrence=occurrence, partner=confirmer, verdict="confirmed")


def test_a_promise_kept_seven_times_in_a_row_is_announced_when_the_run_reaches_seven(
    partner_a, partner_b, case
):
    commitment = shared_commitment(case, partner_a)
    today = timezone.localdate()
    for back in range(6, 0, -1):
        _kept(
            commitment,
            partner_a,
            partner_b,
            today - timedelta(days=back),
            timezone.now() - timedelta(days=5),
        )
    run_tick()
    assert rows(kinds.MILESTONE.key) == set()  # six in a row
    _kept(commitment, partner_a, partner_b, today, timezone.now())
    run_tick()
    assert rows(kinds.MILESTONE.key) == {
        (partner_a.email, "kept-7-in-a-row"),
        (partner_b.email, "kept-7-in-a-row"),
    }


def test_news_is_never_announced_in_a_closed_case(partner_a, partner_b, case):
    first = together(case, due_on=timezone.localdate(), reveal=True)
    send(first, partner_a, at=timezone.now() - timedelta(hours=1))
    send(first, partner_b)
    Case.objects.filter(pk=case.pk).update(status="closed")
    run_tick()
    assert not Notification.objects.exists()


def test_each_new_kind_is_on_the_partners_own_settings_page(client, partner_a):
    client.force_login(partner_a)
    page = html.unescape(client.get("/account/notifications/").content.decode())
    for kind in (
        kinds.PARTNER_ANSWERED,
        kinds.DAILY_PARTNER_ANSWERED,
        kinds.ANSWERS_REVEALED,
        kinds.MILESTONE,
    ):
        assert kind.label in page


def _grow_news(case: Case, n: int) -> None:
    """n more couples, each with a reveal, homework one partner has answered, a first exercise
    together, a stage behind them and a promise kept seven times in a row, all reached now."""
    from itertools import count

    from retrust.core.models import CaseMember
    from tests.conftest import make_user

    serial = count(Case.objects.count() * 100)
    today = timezone.localdate()
    for _ in range(n):
        k = next(serial)
        other = Case.objects.create(practice=case.practice, label=f"N{k}", status="active")
        a, b = make_user(f"na{k}@example.org"), make_user(f"nb{k}@example.org")
        CaseMember.objects.create(case=other, user=a, role="partner_a")
        CaseMember.objects.create(case=other, user=b, role="partner_b")
        assignment = together(other, due_on=today - timedelta(days=1), title=f"T{k}")
        send(assignment, a, at=timezone.now() - timedelta(hours=2))
        send(assignment, b)
        waiting = together(other, due_on=today - timedelta(days=1), title=f"U{k}")
        send(waiting, a)
        DailyAnswer.objects.create(
            case=other, author=a, visibility="couple", day=today, prompt_id="p", body="-"
        )
        carried(other, 1, timezone.now())
        commitment = shared_commitment(other, a)
        for back in range(7):
            _kept(commitment, a, b, today - timedelta(days=back), timezone.now())


def test_the_new_sources_read_a_fixed_number_of_queries_however_much_news_there_is(
    partner_a, partner_b, case
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from retrust.notifications import sources

    mine = [
        sources.partner_answered,
        sources.partner_answered_today,
        sources.answers_revealed,
        sources.first_exercise_together,
        sources.stages_completed,
        sources.promises_kept_in_a_row,
    ]

    def measure() -> dict[str, tuple[int, int]]:
        now = timezone.now()
        counts = {}
        for find in mine:
            with CaptureQueriesContext(connection) as captured:
                found = list(find(now))
            counts[find.__name__] = (len(captured.captured_queries), len(found))
        return counts

    _grow_news(case, 1)
    small = measure()
    _grow_news(case, 4)
    large = measure()
    assert {k: q for k, (q, _) in large.items()} == {k: q for k, (q, _) in small.items()}
    assert all(found_large > small[k][1] for k, (_, found_large) in large.items())
    assert max(q for q, _ in large.values()) <= 2


# --- the daily question ---------------------------------------------------------------------


def daily(user: Any, case: Case, body: str = "Your laugh on the stairs") -> Any:
    from retrust.program import actions, queries

    prompt = queries.daily_prompt(case, None, timezone.localdate())
    return actions.answer_daily_question(user, case, body=body, prompt_id=prompt.id)


def test_todays_question_answered_by_one_reaches_the_other_once_as_their_card_says(
    partner_a, partner_b, case, client_for
):

    run_tick()
    assert answered(kinds.DAILY_PARTNER_ANSWERED.key) == set()
    daily(partner_a, case)
    run_tick()
    run_tick()
    today = timezone.localdate().isoformat()
    assert answered(kinds.DAILY_PARTNER_ANSWERED.key) == {
        (partner_b.email, case.pk, f"day-{today}")
    }
    card = html.unescape(client_for("partner_b").get("/home/").content.decode())
    assert "Your partner has answered. Answer to see theirs." in card
    # Once Bo has answered too, nobody else hears anything that day.
    Notification.objects.all().delete()
    daily(partner_b, case, "Sunday pancakes")
    run_tick()
    assert answered(kinds.DAILY_PARTNER_ANSWERED.key) == set()


def test_todays_question_tells_nobody_when_held_closed_or_turned_off(partner_a, partner_b, case):
    from retrust.program.models import DailyQuestionSettings

    daily(partner_a, case)
    pause_case(case, held_for=partner_b, shown=False)
    run_tick()
    assert answered(kinds.DAILY_PARTNER_ANSWERED.key) == set()  # Bo is held
    Case.objects.filter(pk=case.pk).update(paused_since=None, pause_held_for=None)
    DailyQuestionSettings.objects.create(case=case, enabled=False)
    run_tick()
    assert answered(kinds.DAILY_PARTNER_ANSWERED.key) == set()  # no daily question any more
    DailyQuestionSettings.objects.filter(case=case).update(enabled=True)
    Case.objects.filter(pk=case.pk).update(status="closed")
    run_tick()
    assert answered(kinds.DAILY_PARTNER_ANSWERED.key) == set()
    Case.objects.filter(pk=case.pk).update(status="active")
    run_tick()
    assert {email for email, _, _ in answered(kinds.DAILY_PARTNER_ANSWERED.key)} == {
        partner_b.email
    }


def test_yesterdays_answer_is_not_news_today(partner_a, partner_b, case):
    from retrust.program.models import DailyAnswer

    daily(partner_a, case)
    DailyAnswer.objects.update(day=timezone.localdate() - timedelta(days=1))
    run_tick()
    assert answered(kinds.DAILY_PARTNER_ANSWERED.key) == set()
