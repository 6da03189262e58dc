"""The messages pages answer in a constant number of queries as threads and caseloads grow."""

from __future__ import annotations

from retrust.core.models import Case, Practice, User
from retrust.threads import actions
from retrust.threads.models import Message, Thread
from tests.conftest import signed_in_client
from tests.test_query_counts import add_cases, assert_constant


def chat(case: Case, partner_a: User, partner_b: User, clinician: User, rounds: int) -> None:
    for i in range(rounds):
        actions.send_message(partner_a, case, "partner_a", body=f"From Ari {i}")
        actions.send_message(clinician, case, "partner_a", body=f"To Ari {i}")
        actions.send_message(partner_b, case, "together", body=f"Together {i}")
        actions.send_message(partner_b, case, "partner_b", body=f"From Bo {i}")


def pile_up(case: Case, partner_a: User, clinician: User, n: int) -> None:
    """``n`` more messages in Ari's thread, written straight to the table (fast)."""
    thread = Thread.objects.get(case=case, kind="private", author=partner_a)
    Message.objects.bulk_create(
        Message(thread=thread, sender=(partner_a, clinician)[i % 2], body=f"Message {i}")
        for i in range(n)
    )


def test_a_thread_page_and_its_api(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    chat(case, partner_a, partner_b, clinician, 1)
    for user in (partner_a, clinician):
        for url in (
            f"/cases/{case.pk}/messages/partner_a/",
            f"/api/v1/cases/{case.pk}/threads/partner_a",
        ):
            # More than a page of messages, so the "earlier" link appears too.
            assert_constant(
                signed_in_client(user), url, lambda: pile_up(case, partner_a, clinician, 60)
            )


def test_the_messages_list_and_the_menu_badge(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    chat(case, partner_a, partner_b, clinician, 1)
    for user in (partner_a, partner_b, clinician):
        assert_constant(
            signed_in_client(user),
            f"/cases/{case.pk}/messages/",
            lambda: chat(case, partner_a, partner_b, clinician, 5),
        )
    # The home page carries the menu's count of new messages.
    assert_constant(
        signed_in_client(partner_a),
        "/home/",
        lambda: chat(case, partner_a, partner_b, clinician, 5),
    )


def test_today_is_constant_in_waiting_threads(
    practice: Practice, case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    chat(case, partner_a, partner_b, clinician, 1)

    def grow() -> None:
        for other in add_cases(practice, clinician, 5):
            a, b = (m.user for m in other.members.order_by("role"))
            actions.send_message(a, other, "partner_a", body="Hello")
            actions.send_message(b, other, "together", body="Hello both")

    assert_constant(signed_in_client(clinician), "/caseload/today/", grow)
    assert_constant(signed_in_client(clinician), f"/cases/{case.pk}/", grow)
