"""Homework revealed together, and milestones: what each partner hears, and what they never do.

The reveal-together reminder must not depend on whether the other partner has answered; the
news of a reveal and of a milestone reaches both partners only when both see it in the app.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from retrust.agreements.models import Commitment, Confirmation, Occurrence
from retrust.core.models import Case
from retrust.notifications import kinds
from retrust.notifications.models import Notification
from retrust.notifications.tick import run_tick
from retrust.program.models import Assignment, ExerciseResponse, StageProposal
from tests.conftest import pause_case


def rows(kind: str) -> set[tuple[str, str]]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", "occasion"))


def together(case: Case, *, due_on: date, reveal: bool = True, title: str = "Two lists") -> Any:
    return Assignment.objects.create(
        case=case,
        exercise_id=f"ex-{title}",
        title=title,
        reveal_together=reveal,
        default_visibility="couple",
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


def test_a_reveal_together_reminder_never_depends_on_the_other_partner(partner_a, partner_b, case):
    """Whether or not Ari has answered, Bo's reminders are the same rows at the same moments."""
    today = timezone.localdate()
    answered_by_ari = together(case, due_on=today - timedelta(days=1), title="One")
    nobody_yet = together(case, due_on=today - timedelta(days=1), title="Two")
    send(answered_by_ari, partner_a, at=timezone.now() - timedelta(days=2))
    run_tick()
    reminders = set(
        Notification.objects.filter(kind=kinds.TOGETHER_ANSWER.key).values_list(
            "recipient__email", "subject_id", "occasion"
        )
    )
    assert reminders == {
        (partner_b.email, answered_by_ari.pk, "after-due"),
        (partner_a.email, nobody_yet.pk, "after-due"),
        (partner_b.email, nobody_yet.pk, "after-due"),
    }
    # Nothing is sent before the date, whoever has answered.
    Notification.objects.all().delete()
    run_tick(timezone.now() - timedelta(days=2))
    assert rows(kinds.TOGETHER_ANSWER.key) == set()


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
    page = client.get("/account/notifications/").content.decode()
    for kind in (kinds.TOGETHER_ANSWER, kinds.ANSWERS_REVEALED, kinds.MILESTONE):
        assert kind.label in page


def _grow_news(case: Case, n: int) -> None:
    """n more couples, each with a reveal, a first exercise together, a stage behind them and
    a promise kept seven times in a row, all reached just now."""
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
        together(other, due_on=today - timedelta(days=1), title=f"U{k}")
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
        sources.together_answers_waiting,
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
