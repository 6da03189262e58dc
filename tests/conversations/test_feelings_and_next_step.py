"""Words for a hard moment (feelings and needs → a gentle start-up or a private journal entry),
and the hurtful-moment review's count of questions and its next step once both have finished.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from retrust.conversations import actions, feelings
from retrust.conversations.forms import ReviewAnswerForm
from retrust.conversations.models import Conversation, HurtfulMomentReview
from retrust.core.exceptions import ActionError
from retrust.core.models import Case, JournalEntry, User
from tests.conftest import make_user, pause_case, signed_in_client
from tests.conversations.conftest import ANSWER_A, TalkWorld, rows
from tests.support.matrix import Route, check, matrix, pages
from tests.test_query_counts import assert_constant

PARTNERS = {"partner_a": 200, "partner_b": 200}
WORDS = {"feelings": ["lonely", "hurt"], "needs": ["reassurance"], "then": "conversation"}


def nothing_kept(world: TalkWorld) -> tuple[int, int]:
    return Conversation.objects.count(), JournalEntry.objects.count()


ROUTES = [
    Route("feeling words", "GET", "/cases/{case}/feeling-words/", pages(**PARTNERS)),
    Route(
        # The words open the builder, filled in; nothing is stored by this page.
        "feeling words to a conversation",
        "POST",
        "/cases/{case}/feeling-words/",
        pages(**PARTNERS),
        data=WORDS,
        state=nothing_kept,
        unchanged=frozenset({"partner_a", "partner_b"}),
    ),
    Route(
        "feeling words in another case",
        "POST",
        "/cases/{other_case}/feeling-words/",
        pages(),
        data=WORDS,
        state=nothing_kept,
    ),
    Route(
        # talk_world's review is not finished by both yet: partners are told so, kindly.
        "review to the next session",
        "POST",
        "/reviews/{review}/next-session/",
        pages(partner_a=400, partner_b=400),
        state=lambda world: rows(HurtfulMomentReview, "for_session_at"),
    ),
    Route(
        # Nobody asked to take talk_world's review to a session: the clinician is told so.
        "review talked through",
        "POST",
        "/reviews/{review}/talked-through/",
        pages(clinician=400),
        state=lambda world: rows(HurtfulMomentReview, "talked_through_at"),
    ),
]


@pytest.mark.parametrize(("route", "persona"), matrix(ROUTES))
def test_access(
    route: Route, persona: str, talk_world: TalkWorld, client_for: Callable[[str], Client]
) -> None:
    check(route, persona, talk_world, client_for(persona), json_body=False)


def main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


# --- the word list ----------------------------------------------------------------------------


def test_the_sentences_keep_the_list_order_and_read_naturally() -> None:
    order = feelings.feeling_order()
    assert feelings.in_list_order(["lonely", "hurt", "not a word", "hurt"], order) == [
        "hurt",
        "lonely",
    ]
    assert feelings.join_words(["hurt", "lonely", "scared"]) == "hurt, lonely and scared"
    assert feelings.need_sentence(["reassurance", "honesty"]) == "I need reassurance and honesty"
    assert feelings.journal_text(["hurt"], []) == "I feel hurt."
    assert feelings.journal_text([], ["some time"]) == "I need some time."
    # Every word appears once across the groups, so a ticked word has one meaning.
    assert len(order) == len(set(order))


def test_start_a_conversation_opens_the_builder_filled_in(
    case: Case, partner_a: User, partner_b: User
) -> None:
    client = signed_in_client(partner_a)
    page = client.post(f"/cases/{case.pk}/feeling-words/", WORDS)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Build a gentle start-up" in html
    assert 'value="hurt and lonely"' in html  # list order, not ticking order
    assert "I need reassurance</textarea>" in html
    # The builder's form sends to the builder, not back to this page.
    assert f'action="/cases/{case.pk}/gentle-start/"' in html
    assert Conversation.objects.count() == 0 and JournalEntry.objects.count() == 0
    # Sending it from there is the builder's ordinary send.
    sent = client.post(
        f"/cases/{case.pk}/gentle-start/",
        {"feeling": "hurt and lonely", "situation": "last night", "need": "I need reassurance"},
    )
    assert sent.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.turns.get().body == (
        "I feel hurt and lonely about last night. I need reassurance."
    )


def test_write_it_in_my_journal_opens_a_private_entry_filled_in(
    case: Case, partner_a: User, partner_b: User
) -> None:
    client = signed_in_client(partner_a)
    page = client.post(
        f"/cases/{case.pk}/feeling-words/",
        {"feelings": ["scared"], "needs": ["to be heard", "some time"], "then": "journal"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "I feel scared. I need to be heard and some time.</textarea>" in html
    assert re.search(r'value="private"[^>]*checked', html)
    assert f'action="/cases/{case.pk}/journal/"' in html
    assert JournalEntry.objects.count() == 0


def test_no_word_ticked_is_a_clear_message_and_nothing_else(
    case: Case, partner_a: User, partner_b: User
) -> None:
    page = signed_in_client(partner_a).post(
        f"/cases/{case.pk}/feeling-words/", {"feelings": ["not on the list"], "then": "journal"}
    )
    assert page.status_code == 400
    assert "Tick at least one word" in page.content.decode() or "valid choice" in (
        page.content.decode()
    )
    assert JournalEntry.objects.count() == 0


def test_a_held_partner_is_not_steered_into_couple_work(
    case: Case, partner_a: User, partner_b: User
) -> None:
    pause_case(case, held_for=partner_b, shown=False)
    held = signed_in_client(partner_b)
    page = held.get(f"/cases/{case.pk}/feeling-words/").content.decode()
    assert 'value="conversation"' not in page
    assert "Write it in my journal" in page
    # Even a crafted "conversation" lands in the private journal form.
    landed = held.post(f"/cases/{case.pk}/feeling-words/", WORDS).content.decode()
    assert "Write in your journal" in landed
    assert "Build a gentle start-up" not in landed
    # The other partner sees no change at all before the clinician acts.
    other = signed_in_client(partner_a).get(f"/cases/{case.pk}/feeling-words/").content.decode()
    assert 'value="conversation"' in other


def test_a_partner_alone_in_the_case_goes_to_the_journal(case: Case, partner_a: User) -> None:
    client = signed_in_client(partner_a)
    page = client.get(f"/cases/{case.pk}/feeling-words/").content.decode()
    assert 'value="conversation"' not in page
    landed = client.post(f"/cases/{case.pk}/feeling-words/", WORDS).content.decode()
    assert "Write in your journal" in landed


def test_nobody_else_sees_anything_of_it(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    """The page keeps nothing: after a partner used it, the other partner's and the
    clinician's pages carry none of the words, and no audit row or record was written."""
    from retrust.core.models import AuditEvent

    client = signed_in_client(partner_a)
    before = AuditEvent.objects.count()
    client.post(
        f"/cases/{case.pk}/feeling-words/",
        {"feelings": ["taken for granted"], "needs": ["a plan we both keep"], "then": "journal"},
    )
    assert AuditEvent.objects.count() == before
    for user in (partner_b, clinician):
        client = signed_in_client(user)
        for url in ("/home/", f"/cases/{case.pk}/talk/", f"/cases/{case.pk}/"):
            html = client.get(url, follow=True).content.decode()
            assert "taken for granted" not in html
            assert "a plan we both keep" not in html


def test_the_page_runs_a_constant_number_of_queries(
    case: Case, partner_a: User, partner_b: User
) -> None:
    def grow() -> None:
        for i in range(10):
            actions.open_conversation(partner_a, case, topic=f"Topic {i}")
            actions.open_review(partner_b, case, title=f"Moment {i}")

    grow()
    assert_constant(signed_in_client(partner_a), f"/cases/{case.pk}/feeling-words/", grow)


def test_the_pages_after_a_hard_moment_link_to_it(
    case: Case, partner_a: User, partner_b: User
) -> None:
    client = signed_in_client(partner_a)
    link = f'href="/cases/{case.pk}/feeling-words/"'
    for url in ("/home/", f"/cases/{case.pk}/talk/", f"/cases/{case.pk}/gentle-start/"):
        assert link in client.get(url).content.decode(), url


# --- the review: how many questions, and what next ----------------------------------------


def finished(case: Case, a: User, b: User) -> HurtfulMomentReview:
    review = actions.open_review(a, case, title="The night of the party")
    actions.save_review_answer(a, review, parts=ANSWER_A, done=True)
    actions.save_review_answer(b, review, parts=ANSWER_A, done=True)
    review.refresh_from_db()
    return review


def test_the_stated_number_of_questions_is_the_forms(
    case: Case, partner_a: User, partner_b: User
) -> None:
    client = signed_in_client(partner_a)
    count = len(ReviewAnswerForm.base_fields)
    talk = main(client.get(f"/cases/{case.pk}/talk/").content.decode())
    assert f"answers {count} questions alone" in talk
    review = actions.open_review(partner_a, case, title="The phone call")
    page = main(client.get(f"/reviews/{review.pk}/").content.decode())
    assert f"answers {count} questions alone" in page
    # ... and the form on that page asks exactly that many.
    assert page.count("<textarea") == count


def test_before_both_finish_there_is_no_next_step(
    case: Case, partner_a: User, partner_b: User
) -> None:
    review = actions.open_review(partner_a, case, title="The phone call")
    actions.save_review_answer(partner_a, review, parts=ANSWER_A, done=True)
    page = signed_in_client(partner_a).get(f"/reviews/{review.pk}/").content.decode()
    assert "What next?" not in page
    with pytest.raises(ActionError):
        actions.take_review_to_session(partner_a, review)


def test_talk_it_through_opens_the_builder_about_this_moment(
    case: Case, partner_a: User, partner_b: User
) -> None:
    review = finished(case, partner_a, partner_b)
    client = signed_in_client(partner_b)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    link = f"/cases/{case.pk}/gentle-start/?review={review.pk}"
    assert f'href="{link}"' in page
    builder = client.get(link).content.decode()
    assert "about “The night of the party”" in builder
    assert Conversation.objects.count() == 0


def test_talk_it_through_never_fills_in_a_review_from_elsewhere(
    case: Case, other_practice_case: Case, partner_a: User, partner_b: User
) -> None:
    cy, di = make_user("cy@example.org", "Cy"), make_user("di@example.org", "Di")
    other_practice_case.members.create(user=cy, role="partner_a")
    other_practice_case.members.create(user=di, role="partner_b")
    elsewhere = finished(other_practice_case, cy, di)
    builder = signed_in_client(partner_a).get(
        f"/cases/{case.pk}/gentle-start/?review={elsewhere.pk}"
    )
    assert builder.status_code == 200
    assert "The night of the party" not in builder.content.decode()


def test_take_it_to_the_next_session_what_each_person_sees(
    case: Case, partner_a: User, partner_b: User, clinician: User, other_clinician: User
) -> None:
    review = finished(case, partner_a, partner_b)
    asker = signed_in_client(partner_a)
    done = asker.post(f"/reviews/{review.pk}/next-session/")
    assert done.status_code == 302
    again = asker.post(f"/reviews/{review.pk}/next-session/")  # a double submit: no change
    assert again.status_code == 302
    review.refresh_from_db()
    first_at = review.for_session_at
    assert first_at is not None and review.for_session_by == partner_a
    assert (
        signed_in_client(partner_b).post(f"/reviews/{review.pk}/next-session/").status_code == 302
    )
    review.refresh_from_db()
    assert review.for_session_at == first_at and review.for_session_by == partner_a

    mine = main(asker.get(f"/reviews/{review.pk}/").content.decode())
    assert "You asked on" in mine and "your next session" in mine
    assert "Take it to our next session" not in mine
    theirs = main(signed_in_client(partner_b).get(f"/reviews/{review.pk}/").content.decode())
    assert "Ari asked on" in theirs
    staff = signed_in_client(clinician)
    assert "Ari asked on" in main(staff.get(f"/reviews/{review.pk}/").content.decode())
    case_page = staff.get(f"/cases/{case.pk}/").content.decode()
    assert "Asked for the next session" in case_page
    assert "The night of the party" in case_page
    assert "asked by Ari" in case_page
    elsewhere = signed_in_client(other_clinician).get(f"/cases/{case.pk}/")
    assert elsewhere.status_code == 404


def test_the_clinician_sees_the_booked_date_and_a_partner_never_does(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    """The next booked session may be one partner's own; the other must not learn of it."""
    from retrust.sessions.models import Appointment, Kind

    start = timezone.now() + timedelta(days=3)
    appointment = Appointment.objects.create(
        case=case, clinician=clinician, start=start, kind=Kind.INDIVIDUAL
    )
    appointment.participants.add(partner_a)
    review = finished(case, partner_a, partner_b)
    actions.take_review_to_session(partner_a, review)
    staff = main(signed_in_client(clinician).get(f"/reviews/{review.pk}/").content.decode())
    assert "booked for" in staff
    for partner in (partner_a, partner_b):
        page = main(signed_in_client(partner).get(f"/reviews/{review.pk}/").content.decode())
        assert "booked for" not in page


def test_a_held_partner_gets_the_pause_not_the_next_step(
    case: Case, partner_a: User, partner_b: User
) -> None:
    review = finished(case, partner_a, partner_b)
    pause_case(case, held_for=partner_b, shown=False)
    held = signed_in_client(partner_b)
    page = held.get(f"/reviews/{review.pk}/").content.decode()
    assert "Take it to our next session" not in page and "Talk it through" not in page
    assert held.post(f"/reviews/{review.pk}/next-session/").status_code == 409
    review.refresh_from_db()
    assert review.for_session_at is None
    # The other partner sees no change before the clinician acts.
    assert "Take it to our next session" in (
        signed_in_client(partner_a).get(f"/reviews/{review.pk}/").content.decode()
    )


def test_the_review_page_stays_constant_with_the_next_step(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    review = finished(case, partner_a, partner_b)
    actions.take_review_to_session(partner_a, review)

    def grow() -> None:
        for i in range(10):
            actions.comment_on_review(clinician, review, body=f"Comment {i}")

    for user in (partner_b, clinician):
        assert_constant(signed_in_client(user), f"/reviews/{review.pk}/", grow)


def test_the_clinician_notes_it_was_talked_through_and_it_leaves_the_list(
    case: Case, partner_a: User, partner_b: User, clinician: User, other_clinician: User
) -> None:
    review = finished(case, partner_a, partner_b)
    actions.take_review_to_session(partner_b, review)
    assert (
        signed_in_client(other_clinician).post(f"/reviews/{review.pk}/talked-through/").status_code
        == 404
    )
    assert (
        signed_in_client(partner_a).post(f"/reviews/{review.pk}/talked-through/").status_code == 404
    )
    staff = signed_in_client(clinician)
    assert "We talked it through in session" in staff.get(f"/reviews/{review.pk}/").content.decode()
    for _ in range(2):  # a double submit: noted once
        assert staff.post(f"/reviews/{review.pk}/talked-through/").status_code == 302
    review.refresh_from_db()
    assert review.talked_through_at is not None
    from retrust.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="retrust.review.talked_through").count() == 1
    assert "Asked for the next session" not in staff.get(f"/cases/{case.pk}/").content.decode()
    page = main(signed_in_client(partner_a).get(f"/reviews/{review.pk}/").content.decode())
    assert "Talked through in session" in page
    assert "You talked it through with your clinician." in page
    assert "Take it to our next session" not in page
