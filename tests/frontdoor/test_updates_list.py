"""The updates list: double opt-in through the outbox, a replayed link that changes nothing,
one-click unsubscribe, the admin's CSV and updates sent to confirmed addresses only."""

from __future__ import annotations

import csv
import io
import re
import time
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from retrust.core.models import User
from retrust.frontdoor import actions, emails
from retrust.frontdoor.models import PracticePage, PracticeUpdate, Subscriber
from retrust.notifications.models import Notification, Status
from tests.conftest import signed_in_client
from tests.support.mail import body_of, run_queued_tasks

SIGNUP = "/p/quiet-harbour/updates/"
CONFIRM_LINK = re.compile(r"https://retrust\.example(/p/quiet-harbour/updates/confirm/[^/\s]+/)")


def sign_up(capture: Any, email: str, client: Client | None = None) -> Any:
    with capture(execute=True):
        return (client or Client()).post(SIGNUP, {"email": email})


def state() -> list[tuple[Any, ...]]:
    return sorted(Subscriber.objects.values_list("email", "status", "nonce", "confirmed_at"))


def test_sign_up_confirm_replay_and_unsubscribe(
    public_page: PracticePage,
    admin: User,
    smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = sign_up(django_capture_on_commit_callbacks, " Robin@Example.net ")
    assert response["Location"] == "/p/quiet-harbour/updates/sent/"
    run_queued_tasks()
    (message,) = smtp_server.wait_for(1)
    assert smtp_server.recipients() == ["robin@example.net"]
    assert message["Subject"] == "Please confirm your email address"
    path = CONFIRM_LINK.search(body_of(message)).group(1)  # type: ignore[union-attr]
    # Opening the link (or a mail scanner opening it) changes nothing; the button does.
    assert "Yes, send me updates" in Client().get(path).content.decode()
    assert Subscriber.objects.get().status == "pending"
    confirmed = Client().post(path)
    assert "your address is confirmed" in confirmed.content.decode()
    before = state()
    replay = Client().post(path)
    assert replay.status_code == 200
    assert "This link was used before" in replay.content.decode()
    assert state() == before
    # An update reaches them with a one-click unsubscribe.
    admin_sends(django_capture_on_commit_callbacks, admin)
    run_queued_tasks()
    update = smtp_server.wait_for(2)[1]
    assert update["Subject"] == "Evening group"
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = update["List-Unsubscribe"].strip("<>").split("retrust.example")[1]
    # RFC 8058: the mail program posts with no cookie and no CSRF token.
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 200 and "off the list" in one_click.content.decode()
    after = state()
    assert after[0][1] == "unsubscribed"
    assert Client().post(unsubscribe).status_code == 200  # again: harmless
    assert state() == after
    # The old confirmation link can't put them back.
    stale = Client().post(path)
    assert "no longer works" in stale.content.decode()
    assert state() == after


def admin_sends(capture: Any, admin: User, key: str = "u1") -> Any:
    with capture(execute=True):
        response = signed_in_client(admin).post(
            "/practice/updates/",
            {
                "subject": "Evening group",
                "body": "We **start** in May.\n\n<script>alert(1)</script>",
                "submission_key": key,
            },
        )
    run_queued_tasks()  # the batched task writes the outbox rows and queues their sending
    return response


def test_an_update_goes_to_confirmed_addresses_only_and_once(
    public_page: PracticePage,
    admin: User,
    smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    practice = public_page.practice
    for n, status in enumerate(["confirmed", "confirmed", "pending", "unsubscribed"]):
        found = actions.subscribe(practice, email=f"s{n}@example.net", address=f"192.0.2.{n}")
        Subscriber.objects.filter(pk=found.pk).update(status=status)
    Notification.objects.all().delete()
    first = admin_sends(django_capture_on_commit_callbacks, admin)
    second = admin_sends(django_capture_on_commit_callbacks, admin)  # the same form again
    assert first["Location"] == second["Location"] == "/practice/updates/"
    run_queued_tasks()
    messages = smtp_server.wait_for(2)
    assert sorted(smtp_server.recipients()) == ["s0@example.net", "s1@example.net"]
    (update,) = PracticeUpdate.objects.all()
    assert update.recipients == 2
    html = messages[0].get_body(("html",)).get_content()
    assert "<strong>start</strong>" in html and "<script" not in html
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    page = signed_in_client(admin).get("/practice/updates/").content.decode()
    assert "Evening group" in page and "2 addresses" in page


def test_someone_who_unsubscribes_after_the_update_was_written_is_not_sent_it(
    public_page: PracticePage, admin: User
) -> None:
    from retrust.notifications.delivery import deliver

    practice = public_page.practice
    found = actions.subscribe(practice, email="late@example.net", address="192.0.2.1")
    Subscriber.objects.filter(pk=found.pk).update(status="confirmed")
    update = actions.send_update(admin, practice, subject="S", body="B", submission_key="k")
    actions.write_out_update(update.pk)
    actions.unsubscribe(practice, emails.unsubscribe_token(found.pk))
    row = Notification.objects.get(kind="practice_update")
    outcome = deliver([row.pk])
    row.refresh_from_db()
    assert outcome.sent == 0 and row.status == Status.SUPPRESSED


def test_the_answer_never_says_whether_an_address_is_on_the_list(
    public_page: PracticePage, django_capture_on_commit_callbacks: Any
) -> None:
    practice = public_page.practice
    listed = actions.subscribe(practice, email="on@example.net", address="192.0.2.1")
    Subscriber.objects.filter(pk=listed.pk).update(status="confirmed")
    Notification.objects.all().delete()
    known = sign_up(django_capture_on_commit_callbacks, "on@example.net")
    unknown = sign_up(django_capture_on_commit_callbacks, "new@example.net")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The confirmed address is sent nothing; asking twice the same day sends one link.
    sign_up(django_capture_on_commit_callbacks, "new@example.net")
    assert list(Notification.objects.values_list("to_address", flat=True)) == ["new@example.net"]


def test_bad_sign_ups_get_a_clear_answer_and_write_nothing(public_page: PracticePage) -> None:
    cases = [
        ({"email": "not an address"}, "Enter a valid email address"),
        ({"email": "a" * 250 + "@example.net"}, "Ensure this value has at most 254"),
        ({"email": ""}, "This field is required"),
        ({"email": "ok@example.net", "website": "http://spam"}, "If you filled in the field"),
    ]
    for data, message in cases:
        response = Client().post(SIGNUP, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert Subscriber.objects.count() == 0 and Notification.objects.count() == 0


def test_a_flood_of_sign_ups_from_one_address_is_refused(public_page: PracticePage) -> None:
    client = Client()
    for n in range(actions.SIGNUP_LIMIT):
        assert client.post(SIGNUP, {"email": f"f{n}@example.net"}).status_code == 302
    refused = client.post(SIGNUP, {"email": "one-more@example.net"})
    assert refused.status_code == 400
    assert "several sign-ups from this connection" in refused.content.decode()
    assert Subscriber.objects.count() == actions.SIGNUP_LIMIT
    assert (
        Client(REMOTE_ADDR="198.51.100.3").post(SIGNUP, {"email": "x@example.net"}).status_code
        == 302
    )


def test_made_up_and_expired_links(public_page: PracticePage) -> None:
    from types import SimpleNamespace
    from unittest import mock

    from django.core import signing

    practice = public_page.practice
    found = actions.subscribe(practice, email="slow@example.net", address="192.0.2.1")
    eight_days_ago = time.time() - 8 * 24 * 3600
    with mock.patch.object(signing, "time", SimpleNamespace(time=lambda: eight_days_ago)):
        token = emails.confirm_token(found.pk, found.nonce)
    assert Client().get("/p/quiet-harbour/updates/confirm/nonsense/").status_code == 404
    assert Client().post("/p/quiet-harbour/updates/unsubscribe/nonsense/").status_code == 404
    expired = Client().post(f"/p/quiet-harbour/updates/confirm/{token}/")
    assert expired.status_code == 400 and "This link has expired" in expired.content.decode()
    assert Subscriber.objects.get().status == "pending"


def test_bad_updates_are_refused_with_a_clear_message(
    public_page: PracticePage, admin: User
) -> None:
    client = signed_in_client(admin)
    cases = [
        ({"subject": "", "body": "b"}, "This field is required"),
        ({"subject": "s" * 151, "body": "b"}, "at most 150"),
        ({"subject": "s", "body": "b" * 20001}, "at most 20000"),
        ({"subject": "   ", "body": "b"}, "This field is required"),
    ]
    for data, message in cases:
        response = client.post("/practice/updates/", {**data, "submission_key": "x"})
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert PracticeUpdate.objects.count() == 0


def test_the_admin_downloads_the_list_as_csv(public_page: PracticePage, admin: User) -> None:
    practice = public_page.practice
    actions.subscribe(practice, email="b@example.net", address="192.0.2.1")
    actions.subscribe(practice, email="a@example.net", address="192.0.2.2")
    Subscriber.objects.create(
        practice=practice, email="=cmd@example.net", nonce="n", sender="s", network="n"
    )
    response = signed_in_client(admin).get("/practice/updates/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["email", "status", "signed_up", "confirmed", "unsubscribed"]
    assert [row[:2] for row in rows[1:]] == [
        ["'=cmd@example.net", "pending"],
        ["a@example.net", "pending"],
        ["b@example.net", "pending"],
    ]


def test_the_admin_page_answers_in_a_constant_number_of_queries(
    public_page: PracticePage, admin: User
) -> None:
    practice = public_page.practice
    client = signed_in_client(admin)
    counts = []
    for batch in (1, 12):
        for n in range(batch):
            found = actions.subscribe(
                practice, email=f"q{len(counts)}-{n}@example.net", address=f"10.1.{n}.1"
            )
            Subscriber.objects.filter(pk=found.pk).update(status="confirmed")
            actions.send_update(
                admin, practice, subject=f"S{n}", body="B", submission_key=f"{len(counts)}-{n}"
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/practice/updates/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_update_is_written_out_in_batches_and_a_rerun_writes_nothing_twice(
    public_page: PracticePage, admin: User, monkeypatch: Any
) -> None:
    from retrust.notifications import tasks

    practice = public_page.practice
    for n in range(5):
        Subscriber.objects.create(
            practice=practice, email=f"b{n}@example.net", status="confirmed", nonce="n", sender="s"
        )
    queued: list[list[int]] = []
    monkeypatch.setattr(actions, "UPDATE_BATCH", 2)
    monkeypatch.setattr(actions, "enqueue_sending", lambda ids: queued.append(ids) or 1)
    update = actions.send_update(admin, practice, subject="S", body="B", submission_key="b")
    assert actions.write_out_update(update.pk) == 5
    assert [len(ids) for ids in queued] == [2, 2, 1]
    assert actions.write_out_update(update.pk) == 5  # the task ran twice: nothing new
    assert [len(ids) for ids in queued] == [2, 2, 1, 0, 0, 0]
    assert Notification.objects.filter(kind="practice_update").count() == 5
    assert tasks.enqueue_sending([]) == 0


def test_someone_who_leaves_retrust_leaves_every_updates_list_too(
    public_page: PracticePage, partner_a: User, django_capture_on_commit_callbacks: Any
) -> None:
    from retrust.core.datarights import Leaving
    from retrust.frontdoor import datarights

    practice = public_page.practice
    mine = actions.subscribe(practice, email=partner_a.email.upper(), address="192.0.2.1")
    Subscriber.objects.filter(pk=mine.pk).update(status="confirmed")
    actions.subscribe(practice, email="someone-else@example.net", address="192.0.2.2")
    (section,) = datarights.export(partner_a)["updates_lists"]
    assert section["status"] == "Confirmed"
    leaving = Leaving(user=partner_a, case_ids=())
    counts = datarights.shred(leaving)
    assert counts["updates-list addresses"] == 1 and counts["emails to the address"] == 1
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["someone-else@example.net"]
    assert list(Notification.objects.values_list("to_address", flat=True)) == [
        "someone-else@example.net"
    ]
