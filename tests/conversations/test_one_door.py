"""One door per case: pages and API routes of the Talk tools go through the access object.

A clinician's read is recorded by the same rule on a page and on the API route beside it, once
per request and kind of content; the views and routes contain none of the hand-made shapes the
access object replaced (checked in their source, so a new route cannot slip back into them).
"""

from __future__ import annotations

import ast
import inspect
from collections import Counter

import pytest

from retrust.conversations import actions, api, views
from retrust.conversations.models import Conversation
from retrust.core.models import AuditEvent, Case, User
from tests.conftest import signed_in_client
from tests.support.audit import ten_minutes_pass


def reads(what: str) -> int:
    return AuditEvent.objects.filter(
        action="retrust.case.content.viewed", details__what=what
    ).count()


@pytest.fixture
def talk(case: Case, partner_a: User, partner_b: User) -> Conversation:
    conversation = actions.open_conversation(partner_a, case, topic="Phones at dinner")
    actions.post_turn(partner_a, conversation, kind="statement", body="I miss you", expected_seq=0)
    return conversation


def test_a_clinicians_read_is_recorded_once_on_the_page_and_once_on_the_api(
    talk: Conversation, clinician: User, partner_a: User
) -> None:
    client = signed_in_client(clinician)
    assert client.get(f"/conversations/{talk.pk}/").status_code == 200
    assert reads("conversation") == 1  # the conversation and its turns: one read
    assert client.get(f"/api/v1/conversations/{talk.pk}").status_code == 200
    assert reads("conversation") == 1  # the same read again within ten minutes: no new row
    ten_minutes_pass()
    assert client.get(f"/api/v1/conversations/{talk.pk}").status_code == 200
    assert reads("conversation") == 2
    # Partners reading their own conversation leave no such row.
    signed_in_client(partner_a).get(f"/conversations/{talk.pk}/")
    signed_in_client(partner_a).get(f"/api/v1/conversations/{talk.pk}")
    assert reads("conversation") == 2


def test_the_clinicians_trigger_and_review_reads_are_recorded(
    case: Case, talk: Conversation, clinician: User, partner_a: User
) -> None:
    actions.log_trigger(partner_a, case, what_happened="x", intensity=3, visibility="clinician")
    review = actions.open_review(partner_a, case, title="The party")
    client = signed_in_client(clinician)
    client.get(f"/cases/{case.pk}/triggers/")
    client.get(f"/reviews/{review.pk}/")
    client.get(f"/cases/{case.pk}/talk/")
    assert Counter(
        AuditEvent.objects.filter(action="retrust.case.content.viewed").values_list(
            "details__what", flat=True
        )
    ) == {"trigger_entries": 1, "review_answers": 1, "conversations": 1, "reviews": 1}


def test_a_closed_case_takes_no_comment_and_offers_none(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    review = actions.open_review(partner_a, case, title="The party")
    Case.objects.filter(pk=case.pk).update(status="closed")
    with pytest.raises(actions.ActionError, match="closed"):
        actions.comment_on_review(clinician, review, body="Let's begin here.")
    client = signed_in_client(clinician)
    assert "Add comment" not in client.get(f"/reviews/{review.pk}/").content.decode()
    response = client.post(f"/reviews/{review.pk}/comment/", {"body": "Let's begin here."})
    assert response.status_code == 400
    assert "closed" in response.content.decode()


# --- the shapes the access object replaced ------------------------------------------------

# Calls a view or route must not make: fetching a case or record around the access object,
# hand-placed audit of clinical reads, and filtering by visibility by hand.
FORBIDDEN_CALLS = {
    "get_case_for",
    "get_clinician_case_for",
    "get_record_for",
    "get_record_to_change",
    "is_case_clinician",
    "is_partner",
    "record_clinical_read",
    "visible_to",
}


@pytest.mark.parametrize("module", [views, api], ids=["views", "api"])
def test_views_and_routes_use_only_the_one_door(module: object) -> None:
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    calls = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
    }
    assert not calls & FORBIDDEN_CALLS
    # No view catches an action's refusal itself: ``submit`` does, or the API's handler.
    handlers = [node for node in ast.walk(tree) if isinstance(node, ast.ExceptHandler)]
    assert handlers == []
    # Every model read starts from the access object or a query builder, never from a
    # manager on its own (``Model.objects.get/filter`` without ``access``/``record_access``).
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"get", "filter", "first"}:
            source = ast.unparse(node.value)
            assert ".objects" not in source or "select_related" in source, source
