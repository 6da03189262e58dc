"""Sending, read at a real local SMTP server: what arrives is safe to receive, and every
failure is retried with back-off and stops at the limit, visibly."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from retrust.agreements import actions as agreements
from retrust.core.models import User
from retrust.notifications import delivery
from retrust.notifications.models import (
    Channel,
    MessageSettings,
    Notification,
    Preference,
    Status,
    SwitchedOff,
)
from retrust.notifications.tick import run_tick
from retrust.safety.actions import raise_alert
from tests.conftest import PASSWORD
from tests.support.mail import body_of, run_queued_tasks

# Words that would tell an onlooker what the message is about, or who it is about.
CLINICAL_WORDS = [
    "therapy",
    "therapist",
    "clinician",
    "counsel",
    "couple",
    "partner",
    "agreement",
    "homework",
    "check-in",
    "questionnaire",
    "phq",
    "gad",
    "csi",
    "alert",
    "safety",
    "suicid",
    "depress",
    "trust",
    "betray",
    "affair",
    "session",
    "retrust",
]


def make(recipient: Any, kind: str = "homework", subject: str = "program.assignment:1", **kw: Any):
    return Notification.objects.create(
        recipient=recipient,
        practice=kw.pop("practice", None),
        kind=kind,
        subject=subject,
        occasion=kw.pop("occasion", ""),
        **kw,
    )


def everything_visible(message: Any) -> str:
    """All an onlooker could read (the sender, the subject, the body), links left out: the
    recipient's own address is the one thing in it that names anyone."""
    shown = [str(message[name] or "") for name in ("From", "Subject")]
    text = "\n".join([*shown, body_of(message)]).lower()
    return re.sub(r"https?://\S+", " ", text)


def assert_says_nothing_of(message: Any, *names: str) -> None:
    seen = everything_visible(message)
    for word in CLINICAL_WORDS:
        assert word not in seen, word
    for name in names:
        assert not re.search(rf"\b{re.escape(name.lower())}\b", seen), name


def propose(partner: Any, case: Any) -> Any:
    return agreements.propose_agreement(
        partner,
        case,
        category="transparency",
        title="Phones",
        text="We leave our phones face up on the table.",
    )


# --- what arrives ---------------------------------------------------------------------------


def test_an_agreement_proposal_reaches_the_other_partner_as_a_content_free_email(
    smtp_server, partner_a, partner_b, case, practice
):
    propose(partner_a, case)
    result = run_tick()
    assert (result.queued_rows, result.queued_tasks) == (1, 1)
    run_queued_tasks()  # the configured backend's own worker, in this process
    [message] = smtp_server.wait_for(1)

    assert smtp_server.recipients() == [partner_b.email]
    assert message["Subject"] == "You have a new update"
    assert message["From"].addresses[0].display_name == "Notifications"
    assert message["From"].addresses[0].addr_spec == "updates@mail.example"
    assert_says_nothing_of(message, partner_a.name, partner_b.name, "Harbour", "Phones")
    # The only link in the body that is not the unsubscribe link is the sign-in page.
    links = re.findall(r"https?://\S+", body_of(message))
    assert "https://retrust.example/accounts/login/" in links
    assert all(
        link == "https://retrust.example/accounts/login/" or "/notifications/unsubscribe/" in link
        for link in links
    )
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    assert row.sent_at is not None


def test_the_emails_link_is_the_same_bare_sign_in_page_and_leads_to_waiting_for_you(
    smtp_server, partner_a, partner_b, case
):
    """No ``next=``: the link is identical whatever the email is about (a path that varied
    with the kind would say what it was about), and signing in already lands a partner on the
    home page that leads with "Waiting for you"."""
    propose(partner_a, case)
    run_tick()
    run_queued_tasks()
    [message] = smtp_server.wait_for(1)
    [link] = [
        link
        for link in re.findall(r"https?://\S+", body_of(message))
        if "/unsubscribe/" not in link
    ]
    assert link == "https://retrust.example/accounts/login/"
    browser = Client()
    page = browser.get(urlsplit(link).path)
    assert page.status_code == 200
    signed_in = browser.post(
        urlsplit(link).path,
        {"username": partner_b.email, "password": PASSWORD},
        follow=True,
    )
    assert signed_in.redirect_chain[-1][0] == reverse("partner_home")
    text = signed_in.content.decode()
    assert "Waiting for you" in text and "waits for your answer" in text


def test_everything_but_a_safety_message_offers_one_click_unsubscribe(
    smtp_server, partner_a, partner_b, case
):
    make(partner_b, occasion="assigned")
    delivery.deliver(list(Notification.objects.values_list("pk", flat=True)))
    [message] = smtp_server.wait_for(1)
    header = str(message["List-Unsubscribe"]).strip()  # long headers are folded
    assert re.fullmatch(r"<https://retrust\.example/notifications/unsubscribe/[^>]+/>", header)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert urlsplit(header.strip("<>")).path in body_of(message)

    # The mail program's one-click POST (no cookie, no CSRF token) switches homework off.
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(header.strip("<>")).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert SwitchedOff.objects.filter(user=partner_b, kind="homework").exists()


def test_a_high_alert_email_says_nothing_clinical_and_cannot_be_unsubscribed(
    smtp_server, partner_a, case, clinician
):
    raise_alert(
        case,
        source="phq9_item9",
        priority="high",
        summary="PHQ-9 item 9 answered 3",
        dedupe_key="t:1",
        partner=partner_a,
    )
    run_tick()
    run_queued_tasks()
    [message] = smtp_server.wait_for(1)
    assert smtp_server.recipients() == [clinician.email]
    assert message["List-Unsubscribe"] is None
    assert_says_nothing_of(message, partner_a.name, "Ari and Bo", "item 9", "3", "Harbour")
    assert "needs your attention soon" in everything_visible(message)


def test_a_practice_sets_its_own_neutral_subject_and_sender_name(smtp_server, partner_b, practice):
    MessageSettings.objects.create(
        practice=practice, neutral_subject="A note for you", sender_name="Harbour Updates"
    )
    make(partner_b, practice=practice)
    delivery.deliver(list(Notification.objects.values_list("pk", flat=True)))
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "A note for you"
    assert message["From"].addresses[0].display_name == "Harbour Updates"


def test_several_things_waiting_become_one_email(smtp_server, partner_b, practice):
    first = make(partner_b, practice=practice, subject="program.assignment:1")
    make(partner_b, practice=practice, kind="agreement_answer", subject="agreements.agreement:1")
    make(partner_b, practice=practice, kind="checkin", subject="assessments.measureschedule:1")
    outcome = delivery.deliver([first.pk])
    assert (outcome.emails, outcome.sent) == (1, 3)
    assert len(smtp_server.wait_for(1)) == 1
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


# --- the person's choices, checked again at send time ---------------------------------------


def test_quiet_hours_hold_an_email_without_using_an_attempt(smtp_server, partner_b):
    now = timezone.now()
    local = now.astimezone(Preference(user=partner_b).zone)
    start = (local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (local + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    Preference.objects.create(user=partner_b, quiet_start=start, quiet_end=end)
    row = make(partner_b)
    outcome = delivery.deliver([row.pk])
    assert outcome.postponed == 1 and outcome.emails == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 0)
    assert row.next_attempt_at > now + timedelta(hours=1)
    assert smtp_server.messages == []
    # Not handed to a worker again before then.
    assert row.pk not in delivery.due_ids(now + timedelta(minutes=30))


def test_essential_messages_go_out_even_in_quiet_hours(smtp_server, clinician):
    Preference.objects.create(
        user=clinician, quiet_start=time(0, 0), quiet_end=time(23, 59), channel=Channel.IN_APP
    )
    row = make(clinician, kind="high_alert", subject="safety.alert:1")
    delivery.deliver([row.pk])
    assert len(smtp_server.wait_for(1)) == 1


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda user: Preference.objects.create(user=user, channel=Channel.IN_APP), "in_app"),
        (lambda user: SwitchedOff.objects.create(user=user, kind="homework"), "switched_off"),
    ],
)
def test_a_choice_made_after_the_tick_still_stops_the_email(smtp_server, partner_b, setup, reason):
    row = make(partner_b)
    setup(partner_b)
    delivery.deliver([row.pk])
    row.refresh_from_db()
    assert (row.status, row.suppressed_reason) == (Status.SUPPRESSED, reason)
    assert smtp_server.messages == []


def test_a_person_not_safe_to_email_gets_nothing_by_email_not_even_essentials(
    smtp_server, partner_b
):
    # What the private safety screen sets when messages are not safe (core.messaging).
    User.objects.filter(pk=partner_b.pk).update(messages_unsafe_since=timezone.now())
    homework = make(partner_b)
    essential = make(partner_b, kind="high_alert", subject="safety.alert:9")
    delivery.deliver([homework.pk, essential.pk])
    assert set(Notification.objects.values_list("suppressed_reason", flat=True)) == {"not_safe"}
    assert smtp_server.messages == []


# --- claims, retries, limits ----------------------------------------------------------------


def test_a_row_is_claimed_by_exactly_one_attempt(partner_b):
    row = make(partner_b)
    now = timezone.now()
    assert delivery.claim(row.pk, "worker-1:a", now) is True
    assert delivery.claim(row.pk, "worker-2:b", now) is False
    row.refresh_from_db()
    assert (row.status, row.claimed_by) == (Status.SENDING, "worker-1:a")


def test_a_row_sent_by_one_worker_is_skipped_by_the_next(smtp_server, partner_b):
    row = make(partner_b)
    assert delivery.deliver([row.pk], worker="one").emails == 1
    assert delivery.deliver([row.pk], worker="two").skipped == 1
    assert len(smtp_server.wait_for(1)) == 1


def test_a_refused_send_is_retried_with_growing_waits_then_marked_failed(
    smtp_server, partner_b, settings
):
    settings.RETRUST_NOTIFY_MAX_ATTEMPTS = 3
    settings.RETRUST_NOTIFY_RETRY_SECONDS = 60
    smtp_server.refuse_next = 10
    row = make(partner_b)
    waits = []
    for _ in range(3):
        before = timezone.now()
        outcome = delivery.deliver([row.pk])
        row.refresh_from_db()
        if row.status == Status.PENDING:
            waits.append(round((row.next_attempt_at - before).total_seconds() / 60))
            Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert waits == [1, 2]
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert "SMTP" in row.last_error and "try again later" in row.last_error
    assert outcome.failed == 1
    # It is not tried again by itself.
    assert row.pk not in delivery.due_ids(timezone.now() + timedelta(days=1))


def test_a_send_that_fails_once_then_succeeds(smtp_server, partner_b):
    smtp_server.refuse_next = 1
    row = make(partner_b)
    assert delivery.deliver([row.pk]).retrying == 1
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver([row.pk]).emails == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "")


def test_a_claim_left_by_a_dead_worker_is_handed_back_after_the_timeout(partner_b, settings):
    settings.RETRUST_NOTIFY_CLAIM_TIMEOUT_SECONDS = 600
    an_hour_ago = timezone.now() - timedelta(hours=1)
    row = make(partner_b, next_attempt_at=an_hour_ago)
    assert delivery.claim(row.pk, "dead:1", timezone.now() - timedelta(minutes=11))
    fresh = make(partner_b, subject="program.assignment:2")
    delivery.claim(fresh.pk, "alive:1", timezone.now())
    assert delivery.release_stale_claims(timezone.now()) == 1
    row.refresh_from_db()
    fresh.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_by) == (Status.PENDING, 1, "")
    assert fresh.status == Status.SENDING


def test_an_unknown_kind_is_never_sent(smtp_server, partner_b):
    row = make(partner_b, kind="retired_kind")
    delivery.deliver([row.pk])
    row.refresh_from_db()
    assert (row.status, row.suppressed_reason) == (Status.SUPPRESSED, "unknown_kind")


def test_rows_not_yet_due_are_left_alone(smtp_server, partner_b):
    row = make(partner_b, next_attempt_at=timezone.now() + timedelta(hours=1))
    assert delivery.deliver([row.pk]).skipped == 1
    assert row.pk not in delivery.due_ids(timezone.now())
