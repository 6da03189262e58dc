"""Messages as the people using them notice them: who reads what, what an email says, what a
pause changes, and what happens to a double tap or an empty box."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from retrust.core import messaging
from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import AuditEvent, Case, User
from retrust.notifications.models import Notification
from retrust.threads import actions, queries
from retrust.threads.models import MESSAGE_MAX, Message, ReadMarker, Thread, ThreadSettings
from tests.conftest import lift_case, pause_case, signed_in_client
from tests.support.mail import body_of, run_queued_tasks

FROM_ARI = "Ari-to-clinician: the drawer again last night, I barely slept"
TO_ARI = "Clinician-to-Ari: thank you for telling me, we will make room for it on Thursday"

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|name="client_token" value="[^"]*"')


def page(client: Client, url: str) -> str:
    """A page's HTML without the per-request tokens, for before/after comparisons."""
    response = client.get(url)
    assert response.status_code == 200, url
    return CSRF.sub("", response.content.decode())


def other_partners_view(client: Client, case: Case) -> dict[str, Any]:
    urls = [
        "/home/",
        f"/cases/{case.pk}/messages/",
        f"/cases/{case.pk}/messages/together/",
        f"/cases/{case.pk}/messages/partner_b/",
    ]
    seen: dict[str, Any] = {url: page(client, url) for url in urls}
    for url in (f"/api/v1/cases/{case.pk}/threads", f"/api/v1/cases/{case.pk}/threads/together"):
        seen[url] = client.get(url).json()
    return seen


# --- who reads what ---------------------------------------------------------------------------


def test_the_other_partner_sees_nothing_of_a_private_exchange(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    # Bo has a thread of their own and a shared one already, so their pages are not empty.
    actions.send_message(partner_b, case, "together", body="We did the check-in twice.")
    actions.send_message(clinician, case, "partner_b", body="How are the evenings going?")
    bo = signed_in_client(partner_b)
    other_partners_view(bo, case)  # Bo reads what is new for them first
    before = other_partners_view(bo, case)

    ari = signed_in_client(partner_a)
    response = ari.post(f"/cases/{case.pk}/messages/partner_a/", {"body": FROM_ARI})
    assert response.status_code == 302
    clinician_client = signed_in_client(clinician)
    response = clinician_client.post(f"/cases/{case.pk}/messages/partner_a/", {"body": TO_ARI})
    assert response.status_code == 302

    # Ari reads the reply; their clinician reads both.
    for client in (ari, clinician_client):
        text = page(client, f"/cases/{case.pk}/messages/partner_a/")
        assert FROM_ARI in text and TO_ARI in text

    # Bo: no thread, no count, no date, nothing on home — byte for byte what it was.
    assert other_partners_view(bo, case) == before
    assert bo.get(f"/cases/{case.pk}/messages/partner_a/").status_code == 404
    assert bo.get(f"/api/v1/cases/{case.pk}/threads/partner_a").status_code == 404
    assert queries.unread_count(partner_b) == 0
    assert (
        not Message.objects.visible_to(partner_b)
        .filter(body__isnull=False)
        .filter(thread__author=partner_a, thread__kind="private")
        .exists()
    )


def test_a_clinicians_reply_is_in_the_partners_thread_whoever_writes_it(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    reply = actions.send_message(clinician, case, "partner_a", body=TO_ARI)
    assert (reply.thread.author_id, reply.thread.visibility) == (partner_a.pk, "clinician")
    assert set(Message.objects.visible_to(partner_a)) == {reply}
    assert set(Message.objects.visible_to(clinician)) == {reply}
    assert not Message.objects.visible_to(partner_b).exists()


def test_an_empty_thread_and_a_busy_one_answer_alike_for_the_other_partner(
    case: Case, partner_a: User, partner_b: User
) -> None:
    bo = signed_in_client(partner_b)
    url = f"/cases/{case.pk}/messages/partner_a/"
    empty = bo.get(url)
    actions.send_message(partner_a, case, "partner_a", body=FROM_ARI)
    busy = bo.get(url)
    assert empty.status_code == busy.status_code == 404
    assert CSRF.sub("", empty.content.decode()) == CSRF.sub("", busy.content.decode())


def test_the_couples_thread_exists_only_once_both_partners_are_here(
    case: Case, partner_a: User, clinician: User
) -> None:
    ari = signed_in_client(partner_a)
    assert ari.get(f"/cases/{case.pk}/messages/together/").status_code == 404
    text = page(ari, f"/cases/{case.pk}/messages/")
    assert "You and Dana Clinician" in text and "Both of you" not in text
    with pytest.raises(ActionError):
        actions.send_message(partner_a, case, "together", body="Hello")


# --- at rest and in the audit trail ---------------------------------------------------------


def test_message_text_is_encrypted_at_rest(case: Case, partner_a: User) -> None:
    actions.send_message(partner_a, case, "partner_a", body=FROM_ARI)
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM threads_message")
        [(stored,)] = cursor.fetchall()
    assert "drawer" not in str(stored)
    assert Message.objects.get().body == FROM_ARI


def test_a_clinicians_reading_is_recorded_once_and_a_list_is_not_a_reading(
    case: Case, partner_a: User, clinician: User
) -> None:
    actions.send_message(partner_a, case, "partner_a", body=FROM_ARI)
    viewed = AuditEvent.objects.filter(action="retrust.case.content.viewed", actor=clinician)
    client = signed_in_client(clinician)
    page(client, f"/cases/{case.pk}/messages/")
    assert not viewed.exists()
    page(client, f"/cases/{case.pk}/messages/partner_a/")
    assert list(viewed.values_list("details", flat=True)) == [{"what": "messages"}]
    client.get(f"/api/v1/cases/{case.pk}/threads/partner_a")
    # The same clinician reading the same kind of content in the same case again within the
    # audit's merge window adds no second row (core.audit.record_content_viewed).
    assert viewed.count() == 1
    page(signed_in_client(partner_a), f"/cases/{case.pk}/messages/partner_a/")
    assert not AuditEvent.objects.filter(
        action="retrust.case.content.viewed", actor=partner_a
    ).exists()
    sent = AuditEvent.objects.get(action="retrust.thread.message.sent")
    assert "drawer" not in str(sent.details)


# --- email: only that something waits -------------------------------------------------------


def test_emails_say_only_that_something_waits_and_never_reach_the_other_partner(
    smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
    case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_message(partner_a, case, "partner_a", body=FROM_ARI)
        # A second message before the clinician has read the first: still one email.
        actions.send_message(partner_a, case, "partner_a", body="And one more thing.")
    run_queued_tasks()
    [to_clinician] = smtp_server.wait_for(1)
    assert smtp_server.recipients() == [clinician.email]

    with django_capture_on_commit_callbacks(execute=True):
        actions.send_message(clinician, case, "partner_a", body=TO_ARI)
    run_queued_tasks()
    to_clinician, to_ari = smtp_server.wait_for(2)
    assert smtp_server.recipients() == [clinician.email, partner_a.email]
    for message in (to_clinician, to_ari):
        # Links carry random tokens, so words are matched whole, as a reader would see them.
        text = re.sub(r"https?://\S+", "", body_of(message) + str(message["Subject"]))
        for word in ("drawer", "Thursday", "Ari", "Bo", "Dana", "Harbour", "therapy", "Messages"):
            assert not re.search(rf"\b{word}\b", text, re.IGNORECASE), word
    assert not Notification.objects.filter(recipient=partner_b).exists()

    # Once Ari has read the reply, the next one is news again.
    page(signed_in_client(partner_a), f"/cases/{case.pk}/messages/partner_a/")
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_message(clinician, case, "partner_a", body="See you Thursday.")
    assert Notification.objects.filter(recipient=partner_a).count() == 2


def test_the_couples_thread_tells_everyone_in_it_but_the_writer(
    django_capture_on_commit_callbacks: Any,
    case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_message(partner_b, case, "together", body="We did it twice.")
    told = set(Notification.objects.values_list("recipient_id", "kind"))
    assert told == {(partner_a.pk, "message"), (clinician.pk, "message_for_clinician")}


def test_nobody_is_emailed_who_said_email_is_not_safe(
    smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
    case: Case,
    partner_a: User,
    clinician: User,
) -> None:
    from django.utils import timezone

    User.objects.filter(pk=partner_a.pk).update(messages_unsafe_since=timezone.now())
    partner_a.refresh_from_db()
    assert not messaging.may_email(partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_message(clinician, case, "partner_a", body=TO_ARI)
    run_queued_tasks()
    assert smtp_server.messages == []
    assert Notification.objects.get(recipient=partner_a).suppressed_reason == "not_safe"
    # In the app, the reply is there: the menu counts it.
    assert queries.unread_count(partner_a) == 1


# --- read, and the count in the menu --------------------------------------------------------


def test_the_menu_counts_what_is_new_until_it_is_read(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    ari = signed_in_client(partner_a)
    actions.send_message(clinician, case, "partner_a", body=TO_ARI)
    actions.send_message(partner_b, case, "together", body="We did it twice.")
    home = page(ari, "/home/")
    assert re.search(r"Messages <span class=\"badge\">2<", home)
    listing = page(ari, f"/cases/{case.pk}/messages/")
    assert listing.count("1 new") == 2
    page(ari, f"/cases/{case.pk}/messages/partner_a/")
    assert queries.unread_count(partner_a) == 1
    assert re.search(r"Messages <span class=\"badge\">1<", page(ari, "/home/"))
    page(ari, f"/cases/{case.pk}/messages/together/")
    assert queries.unread_count(partner_a) == 0
    # Bo wrote the shared message and has read it; nothing is new for them.
    assert queries.unread_count(partner_b) == 0


def test_marking_read_only_moves_forwards(case: Case, partner_a: User, clinician: User) -> None:
    first = actions.send_message(clinician, case, "partner_a", body="One")
    second = actions.send_message(clinician, case, "partner_a", body="Two")
    client = signed_in_client(partner_a)
    url = f"/api/v1/cases/{case.pk}/threads/partner_a/read"
    answer = client.post(url, {"up_to": second.pk}, content_type="application/json").json()
    assert answer == {"changed": True, "unread": 0}
    answer = client.post(url, {"up_to": first.pk}, content_type="application/json").json()
    assert answer == {"changed": False, "unread": 0}
    assert ReadMarker.objects.get(user=partner_a).last_read_id == second.pk


# --- double taps and bad input --------------------------------------------------------------


def test_sending_the_same_form_twice_writes_one_message(case: Case, partner_a: User) -> None:
    client = signed_in_client(partner_a)
    url = f"/cases/{case.pk}/messages/partner_a/"
    form = {"body": FROM_ARI, "client_token": "tap-tap-1"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Message.objects.count() == 1
    api = f"/api/v1/cases/{case.pk}/threads/partner_a/messages"
    first = client.post(api, {"body": "Hi", "client_token": "api-1"}, "application/json")
    again = client.post(api, {"body": "Hi", "client_token": "api-1"}, "application/json")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Message.objects.count() == 2


def test_two_sends_of_one_form_at_once_write_one_message(case: Case, partner_a: User) -> None:
    """The second request passed the "already sent?" check before the first had written: the
    unique token decides, and the second answers with the first's message."""
    from unittest import mock

    first = actions.send_message(partner_a, case, "partner_a", body=FROM_ARI, client_token="t")
    with mock.patch.object(actions, "_already_sent", return_value=None):
        second = actions.send_message(partner_a, case, "partner_a", body=FROM_ARI, client_token="t")
    assert second == first and Message.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("", "Write your message before sending it."),
        ("   \n ", "Write your message"),
        ("x" * (MESSAGE_MAX + 1), "a message can be up to 5,000"),
    ],
)
def test_an_empty_or_too_long_message_is_refused_clearly(
    case: Case, partner_a: User, body: str, says: str
) -> None:
    client = signed_in_client(partner_a)
    response = client.post(f"/cases/{case.pk}/messages/partner_a/", {"body": body})
    assert response.status_code == 400
    assert says in response.content.decode()
    response = client.post(
        f"/api/v1/cases/{case.pk}/threads/partner_a/messages", {"body": body}, "application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"] == ["body", "body"]
    assert not Message.objects.exists() and not Thread.objects.exists()


# --- the pause --------------------------------------------------------------------------------


def test_while_paused_the_couples_thread_rests_and_private_threads_stay_open(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    actions.send_message(partner_b, case, "together", body="Before the pause.")
    record = pause_case(case, held_for=partner_a, shown=True)
    for user in (partner_a, partner_b):
        client = signed_in_client(user)
        text = page(client, f"/cases/{case.pk}/messages/together/")
        assert "Individual sessions are the next step" in text
        assert 'name="body"' not in text
        response = client.post(f"/cases/{case.pk}/messages/together/", {"body": "Hello"})
        assert response.status_code == 409
        # Their own thread with the clinician is how they reach them safely: still open.
        assert (
            client.post(
                f"/cases/{case.pk}/messages/{'partner_a' if user == partner_a else 'partner_b'}/",
                {"body": "Can we talk?"},
            ).status_code
            == 302
        )
    clinician_page = page(signed_in_client(clinician), f"/cases/{case.pk}/messages/together/")
    assert "until you lift the pause" in clinician_page and 'name="body"' not in clinician_page
    with pytest.raises(ActionConflict):
        actions.send_message(clinician, case, "together", body="Hello both")
    lift_case(record)
    actions.send_message(partner_a, case, "together", body="After the pause.")


def test_before_the_clinician_acts_only_the_disclosing_partner_is_held(
    case: Case, partner_a: User, partner_b: User
) -> None:
    bo = signed_in_client(partner_b)
    before = page(bo, f"/cases/{case.pk}/messages/together/")
    pause_case(case, held_for=partner_a, shown=False)
    # Bo sees no change and can still write; Ari reads the kind note instead of the box.
    assert page(bo, f"/cases/{case.pk}/messages/together/") == before
    assert bo.post(f"/cases/{case.pk}/messages/together/", {"body": "Hi"}).status_code == 302
    ari = page(signed_in_client(partner_a), f"/cases/{case.pk}/messages/together/")
    assert "Thank you for answering honestly" in ari and 'name="body"' not in ari


def test_a_closed_case_keeps_its_messages_read_only(
    case: Case, partner_a: User, clinician: User
) -> None:
    actions.send_message(partner_a, case, "partner_a", body=FROM_ARI)
    Case.objects.filter(pk=case.pk).update(status="closed")
    for user in (partner_a, clinician):
        client = signed_in_client(user)
        text = page(client, f"/cases/{case.pk}/messages/partner_a/")
        assert FROM_ARI in text and "read-only" in text and 'name="body"' not in text
        assert (
            client.post(f"/cases/{case.pk}/messages/partner_a/", {"body": "More"}).status_code
            == 400
        )
    assert Message.objects.count() == 1


# --- the clinician's Today and the practice's wording ---------------------------------------


def test_today_lists_what_waits_for_a_reply_until_it_is_answered(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    client = signed_in_client(clinician)
    assert "Messages waiting for your reply" not in page(client, "/caseload/today/")
    actions.send_message(partner_a, case, "partner_a", body=FROM_ARI)
    actions.send_message(partner_b, case, "together", body="We did it twice.")
    today = page(client, "/caseload/today/")
    assert "Messages waiting for your reply" in today
    assert "Ari, privately" in today and "the couple's conversation" in today
    assert f"/cases/{case.pk}/messages/partner_a/" in today
    assert "drawer" not in today
    assert "2 waiting for your reply" in page(client, f"/cases/{case.pk}/")
    actions.send_message(clinician, case, "partner_a", body=TO_ARI)
    today = page(client, "/caseload/today/")
    assert "Ari, privately" not in today and "the couple's conversation" in today


def test_the_practice_sets_what_every_message_box_says(
    case: Case, partner_a: User, admin: User
) -> None:
    ari = signed_in_client(partner_a)
    url = f"/cases/{case.pk}/messages/partner_a/"
    text = page(ari, url)
    assert "Messages are not for emergencies" in text
    assert "usually answers within two working days" in text
    assert 'href="/help/">Crisis resources' in text
    client = signed_in_client(admin)
    response = client.post(
        "/practice/messages/",
        {"notice": "Please don't use messages in a crisis.", "reply_time": "We answer by Friday."},
    )
    assert response.status_code == 302
    text = page(ari, url)
    assert "Please don&#x27;t use messages in a crisis." in text and "We answer by Friday." in text
    response = client.post("/practice/messages/", {"notice": "x" * 700, "reply_time": ""})
    assert response.status_code == 400
    assert ThreadSettings.objects.get().reply_time == "We answer by Friday."
    assert AuditEvent.objects.filter(action="retrust.practice.message_box.changed").count() == 1


def test_the_demo_has_a_warm_exchange_the_other_partner_cannot_read(db: None) -> None:
    from retrust.core.demo import email_for, seed_demo

    seed_demo()
    priya = User.objects.get(email=email_for("priya"))
    daniel = User.objects.get(email=email_for("daniel"))
    assert Message.objects.visible_to(priya).count() == 4
    assert Message.objects.visible_to(daniel).count() == 2
    assert "fifteen minutes" not in str(list(Message.objects.visible_to(daniel)))
