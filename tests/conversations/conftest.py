"""A couple mid-way through the communication tools, for the conversation tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from retrust.conversations import actions
from retrust.conversations.models import (
    Conversation,
    HurtfulMomentReview,
    ReviewAnswer,
    TriggerEntry,
)
from retrust.core.models import Case, CaseMember, User
from tests.conftest import make_user

STATEMENT = "Statement-text: I felt alone when the phone came out at dinner"
ANSWER_A = {
    "felt": "Answer-A-felt: small and shut out",
    "my_view": "Answer-A-view: the messages mattered more than me",
    "your_view": "Answer-A-fair: you were answering your sister",
    "past": "Answer-A-past: my father never looked up from the paper",
    "my_part": "Answer-A-part: I went silent; I'm sorry",
    "differently": "Answer-A-next: I will say it on the night",
}
DRAFT_B = {"felt": "Draft-B-felt: cornered", "my_view": "Draft-B-view: half-written"}
PRIVATE_TRIGGER = "Trigger-private: a car like his at the station"
SHARED_TRIGGER = "Trigger-shared: the ringtone from back then"
OTHER_STATEMENT = "Other-couple-statement: nobody here should see this"


@dataclass
class TalkWorld:
    case: Case
    other_case: Case
    conversation: Conversation
    other_conversation: Conversation
    review: HurtfulMomentReview
    private_trigger: TriggerEntry
    shared_trigger: TriggerEntry

    @property
    def ids(self) -> dict[str, int]:
        return {
            "case": self.case.pk,
            "other_case": self.other_case.pk,
            "conversation": self.conversation.pk,
            "other_conversation": self.other_conversation.pk,
            "review": self.review.pk,
        }


@pytest.fixture
def talk_world(
    personas: dict[str, User | None],
    case: Case,
    other_practice_case: Case,
    partner_a: User,
    partner_b: User,
) -> TalkWorld:
    conversation = actions.open_conversation(partner_a, case, topic="Phones at dinner")
    actions.post_turn(partner_a, conversation, kind="statement", body=STATEMENT, expected_seq=0)
    conversation.refresh_from_db()
    review = actions.open_review(partner_a, case, title="The night of the party")
    actions.save_review_answer(partner_a, review, parts=ANSWER_A, done=True)
    actions.save_review_answer(partner_b, review, parts=DRAFT_B, done=False)
    private = actions.log_trigger(partner_a, case, what_happened=PRIVATE_TRIGGER, intensity=7)
    shared = actions.log_trigger(
        partner_a, case, what_happened=SHARED_TRIGGER, intensity=4, visibility="clinician"
    )
    cy = make_user("cy@example.org", "Cy")
    di = make_user("di@example.org", "Di")
    CaseMember.objects.create(case=other_practice_case, user=cy, role="partner_a")
    CaseMember.objects.create(case=other_practice_case, user=di, role="partner_b")
    other = actions.open_conversation(cy, other_practice_case, topic="Elsewhere")
    actions.post_turn(cy, other, kind="statement", body=OTHER_STATEMENT, expected_seq=0)
    return TalkWorld(
        case=case,
        other_case=other_practice_case,
        conversation=conversation,
        other_conversation=other,
        review=review,
        private_trigger=private,
        shared_trigger=shared,
    )


def rows(model: Any, *fields: str) -> Any:
    return sorted(model.objects.values_list("id", *fields))


__all__ = ["ReviewAnswer"]
