"""A couple and their clinician mid-way through a few message threads, for the thread tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from retrust.core.models import Case, CaseMember, User
from retrust.threads import actions
from retrust.threads.models import Message, Thread
from tests.conftest import make_user

A_PRIVATE = "A-private: I keep thinking about the phone in the drawer"
REPLY_TO_A = "Reply-to-A: thank you for writing, let's start there on Thursday"
B_PRIVATE = "B-private: I'm scared I'll say the wrong thing"
TOGETHER = "Together: we managed the evening check-in twice this week"
ELSEWHERE = "Elsewhere: nobody in this practice should read this"


@dataclass
class ThreadWorld:
    case: Case
    other_case: Case
    a_private: Thread
    b_private: Thread
    together: Thread

    @property
    def ids(self) -> dict[str, int | str]:
        # Threads are addressed by their key in the case.
        return {
            "case": self.case.pk,
            "other_case": self.other_case.pk,
            "a": "partner_a",
            "b": "partner_b",
            "together": "together",
            "nowhere": "everyone",
        }


@pytest.fixture
def thread_world(
    personas: dict[str, User | None],
    case: Case,
    other_practice_case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
    other_practice_clinician: User,
) -> ThreadWorld:
    first = actions.send_message(partner_a, case, "partner_a", body=A_PRIVATE)
    actions.send_message(clinician, case, "partner_a", body=REPLY_TO_A)
    second = actions.send_message(partner_b, case, "partner_b", body=B_PRIVATE)
    third = actions.send_message(partner_b, case, "together", body=TOGETHER)
    cy = make_user("cy@example.org", "Cy")
    CaseMember.objects.create(case=other_practice_case, user=cy, role="partner_a")
    actions.send_message(cy, other_practice_case, "partner_a", body=ELSEWHERE)
    return ThreadWorld(
        case=case,
        other_case=other_practice_case,
        a_private=first.thread,
        b_private=second.thread,
        together=third.thread,
    )


def messages_state(world: ThreadWorld) -> list[tuple[int, int, str]]:
    return sorted(Message.objects.values_list("pk", "thread_id", "sender_id"))
