"""The Talk pages offer only what the actions would accept.

While a partner is held by a pause, the forms a pause blocks (open a conversation, take a turn,
call a break, open a review, finish an answer) show the pause's kind message before anyone
types; the other partner sees no change until the clinician acts. One partner alone in an
individual-track case is offered nothing that needs two people, and nothing on the pages
speaks to two people.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from retrust.conversations import actions
from retrust.conversations.models import Conversation, HurtfulMomentReview, ReviewAnswer
from retrust.core import pause
from retrust.core.models import Case, User
from tests.conftest import pause_case, signed_in_client
from tests.conversations.conftest import ANSWER_A

HELD = "Your clinician will be in touch with you soon"
SHOWN = "Individual sessions are the next step"


def main(client: Client, url: str) -> str:
    """The page's own content (the menu and footer are not the page's to word)."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


@pytest.fixture
def talk(case: Case, partner_a: User, partner_b: User) -> Conversation:
    conversation = actions.open_conversation(partner_a, case, topic="Phones at dinner")
    actions.post_turn(partner_a, conversation, kind="statement", body="I miss you", expected_seq=0)
    return conversation


@pytest.fixture
def review(case: Case, partner_a: User, partner_b: User) -> HurtfulMomentReview:
    return actions.open_review(partner_b, case, title="The party")


def pages(case: Case, talk: Conversation, review: HurtfulMomentReview) -> dict[str, str]:
    return {
        "talk": f"/cases/{case.pk}/talk/",
        "conversation": f"/conversations/{talk.pk}/",
        "review": f"/reviews/{review.pk}/",
        "gentle start": f"/cases/{case.pk}/gentle-start/",
        "triggers": f"/cases/{case.pk}/triggers/",
    }


# What each page offers to someone whose shared work is not held.
OFFERED = {
    "talk": ['action="/cases/{case}/conversations/new/"', 'action="/cases/{case}/reviews/new/"'],
    # partner_b sums up next; both may call a break.
    "conversation": ['action="/conversations/{talk}/break/"'],
    "review": ['value="done"'],
    "gentle start": ['value="conversation"'],
}


def offered(page: str, name: str, ids: dict[str, int]) -> list[bool]:
    return [snippet.format(**ids) in page for snippet in OFFERED.get(name, [])]


class TestWhileHeld:
    def test_the_held_partner_sees_the_pause_where_the_forms_were(
        self,
        case: Case,
        talk: Conversation,
        review: HurtfulMomentReview,
        partner_a: User,
        partner_b: User,
    ) -> None:
        pause_case(case, held_for=partner_b, shown=False)
        ids = {"case": case.pk, "talk": talk.pk}
        held = signed_in_client(partner_b)
        for name, url in pages(case, talk, review).items():
            page = main(held, url)
            assert not any(offered(page, name, ids)), name
            if name != "triggers":
                assert HELD in page, name
        conversation = main(held, f"/conversations/{talk.pk}/")
        assert 'name="body"' not in conversation  # no turn to type and lose
        review_page = main(held, f"/reviews/{review.pk}/")
        assert 'value="draft"' in review_page  # a draft is private: it still works
        # The private trigger log still works, and says nothing of the pause.
        triggers = main(held, f"/cases/{case.pk}/triggers/")
        assert 'name="what_happened"' in triggers and HELD not in triggers

    def test_the_other_partner_sees_no_change_until_the_clinician_acts(
        self,
        case: Case,
        talk: Conversation,
        review: HurtfulMomentReview,
        partner_a: User,
        partner_b: User,
    ) -> None:
        ids = {"case": case.pk, "talk": talk.pk}
        other = signed_in_client(partner_a)
        before = {name: main(other, url) for name, url in pages(case, talk, review).items()}
        pause_case(case, held_for=partner_b, shown=False)
        for name, url in pages(case, talk, review).items():
            page = main(other, url)
            assert all(offered(page, name, ids)), name
            assert HELD not in page and SHOWN not in page
            # Not a word different: the timing of a disclosure shows nothing.
            strip = re.compile(r'name="(csrfmiddlewaretoken|creation_key)" value="[^"]*"')
            assert strip.sub("", page) == strip.sub("", before[name]), name

    def test_once_the_clinician_has_acted_both_see_the_neutral_wording(
        self,
        case: Case,
        talk: Conversation,
        review: HurtfulMomentReview,
        partner_a: User,
        partner_b: User,
    ) -> None:
        pause_case(case, held_for=partner_b, shown=True)
        ids = {"case": case.pk, "talk": talk.pk}
        for partner in (partner_a, partner_b):
            client = signed_in_client(partner)
            for name, url in pages(case, talk, review).items():
                page = main(client, url)
                assert not any(offered(page, name, ids)), (partner.name, name)
                assert HELD not in page
                if name != "triggers":
                    assert SHOWN in page, name

    def test_what_still_works_while_held(
        self, case: Case, talk: Conversation, review: HurtfulMomentReview, partner_b: User
    ) -> None:
        pause_case(case, held_for=partner_b, shown=False)
        client = signed_in_client(partner_b)
        draft = client.post(f"/reviews/{review.pk}/", {"answer-felt": "Cornered", "then": "draft"})
        assert draft.status_code == 302
        assert ReviewAnswer.objects.get().visibility == "private"
        logged = client.post(f"/cases/{case.pk}/triggers/", {"what_happened": "x", "intensity": 2})
        assert logged.status_code == 302

    def test_a_break_is_shared_work_too(
        self, case: Case, talk: Conversation, partner_b: User
    ) -> None:
        pause_case(case, held_for=partner_b, shown=False)
        response = signed_in_client(partner_b).post(
            f"/api/v1/conversations/{talk.pk}/breaks",
            {"minutes": 30},
            content_type="application/json",
        )
        assert response.status_code == 409
        talk.refresh_from_db()
        assert talk.locked_until is None  # the other partner sees no break appear
        page = signed_in_client(partner_b).post(f"/conversations/{talk.pk}/break/", {"minutes": 30})
        assert page.status_code == 409
        assert HELD in page.content.decode()

    def test_finishing_an_answer_while_held_is_refused_with_the_kind_message(
        self, case: Case, review: HurtfulMomentReview, partner_b: User
    ) -> None:
        pause_case(case, held_for=partner_b, shown=False)
        data = {f"answer-{k}": v for k, v in ANSWER_A.items()} | {"then": "done"}
        response = signed_in_client(partner_b).post(f"/reviews/{review.pk}/", data)
        assert response.status_code == 409
        assert HELD in response.content.decode()
        assert not ReviewAnswer.objects.filter(done_at__isnull=False).exists()

    def test_the_clinician_reads_no_partner_message(
        self, case: Case, talk: Conversation, partner_b: User, clinician: User
    ) -> None:
        pause_case(case, held_for=partner_b, shown=False)
        assert pause.is_paused(case)
        page = main(signed_in_client(clinician), f"/cases/{case.pk}/talk/")
        assert HELD not in page and "Phones at dinner" in page


class TestOnePartnerAlone:
    @pytest.fixture
    def solo(self, case: Case, partner_a: User) -> Case:
        Case.objects.filter(pk=case.pk).update(track="individual")
        case.refresh_from_db()
        return case

    TWO_PEOPLE = re.compile(
        r"\b(both of you|each of you|you both|both finished|each other|our clinician|"
        r"your partner hasn|once your partner)\b",
        re.IGNORECASE,
    )

    def test_no_couple_choice_and_no_words_for_two(self, solo: Case, partner_a: User) -> None:
        client = signed_in_client(partner_a)
        for url in (
            f"/cases/{solo.pk}/talk/",
            f"/cases/{solo.pk}/gentle-start/",
            f"/cases/{solo.pk}/triggers/",
        ):
            page = main(client, url)
            assert not self.TWO_PEOPLE.search(page), (url, self.TWO_PEOPLE.search(page))
            assert "Open a conversation" not in page and "Start a review" not in page
            assert 'value="conversation"' not in page
        triggers = main(client, f"/cases/{solo.pk}/triggers/")
        assert "Me and my clinician" in triggers
        assert "Save to my journal" in main(client, f"/cases/{solo.pk}/gentle-start/")

    def test_a_review_needs_two_partners(self, solo: Case, partner_a: User) -> None:
        # Finishing alone would have "revealed" the answer to a partner who joins later.
        with pytest.raises(actions.ActionError, match="hasn't joined"):
            actions.open_review(partner_a, solo, title="The party")
        response = signed_in_client(partner_a).post(
            f"/cases/{solo.pk}/reviews/new/", {"title": "The party"}
        )
        assert response.status_code == 400
        assert not HurtfulMomentReview.objects.exists()

    def test_a_couple_case_waiting_for_its_second_partner_says_so(
        self, case: Case, partner_a: User
    ) -> None:
        page = main(signed_in_client(partner_a), f"/cases/{case.pk}/talk/")
        assert "It opens here once your partner has joined" in page
        assert "Open a conversation" not in page and "Start a review" not in page
