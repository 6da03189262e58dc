"""How the communication tools behave: the speaker–listener round, breaks and their lock,
reveal-together, private coach hints, bad input and double submits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from retrust.coach import analyse
from retrust.conversations import actions
from retrust.conversations.forms import compose
from retrust.conversations.models import (
    Break,
    Conversation,
    HurtfulMomentReview,
    ReviewAnswer,
    TriggerEntry,
    Turn,
)
from retrust.core.models import AuditEvent, Case, JournalEntry, User
from tests.conftest import pause_case, signed_in_client
from tests.conversations.conftest import ANSWER_A

ANSWER_B = {
    "felt": "B-felt: ashamed, then defensive",
    "my_view": "B-view: I thought a quick reply was harmless",
    "your_view": "B-fair: you felt second to my phone",
    "past": "B-past: being told off for being rude as a kid",
    "my_part": "B-part: I kept scrolling; I'm sorry",
    "differently": "B-next: the phone stays in the hall at dinner",
}


@pytest.fixture
def talk(case: Case, partner_a: User, partner_b: User) -> Conversation:
    return actions.open_conversation(partner_a, case, topic="Phones at dinner")


def turn(user: User, conversation: Conversation, kind: str, body: str = "") -> Turn:
    conversation.refresh_from_db()
    return actions.post_turn(
        user, conversation, kind=kind, body=body, expected_seq=conversation.turn_count
    )


class TestSpeakerListener:
    def test_a_full_round_with_a_clarification_then_roles_swap(
        self, talk: Conversation, partner_a: User, partner_b: User
    ) -> None:
        turn(partner_a, talk, "statement", "I feel alone when phones come out at dinner.")
        turn(partner_b, talk, "summary", "You feel I'm not there with you.")
        turn(partner_a, talk, "clarification", "Alone, and a bit unimportant.")
        turn(partner_b, talk, "summary", "You feel alone and unimportant when I scroll.")
        turn(partner_a, talk, "confirmation")
        talk.refresh_from_db()
        assert talk.speaker_id == partner_b.pk
        assert talk.listener_id == partner_a.pk
        assert talk.phase == "speak"
        kinds = list(talk.turns.values_list("kind", flat=True))
        assert kinds == ["statement", "summary", "clarification", "summary", "confirmation"]
        assert talk.turns.get(kind="confirmation").body == "Yes, that's it."

    def test_the_listener_sums_up_before_giving_their_own_view(
        self, talk: Conversation, partner_a: User, partner_b: User
    ) -> None:
        turn(partner_a, talk, "statement", "I feel alone at dinner.")
        with pytest.raises(actions.ActionError, match="turn"):
            turn(partner_b, talk, "statement", "Well, my view is...")
        with pytest.raises(actions.ActionError):
            turn(partner_a, talk, "summary", "Summing up myself")
        assert talk.turns.count() == 1

    def test_the_round_trip_on_the_pages(
        self, talk: Conversation, partner_a: User, partner_b: User
    ) -> None:
        a, b = signed_in_client(partner_a), signed_in_client(partner_b)
        url = f"/conversations/{talk.pk}/turns/"
        a.post(url, {"kind": "statement", "body": "I miss our walks.", "expected_seq": 0})
        page = b.get(f"/conversations/{talk.pk}/").content.decode()
        assert "your turn: sum up what you heard" in page.lower() and "I miss our walks." in page
        b.post(url, {"kind": "summary", "body": "You miss walking together.", "expected_seq": 1})
        page = a.get(f"/conversations/{talk.pk}/").content.decode()
        assert "Yes, that&#x27;s it" in page or "Yes, that's it" in page
        a.post(url, {"kind": "confirmation", "expected_seq": 2})
        talk.refresh_from_db()
        assert (talk.speaker_id, talk.phase) == (partner_b.pk, "speak")

    def test_an_empty_turn_is_refused_clearly_and_saves_nothing(
        self, talk: Conversation, partner_a: User
    ) -> None:
        response = signed_in_client(partner_a).post(
            f"/conversations/{talk.pk}/turns/",
            {"kind": "statement", "body": "   ", "expected_seq": 0},
        )
        assert response.status_code == 400
        assert "required" in response.content.decode() or "Write" in response.content.decode()
        assert not Turn.objects.exists()

    def test_sending_the_same_turn_twice_adds_it_once(
        self, talk: Conversation, partner_a: User
    ) -> None:
        client = signed_in_client(partner_a)
        data = {"kind": "statement", "body": "I miss our walks.", "expected_seq": 0}
        first = client.post(f"/conversations/{talk.pk}/turns/", data)
        second = client.post(f"/conversations/{talk.pk}/turns/", data)
        assert first.status_code == second.status_code == 302
        assert Turn.objects.count() == 1

    def test_a_stale_different_turn_is_refused(self, talk: Conversation, partner_a: User) -> None:
        turn(partner_a, talk, "statement", "First")
        with pytest.raises(actions.ActionError, match="moved on"):
            actions.post_turn(partner_a, talk, kind="statement", body="Other", expected_seq=0)


class TestCoachHints:
    def test_harsh_words_get_private_hints_first_and_may_be_sent_anyway(
        self, talk: Conversation, partner_a: User, partner_b: User
    ) -> None:
        client = signed_in_client(partner_a)
        data = {"kind": "statement", "body": "You never listen, you idiot.", "expected_seq": 0}
        response = client.post(f"/conversations/{talk.pk}/turns/", data)
        page = response.content.decode()
        assert response.status_code == 200
        assert "Only you see these hints" in page
        assert "Send anyway" in page
        assert not Turn.objects.exists()
        # The hints are the writer's alone: nothing of them reaches the partner's page.
        assert (
            "Only you see these hints"
            not in signed_in_client(partner_b).get(f"/conversations/{talk.pk}/").content.decode()
        )
        response = client.post(f"/conversations/{talk.pk}/turns/", {**data, "send_anyway": True})
        assert response.status_code == 302
        assert Turn.objects.get().body == "You never listen, you idiot."

    def test_a_label_only_the_learned_layer_finds_is_a_hint_not_a_stop(
        self, talk: Conversation, partner_a: User, partner_b: User
    ) -> None:
        # A listener's fair summary: the rules see nothing harsh in it; the learned layer may
        # read "You feel..." as criticism, but with no phrase to point at it must not hold the
        # send for a second look.
        summary = "You feel lonely when we're both on our phones, and you'd like one evening."
        assert analyse(summary, learned=False).labels == ()
        assert not analyse(summary).harsh_quoted
        turn(partner_a, talk, "statement", "I feel lonely in the evenings.")
        data = {"kind": "summary", "body": summary, "expected_seq": 1}
        response = signed_in_client(partner_b).post(f"/conversations/{talk.pk}/turns/", data)
        assert response.status_code == 302
        assert Turn.objects.filter(kind="summary", body=summary).exists()

    def test_gentle_words_are_sent_at_once(self, talk: Conversation, partner_a: User) -> None:
        data = {"kind": "statement", "body": "I miss you in the evenings.", "expected_seq": 0}
        response = signed_in_client(partner_a).post(f"/conversations/{talk.pk}/turns/", data)
        assert response.status_code == 302
        assert Turn.objects.count() == 1

    def test_live_feedback_fragment(self, partner_a: User, case: Case) -> None:
        client = signed_in_client(partner_a)
        page = client.post("/coach/feedback/", {"body": "Whatever."}).content.decode()
        assert "Shutting down" in page and "A gentler way to start" in page
        page = client.post(
            "/coach/feedback/",
            {"feeling": "worried", "situation": "when you're late", "need": "a text"},
        ).content.decode()
        assert "I feel worried when you&#x27;re late. A text." in page
        page = client.post("/coach/feedback/", {"body": "Je ne sais pas, on en parle ce soir ?"})
        assert "only reads English" in page.content.decode()

    def test_a_label_only_the_learned_layer_finds_renders_without_a_quote(
        self, partner_a: User, case: Case
    ) -> None:
        # The rules find nothing in this text-speak; the learned layer reads contempt, with an
        # explanation but no span, so there is no quoted phrase and no scaffold.
        client = signed_in_client(partner_a)
        page = client.post("/coach/feedback/", {"body": "u r such a muppet"}).content.decode()
        assert "coach-contempt" in page and "tell your partner they are less than you" in page
        assert "<q>" not in page and "A gentler way to start" not in page
        body = client.post(
            "/api/v1/coach", {"text": "u r such a muppet"}, content_type="application/json"
        ).json()
        assert body["labels"] == ["contempt"] and body["spans"] == []
        assert set(body["explanations"]) == {"contempt"} and body["suggestion"] is None


class TestBreaks:
    def test_a_break_locks_the_conversation_until_the_return_time(
        self, talk: Conversation, partner_a: User, partner_b: User
    ) -> None:
        now = timezone.now()
        actions.call_break(partner_b, talk, returns_at=now + timedelta(minutes=30), now=now)
        talk.refresh_from_db()
        with pytest.raises(actions.ActionError, match="break"):
            actions.post_turn(partner_a, talk, kind="statement", body="Hi", expected_seq=0)
        # After the return time, the conversation opens again.
        later = now + timedelta(minutes=31)
        actions.post_turn(
            partner_a, talk, kind="statement", body="I'm back.", expected_seq=0, now=later
        )

    def test_both_see_the_return_time_and_calming_suggestions(
        self, talk: Conversation, partner_a: User, partner_b: User
    ) -> None:
        response = signed_in_client(partner_a).post(
            f"/conversations/{talk.pk}/break/", {"minutes": 60}
        )
        assert response.status_code == 302
        returns_at = timezone.localtime(Break.objects.get().returns_at)
        for user in (partner_a, partner_b):
            page = signed_in_client(user).get(f"/conversations/{talk.pk}/").content.decode()
            assert f"On a break until {returns_at:%A %H:%M}" in page
            assert "Breathe out" in page
            assert "not leaving it" in page
            assert "Shutting down" not in page and "stonewall" not in page.lower()
            assert 'name="body"' not in page  # no way to write during the break

    def test_the_api_refuses_turns_during_a_break_with_423(
        self, talk: Conversation, partner_a: User, partner_b: User
    ) -> None:
        b = signed_in_client(partner_b)
        response = b.post(
            f"/api/v1/conversations/{talk.pk}/breaks",
            {"minutes": 20},
            content_type="application/json",
        )
        assert response.status_code == 201
        response = signed_in_client(partner_a).post(
            f"/api/v1/conversations/{talk.pk}/turns",
            {"kind": "statement", "body": "Let me just say...", "expected_seq": 0},
            content_type="application/json",
        )
        assert response.status_code == 423
        assert response.json()["locked_until"]
        assert not Turn.objects.exists()
        detail = signed_in_client(partner_a).get(f"/api/v1/conversations/{talk.pk}").json()
        assert detail["locked"] is True

    @pytest.mark.parametrize("minutes", [0, 19, 24 * 60 + 1])
    def test_the_return_time_is_20_minutes_to_24_hours_away(
        self, talk: Conversation, partner_a: User, minutes: int
    ) -> None:
        now = timezone.now()
        with pytest.raises(actions.ActionError) as caught:
            actions.call_break(
                partner_a, talk, returns_at=now + timedelta(minutes=minutes), now=now
            )
        assert caught.value.field == "returns_at"
        assert not Break.objects.exists()
        # The API's schema states the same limits, so the body is refused as malformed (422,
        # naming the field) before any action runs.
        response = signed_in_client(partner_a).post(
            f"/api/v1/conversations/{talk.pk}/breaks",
            {"minutes": minutes},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "minutes"
        assert not Break.objects.exists()

    def test_the_limits_themselves_are_allowed(self, talk: Conversation, partner_a: User) -> None:
        now = timezone.now()
        actions.call_break(partner_a, talk, returns_at=now + timedelta(minutes=20), now=now)
        later = now + timedelta(minutes=21)
        actions.call_break(partner_a, talk, returns_at=later + timedelta(hours=24), now=later)
        assert Break.objects.count() == 2

    def test_the_shortest_break_on_the_page_is_accepted(
        self, talk: Conversation, partner_a: User
    ) -> None:
        # The page and the action once read the clock twice, so 20 minutes came out a hair
        # short and was always refused.
        response = signed_in_client(partner_a).post(
            f"/conversations/{talk.pk}/break/", {"minutes": 20}
        )
        assert response.status_code == 302
        taken = Break.objects.get()
        assert taken.returns_at - taken.created_at == timedelta(minutes=20)

    def test_the_api_schema_states_the_servers_limits(
        self, case: Case, partner_a: User, partner_b: User
    ) -> None:
        """Read the limits from the OpenAPI document, as a schema-driven client would: every
        length the schema allows is accepted, and everything it forbids is a 422."""
        document = Client().get("/api/v1/openapi.json").json()
        operation = document["paths"]["/api/v1/conversations/{pk}/breaks"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        minutes = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]["minutes"]
        assert minutes["type"] == "integer"
        low, high = minutes["minimum"], minutes["maximum"]
        assert (low, high) == (20, 24 * 60)  # flow.break_problem's own limits
        client = signed_in_client(partner_a)
        for allowed in (low, low + 1, high - 1, high):
            fresh = actions.open_conversation(partner_a, case, topic=f"{allowed} minutes")
            response = client.post(
                f"/api/v1/conversations/{fresh.pk}/breaks",
                {"minutes": allowed},
                content_type="application/json",
            )
            assert response.status_code == 201, (allowed, response.content)
        fresh = actions.open_conversation(partner_a, case, topic="Refused")
        for refused in (low - 1, high + 1, True, "30", 30.5, None):
            response = client.post(
                f"/api/v1/conversations/{fresh.pk}/breaks",
                {"minutes": refused},
                content_type="application/json",
            )
            assert response.status_code == 422, (refused, response.content)
        assert not Break.objects.filter(conversation=fresh).exists()

    def test_calling_a_break_twice_makes_one(self, talk: Conversation, partner_a: User) -> None:
        client = signed_in_client(partner_a)
        client.post(f"/conversations/{talk.pk}/break/", {"minutes": 30})
        client.post(f"/conversations/{talk.pk}/break/", {"minutes": 30})
        assert Break.objects.count() == 1

    def test_a_made_up_duration_is_refused_on_the_page(
        self, talk: Conversation, partner_a: User
    ) -> None:
        response = signed_in_client(partner_a).post(
            f"/conversations/{talk.pk}/break/", {"minutes": 5}
        )
        assert response.status_code == 400
        assert not Break.objects.exists()


class TestRevealTogether:
    def test_answers_open_to_the_couple_only_when_both_are_done(
        self, case: Case, partner_a: User, partner_b: User, clinician: User
    ) -> None:
        review = actions.open_review(partner_a, case, title="The party")
        actions.save_review_answer(partner_a, review, parts=ANSWER_A, done=True)
        actions.save_review_answer(partner_b, review, parts=ANSWER_B, done=False)
        url = f"/reviews/{review.pk}/"
        assert ANSWER_A["past"] not in signed_in_client(partner_b).get(url).content.decode()
        assert ANSWER_B["past"] not in signed_in_client(partner_a).get(url).content.decode()
        clinician_page = signed_in_client(clinician).get(url).content.decode()
        assert ANSWER_A["past"] in clinician_page  # finished: the clinician may read it
        assert ANSWER_B["past"] not in clinician_page  # a draft is its author's alone

        actions.save_review_answer(partner_b, review, parts=ANSWER_B, done=True)
        assert ANSWER_A["past"] in signed_in_client(partner_b).get(url).content.decode()
        assert ANSWER_B["past"] in signed_in_client(partner_a).get(url).content.decode()
        assert set(ReviewAnswer.objects.values_list("visibility", flat=True)) == {"couple"}
        review.refresh_from_db()
        assert review.revealed_at is not None
        assert AuditEvent.objects.filter(action="retrust.review.revealed").count() == 1

    def test_finishing_needs_every_part_and_saves_nothing_half_way(
        self, case: Case, partner_a: User, partner_b: User
    ) -> None:
        review = actions.open_review(partner_a, case, title="The party")
        client = signed_in_client(partner_a)
        data = {f"answer-{k}": v for k, v in ANSWER_A.items()} | {"answer-past": "", "then": "done"}
        response = client.post(f"/reviews/{review.pk}/", data)
        assert response.status_code == 400
        assert "Every part needs a few words" in response.content.decode()
        assert not ReviewAnswer.objects.exists()

    def test_finishing_twice_is_harmless_and_a_finished_answer_is_final(
        self, case: Case, partner_a: User, partner_b: User
    ) -> None:
        review = actions.open_review(partner_a, case, title="The party")
        first = actions.save_review_answer(partner_a, review, parts=ANSWER_A, done=True)
        again = actions.save_review_answer(partner_a, review, parts=ANSWER_A, done=True)
        assert first.pk == again.pk
        with pytest.raises(actions.ActionError, match="already finished"):
            actions.save_review_answer(
                partner_a, review, parts={**ANSWER_A, "felt": "changed"}, done=True
            )

    def test_the_clinician_comments_and_the_couple_reads_it(
        self, case: Case, partner_a: User, partner_b: User, clinician: User
    ) -> None:
        review = actions.open_review(partner_a, case, title="The party")
        signed_in_client(clinician).post(
            f"/reviews/{review.pk}/comment/", {"body": "Let's begin here on Tuesday."}
        )
        page = signed_in_client(partner_b).get(f"/reviews/{review.pk}/").content.decode()
        assert "Let&#x27;s begin here on Tuesday." in page


class TestTriggerLog:
    def test_private_by_default_and_shared_only_with_the_clinician(
        self, case: Case, partner_a: User, partner_b: User, clinician: User
    ) -> None:
        client = signed_in_client(partner_a)
        client.post(f"/cases/{case.pk}/triggers/", {"what_happened": "Quiet-one", "intensity": 6})
        assert TriggerEntry.objects.get().visibility == "private"
        client.post(
            f"/cases/{case.pk}/triggers/",
            {"what_happened": "Shared-one", "intensity": 8, "visibility": "clinician"},
        )
        url = f"/cases/{case.pk}/triggers/"
        seen_by_clinician = signed_in_client(clinician).get(url).content.decode()
        assert "Shared-one" in seen_by_clinician and "Quiet-one" not in seen_by_clinician
        seen_by_b = signed_in_client(partner_b).get(url).content.decode()
        assert "Shared-one" not in seen_by_b and "Quiet-one" not in seen_by_b

    def test_the_trend_counts_weeks(self, case: Case, partner_a: User) -> None:
        now = timezone.now()
        for days_ago, level in [(0, 4), (0, 8), (7, 2)]:
            entry = actions.log_trigger(partner_a, case, what_happened="x", intensity=level)
            TriggerEntry.objects.filter(pk=entry.pk).update(
                occurred_at=now - timedelta(days=days_ago)
            )
        response = signed_in_client(partner_a).get(f"/cases/{case.pk}/triggers/")
        weeks = response.context["weeks"]
        assert weeks[-1].count == 2 and weeks[-1].mean_intensity == 6.0
        assert sum(week.count for week in weeks) == 3
        page = response.content.decode()
        assert "<svg" in page and "<rect" in page and 'style="' not in page

    @pytest.mark.parametrize("intensity", ["11", "-1", "lots", ""])
    def test_bad_intensity_is_refused(self, case: Case, partner_a: User, intensity: str) -> None:
        response = signed_in_client(partner_a).post(
            f"/cases/{case.pk}/triggers/", {"what_happened": "A song", "intensity": intensity}
        )
        assert response.status_code == 400
        assert not TriggerEntry.objects.exists()

    def test_the_same_form_sent_twice_logs_once(self, case: Case, partner_a: User) -> None:
        client = signed_in_client(partner_a)
        data = {"what_happened": "A song", "intensity": 3, "creation_key": "k-1"}
        client.post(f"/cases/{case.pk}/triggers/", data)
        client.post(f"/cases/{case.pk}/triggers/", data)
        assert TriggerEntry.objects.count() == 1


class TestGentleStartBuilder:
    DATA = {
        "feeling": "lonely",
        "situation": "when we eat in front of the TV",
        "need": "I'd love one dinner a week at the table",
    }

    def test_send_opens_a_conversation_with_the_message_once(
        self, case: Case, partner_a: User, partner_b: User
    ) -> None:
        client = signed_in_client(partner_a)
        data = {**self.DATA, "creation_key": "same-form", "then": "conversation"}
        assert client.post(f"/cases/{case.pk}/gentle-start/", data).status_code == 302
        assert client.post(f"/cases/{case.pk}/gentle-start/", data).status_code == 302
        conversation = Conversation.objects.get()
        assert conversation.turns.get().body == (
            "I feel lonely when we eat in front of the TV. I'd love one dinner a week at the table."
        )

    def test_save_writes_a_private_journal_entry(
        self, case: Case, partner_a: User, partner_b: User
    ) -> None:
        client = signed_in_client(partner_a)
        client.post(f"/cases/{case.pk}/gentle-start/", {**self.DATA, "then": "journal"})
        entry = JournalEntry.objects.get()
        assert entry.visibility == "private" and entry.body.startswith("I feel lonely")
        assert not Conversation.objects.exists()

    def test_missing_parts_are_named(self, case: Case, partner_a: User) -> None:
        response = signed_in_client(partner_a).post(
            f"/cases/{case.pk}/gentle-start/", {"feeling": "lonely"}
        )
        assert response.status_code == 400
        assert not Conversation.objects.exists()

    def test_a_conversation_needs_both_partners(self, case: Case, partner_a: User) -> None:
        response = signed_in_client(partner_a).post(
            f"/cases/{case.pk}/conversations/new/", {"topic": "Weekends"}
        )
        assert response.status_code == 400
        assert "hasn&#x27;t joined yet" in response.content.decode()


def test_a_closed_case_takes_nothing_new(talk: Conversation, case: Case, partner_a: User) -> None:
    Case.objects.filter(pk=case.pk).update(status="closed")
    with pytest.raises(actions.ActionError, match="closed"):
        turn(partner_a, talk, "statement", "Hello")
    with pytest.raises(actions.ActionError, match="closed"):
        actions.log_trigger(partner_a, case, what_happened="x", intensity=1)
    assert not HurtfulMomentReview.objects.exists()


def test_every_change_is_audited(talk: Conversation, partner_a: User, partner_b: User) -> None:
    turn(partner_a, talk, "statement", "Secret words")
    actions.call_break(partner_b, talk, returns_at=timezone.now() + timedelta(minutes=25))
    names = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "retrust.conversation.opened",
        "retrust.conversation.turn.posted",
        "retrust.conversation.break.called",
    } <= names
    assert "Secret words" not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_anonymous_feedback_is_sent_to_sign_in(db: None) -> None:
    assert Client().post("/coach/feedback/", {"body": "x"}).status_code == 302


def test_a_safety_pause_holds_couple_work_but_not_the_private_log(
    talk: Conversation, case: Case, partner_a: User, partner_b: User
) -> None:
    pause_case(case)
    client = signed_in_client(partner_a)
    response = client.post(
        f"/api/v1/conversations/{talk.pk}/turns",
        {"kind": "statement", "body": "Hello", "expected_seq": 0},
        content_type="application/json",
    )
    assert response.status_code == 409
    # A pause is a state that changed under the form: 409, with the practice's wording.
    response = client.post(f"/cases/{case.pk}/conversations/new/", {"topic": "Money"})
    assert response.status_code == 409
    assert "Individual sessions are the next step" in response.content.decode()
    with pytest.raises(actions.ActionError):
        actions.open_review(partner_a, case, title="The party")
    assert Turn.objects.count() == 0 and Conversation.objects.count() == 1
    # A private trigger entry is not shared work.
    actions.log_trigger(partner_a, case, what_happened="x", intensity=2)


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        ("the dishes in the sink", "I feel hurt about the dishes in the sink."),
        ("the way you talked to me", "I feel hurt about the way you talked to me."),
        ("you came home at 2am", "I feel hurt when you came home at 2am."),
        (
            "on monday you didnt answer my texts all night",
            "I feel hurt when on monday you didnt answer my texts all night.",
        ),
        ("last night, we argued again", "I feel hurt when last night, we argued again."),
        ("the other day you forgot", "I feel hurt when the other day you forgot."),
        ("at dinner you checked your phone", "I feel hurt when at dinner you checked your phone."),
        ("when you left early", "I feel hurt when you left early."),
        ("about Saturday", "I feel hurt about Saturday."),
        ("Monday", "I feel hurt about Monday."),
    ],
)
def test_the_builder_joins_a_situation_the_way_english_does(situation: str, message: str) -> None:
    assert compose("hurt", situation, "") == message
