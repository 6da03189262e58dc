"""The coach reads every coached form privately, through one check endpoint.

Forms: an "it didn't hold" report and the answer to one (agreements), a hurtful-moment review
answer, and speaker and listener turns. For each: the writer's page wires the field to the
coach with its panel above the send button, a harsh draft gets hints, nothing about the
analysis is stored, and the other partner and the clinician never see any of it.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from retrust.agreements import actions as agreement_actions
from retrust.agreements.models import Agreement
from retrust.conversations import actions
from retrust.conversations.models import Conversation, HurtfulMomentReview
from retrust.core.models import AuditEvent, Case, User
from tests.agreements.conftest import make_active_agreement
from tests.conftest import signed_in_client
from tests.conversations.conftest import ANSWER_A

HARSH = "You never listen, you are so selfish."
SEEN_ONLY_BY_THE_WRITER = (
    "Only you see these hints",
    "A gentler way to start",
    "Listening first",
    "coach_field",
)


@pytest.fixture
def agreement(partner_a: User, partner_b: User, case: Case) -> Agreement:
    return make_active_agreement(partner_a, partner_b, case)


@pytest.fixture
def review(partner_a: User, partner_b: User, case: Case) -> HurtfulMomentReview:
    return actions.open_review(partner_a, case, title="The phone call")


@pytest.fixture
def talk(partner_a: User, partner_b: User, case: Case) -> Conversation:
    return actions.open_conversation(partner_a, case, topic="Phones at dinner")


def check(client: Client, field: str, text: str, role: str = "speaker") -> str:
    response = client.post(
        "/coach/feedback/", {"coach_field": field, field: text, "coach_role": role}
    )
    assert response.status_code == 200
    return response.content.decode()


def wired(page: str, field: str, send_label: str) -> None:
    """The page posts ``field`` to the coach, and the hint panel comes before the send button."""
    assert "/coach/feedback/" in page
    assert f"&quot;coach_field&quot;: &quot;{field}&quot;" in page
    attrs = re.search(rf'name="{re.escape(field)}"[^>]*hx-target="#([\w-]+)"', page)
    assert attrs, f"{field} is not coached"
    panel = page.index(f'id="{attrs.group(1)}"')
    assert panel < page.index(send_label, page.index(f'name="{field}"'))


class TestEachFormIsCoached:
    def test_a_breach_report(self, agreement: Agreement, partner_a: User) -> None:
        client = signed_in_client(partner_a)
        page = client.get(f"/agreements/{agreement.pk}/").content.decode()
        wired(page, "what_happened", "Send the report")
        hints = check(client, "what_happened", HARSH)
        assert "Only you see these hints" in hints and "<q>You never</q>" in hints
        assert "A gentler way to start" in hints

    def test_an_answer_to_a_breach_report(
        self, agreement: Agreement, partner_a: User, partner_b: User
    ) -> None:
        agreement_actions.report_breach(
            partner_a, agreement, what_happened="The phone was face down.", happened_on=date.today()
        )
        client = signed_in_client(partner_b)
        page = client.get(f"/agreements/{agreement.pk}/").content.decode()
        wired(page, "text", "Send my answer")
        assert "Only you see these hints" in check(client, "text", HARSH)

    def test_a_review_answer(self, review: HurtfulMomentReview, partner_a: User) -> None:
        client = signed_in_client(partner_a)
        page = client.get(f"/reviews/{review.pk}/").content.decode()
        for part in ("felt", "my_view", "my_part", "differently"):
            wired(page, f"answer-{part}", "share when we both are")
        wired(page, "answer-your_view", "share when we both are")
        assert "Only you see these hints" in check(client, "answer-my_view", HARSH)

    def test_a_speaker_turn(self, talk: Conversation, partner_a: User) -> None:
        client = signed_in_client(partner_a)
        page = client.get(f"/conversations/{talk.pk}/").content.decode()
        wired(page, "body", ">Send<")
        assert "Listening first" not in page
        assert "A gentler way to start" in check(client, "body", HARSH)


class TestEachRoleGetsItsOwnTemplate:
    def test_the_listener_is_offered_the_listeners_template(
        self, talk: Conversation, partner_a: User, partner_b: User
    ) -> None:
        actions.post_turn(partner_a, talk, kind="statement", body="I miss you.", expected_seq=0)
        client = signed_in_client(partner_b)
        page = client.get(f"/conversations/{talk.pk}/").content.decode()
        wired(page, "body", ">Send<")
        assert "Listening first" in page and "&quot;coach_role&quot;: &quot;listener&quot;" in page
        fragment = check(client, "body", HARSH, role="listener")
        assert "Only you see these hints" in fragment
        assert "Listening first" in fragment and "A gentler way to start" not in fragment
        # Sending a harsh summary without the live check: the same listener's template.
        data = {"kind": "summary", "body": HARSH, "expected_seq": 1}
        page = client.post(f"/conversations/{talk.pk}/turns/", data).content.decode()
        assert "Listening first" in page and "A gentler way to start" not in page
        assert "Send anyway" in page

    def test_a_summary_of_the_partners_view_in_a_review_is_a_listeners_task(
        self, review: HurtfulMomentReview, partner_a: User
    ) -> None:
        page = signed_in_client(partner_a).get(f"/reviews/{review.pk}/").content.decode()
        assert page.count("Listening first") == 1


class TestPrivacy:
    def test_nothing_is_stored_and_only_the_writer_sees_hints(
        self,
        agreement: Agreement,
        review: HurtfulMomentReview,
        talk: Conversation,
        partner_a: User,
        partner_b: User,
        clinician: User,
    ) -> None:
        writer = signed_in_client(partner_a)
        audit_before = AuditEvent.objects.count()
        with CaptureQueriesContext(connection) as queries:
            for field in ("what_happened", "answer-felt", "body", "text"):
                check(writer, field, HARSH)
        writing = ("INSERT", "UPDATE", "DELETE")
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(writing)]
        assert [w for w in writes if "django_session" not in w] == []
        assert AuditEvent.objects.count() == audit_before
        # The writer sends the harsh words anyway: the words travel, the analysis does not.
        agreement_actions.report_breach(
            partner_a, agreement, what_happened=HARSH, happened_on=date.today()
        )
        actions.post_turn(partner_a, talk, kind="statement", body=HARSH, expected_seq=0)
        actions.save_review_answer(partner_a, review, parts={**ANSWER_A, "felt": HARSH}, done=True)
        clinician_client = signed_in_client(clinician)
        for url in (
            f"/agreements/{agreement.pk}/",
            f"/conversations/{talk.pk}/",
            f"/reviews/{review.pk}/",
        ):
            page = clinician_client.get(url).content.decode()
            assert HARSH in page or "selfish" in page or "/reviews/" in url
            for mark in SEEN_ONLY_BY_THE_WRITER:
                assert mark not in page, (url, mark)
        other = signed_in_client(partner_b)
        for url in (f"/agreements/{agreement.pk}/", f"/conversations/{talk.pk}/"):
            page = other.get(url).content.decode()
            for mark in ("Only you see these hints", "A gentler way to start", "criticism"):
                assert mark not in page, (url, mark)
        # The clinician cannot use the partners' check at all.
        assert clinician_client.post("/coach/feedback/", {"body": HARSH}).status_code == 404


def test_the_check_answers_in_constant_queries(
    partner_a: User, partner_b: User, case: Case
) -> None:
    client = signed_in_client(partner_a)
    counts = []
    for text in ("Fine.", HARSH * 40):
        with CaptureQueriesContext(connection) as queries:
            check(client, "body", text)
        counts.append(len(queries))
        for n in range(5):  # more data behind the person changes nothing
            actions.open_conversation(partner_a, case, topic=f"Topic {n}")
    assert counts[0] == counts[1]


def test_the_api_offers_each_role_its_own_template(partner_a: User, case: Case) -> None:
    client = signed_in_client(partner_a)
    spoken = client.post("/api/v1/coach", {"text": HARSH}, content_type="application/json")
    assert spoken.json()["suggestion"].startswith("I feel ")
    heard = client.post(
        "/api/v1/coach", {"text": HARSH, "role": "listener"}, content_type="application/json"
    )
    assert heard.json()["suggestion"].startswith("What I heard you say is")
    assert "criticism" in heard.json()["labels"]
    wrong = client.post(
        "/api/v1/coach", {"text": HARSH, "role": "judge"}, content_type="application/json"
    )
    assert wrong.status_code == 422
