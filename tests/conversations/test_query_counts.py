"""The communication pages answer in a constant number of queries as their data grows."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from retrust.conversations import actions
from retrust.conversations.models import Conversation, TriggerEntry, Turn
from retrust.core.models import Case, User
from tests.conftest import signed_in_client
from tests.conversations.conftest import ANSWER_A
from tests.test_query_counts import assert_constant


def grow_round_trips(conversation: Conversation, a: User, b: User, rounds: int) -> None:
    for _ in range(rounds):
        for speaker, listener in ((a, b), (b, a)):
            conversation.refresh_from_db()
            if conversation.speaker_id != speaker.pk:
                continue
            for user, kind in (
                (speaker, "statement"),
                (listener, "summary"),
                (speaker, "confirmation"),
            ):
                conversation.refresh_from_db()
                actions.post_turn(
                    user,
                    conversation,
                    kind=kind,
                    body=f"{kind} words",
                    expected_seq=conversation.turn_count,
                )


def test_conversation_page(case: Case, partner_a: User, partner_b: User, clinician: User) -> None:
    conversation = actions.open_conversation(partner_a, case, topic="Evenings")
    grow_round_trips(conversation, partner_a, partner_b, 1)
    for user in (partner_a, clinician):
        assert_constant(
            signed_in_client(user),
            f"/conversations/{conversation.pk}/",
            lambda: grow_round_trips(conversation, partner_a, partner_b, 10),
        )
    assert Turn.objects.count() > 30


def test_talk_page(case: Case, partner_a: User, partner_b: User) -> None:
    def grow() -> None:
        for i in range(10):
            actions.open_conversation(partner_a, case, topic=f"Topic {i}")
            actions.open_review(partner_b, case, title=f"Moment {i}")

    grow()
    assert_constant(signed_in_client(partner_a), f"/cases/{case.pk}/talk/", grow)


def test_review_page(case: Case, partner_a: User, partner_b: User, clinician: User) -> None:
    review = actions.open_review(partner_a, case, title="The party")

    def grow() -> None:
        actions.save_review_answer(partner_a, review, parts=ANSWER_A, done=True)
        actions.save_review_answer(partner_b, review, parts=ANSWER_A, done=True)
        for i in range(10):
            actions.comment_on_review(clinician, review, body=f"Comment {i}")

    for user in (partner_a, clinician):
        assert_constant(signed_in_client(user), f"/reviews/{review.pk}/", grow)
        if user == partner_a:
            # The second persona starts from the grown data; grow adds comments only.
            def grow() -> None:  # noqa: F811
                for i in range(10):
                    actions.comment_on_review(clinician, review, body=f"More {i}")


def test_trigger_page(case: Case, partner_a: User, clinician: User) -> None:
    def grow() -> None:
        now = timezone.now()
        for i in range(60):
            entry = actions.log_trigger(
                partner_a, case, what_happened=f"t{i}", intensity=i % 11, visibility="clinician"
            )
            TriggerEntry.objects.filter(pk=entry.pk).update(occurred_at=now - timedelta(days=i))

    grow()
    for user in (partner_a, clinician):
        assert_constant(signed_in_client(user), f"/cases/{case.pk}/triggers/", grow)
