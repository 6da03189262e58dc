"""The person's own notification settings, the unsubscribe link, the admin's email page and
/healthz, walked by every persona."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from retrust.core.models import AuditEvent
from retrust.notifications import kinds
from retrust.notifications.mail import unsubscribe_token
from retrust.notifications.models import (
    Channel,
    Delivery,
    MessageSettings,
    Notification,
    Preference,
    Status,
    SwitchedOff,
)
from tests.conftest import PERSONAS, signed_in_client

PREFERENCES = "/account/notifications/"
ADMIN_PAGE = "/practice/notifications/"


def valid_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "channel": "email",
        "delivery": "immediate",
        "digest_at": "08:00",
        "quiet_start": "",
        "quiet_end": "",
        "time_zone": "Europe/London",
        **{f"kind_{kind.key}": "on" for kind in kinds.all_kinds() if not kind.essential},
    }
    data.update(overrides)
    return data


# --- the settings page ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_signed_in_reaches_their_own_settings_and_anonymous_is_asked_to_sign_in(
    personas, persona
):
    response = signed_in_client(personas[persona]).get(PREFERENCES)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 200
        assert "<h1>Notifications</h1>" in response.content.decode()


def test_the_page_offers_each_person_only_their_own_kinds(partner_a, clinician, admin):
    partner_page = signed_in_client(partner_a).get(PREFERENCES).content.decode()
    assert "Homework given to you" in partner_page
    assert "high-priority alert" not in partner_page
    clinician_page = signed_in_client(clinician).get(PREFERENCES).content.decode()
    assert "daily summary" in clinician_page
    assert "Homework given to you" not in clinician_page
    # The urgent alert is shown as always on, not as a box to untick.
    assert "Always sent at once" in clinician_page
    assert 'name="kind_high_alert"' not in clinician_page
    admin_page = signed_in_client(admin).get(PREFERENCES).content.decode()
    assert "Email me about" not in admin_page


def test_saving_changes_only_the_signed_in_persons_choices(partner_a, partner_b):
    response = signed_in_client(partner_a).post(
        PREFERENCES,
        valid_form(
            channel="in_app",
            delivery="digest",
            digest_at="19:30",
            quiet_start="22:00",
            quiet_end="07:00",
            time_zone="America/Toronto",
            kind_homework="",
        ),
    )
    assert response.status_code == 302
    saved = Preference.objects.get(user=partner_a)
    assert (saved.channel, saved.delivery, saved.time_zone) == (
        Channel.IN_APP,
        Delivery.DIGEST,
        "America/Toronto",
    )
    assert (saved.quiet_start.hour, saved.quiet_end.hour, saved.digest_at.minute) == (22, 7, 30)
    assert list(SwitchedOff.objects.values_list("user__email", "kind")) == [
        (partner_a.email, "homework")
    ]
    assert not Preference.objects.filter(user=partner_b).exists()
    assert AuditEvent.objects.filter(
        action="retrust.notifications.preferences.changed", actor=partner_a
    ).exists()
    # Ticking the box again switches it back on.
    signed_in_client(partner_a).post(PREFERENCES, valid_form())
    assert not SwitchedOff.objects.exists()


def test_a_half_set_quiet_window_is_refused_with_a_clear_message(partner_a):
    response = signed_in_client(partner_a).post(PREFERENCES, valid_form(quiet_start="22:00"))
    assert response.status_code == 400
    assert "Give both a start and an end" in response.content.decode()
    assert not Preference.objects.exists()


def test_an_unknown_time_zone_is_refused(partner_a):
    response = signed_in_client(partner_a).post(PREFERENCES, valid_form(time_zone="Mars/Olympus"))
    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_the_page_has_no_address_for_someone_elses_settings(partner_a, partner_b):
    # The only settings page is your own: any other id in the path is simply not a page.
    response = signed_in_client(partner_a).get(f"{PREFERENCES}{partner_b.pk}/")
    assert response.status_code == 404


# --- unsubscribe ----------------------------------------------------------------------------


def token_for(user: Any, kind: str) -> str:
    """The token of an email that carried one sent row of this kind."""
    row = Notification.objects.create(recipient=user, kind=kind, subject="x:1", status=Status.SENT)
    return unsubscribe_token(user.pk, [row.pk])


def test_the_unsubscribe_link_asks_before_it_acts_and_says_nothing_of_the_emails(partner_b):
    url = reverse("notifications:unsubscribe", args=[token_for(partner_b, "homework")])
    page = Client().get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Stop these emails?" in text
    assert "homework" not in text.lower() and partner_b.email not in text
    assert not SwitchedOff.objects.exists()
    done = Client().post(url)
    assert done.status_code == 200
    assert list(SwitchedOff.objects.values_list("kind", flat=True)) == ["homework"]
    assert Client().post(url).status_code == 200  # a second click changes nothing
    assert SwitchedOff.objects.count() == 1


def test_an_unsubscribe_link_cannot_switch_off_a_safety_message(clinician):
    url = reverse("notifications:unsubscribe", args=[token_for(clinician, "high_alert")])
    Client().post(url)
    assert not SwitchedOff.objects.exists()


def test_a_forged_or_altered_unsubscribe_link_is_not_found(partner_b):
    token = token_for(partner_b, "homework")
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    assert Client().get(reverse("notifications:unsubscribe", args=[forged])).status_code == 404
    assert Client().post(reverse("notifications:unsubscribe", args=["nonsense"])).status_code == 404


# --- the practice admin's email page --------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_practice_admin_sees_the_email_page(personas, persona):
    response = signed_in_client(personas[persona]).get(ADMIN_PAGE)
    expected = {"admin": 200, "anonymous": 302}.get(persona, 404)
    assert response.status_code == expected


def test_failed_sends_are_listed_without_what_they_were_about(
    admin, clinician, practice, partner_b
):
    failed = Notification.objects.create(
        recipient=clinician,
        practice=practice,
        kind="high_alert",
        subject="safety.alert:987654321",
        status=Status.FAILED,
        attempts=6,
        last_error="SMTPRecipientsRefused: mailbox unavailable",
    )
    Notification.objects.create(
        recipient=partner_b, practice=practice, kind="homework", subject="x:1", status=Status.SENT
    )
    page = signed_in_client(admin).get(ADMIN_PAGE).content.decode()
    assert clinician.email in page and "mailbox unavailable" in page
    assert partner_b.email not in page
    failed_section = page.split('id="failed"', 1)[1].lower()
    for leak in ("alert", "safety", "high", "urgent", "987654321"):
        assert leak not in failed_section, leak
    response = signed_in_client(admin).post(f"{ADMIN_PAGE}{failed.pk}/retry/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.PENDING, 0)


def test_another_practice_cannot_retry_a_failed_send(
    admin, practice, other_practice, partner_b, other_practice_clinician
):
    failed = Notification.objects.create(
        recipient=partner_b,
        practice=other_practice,
        kind="homework",
        subject="x:1",
        status="failed",
    )
    assert signed_in_client(admin).post(f"{ADMIN_PAGE}{failed.pk}/retry/").status_code == 404
    assert (
        signed_in_client(other_practice_clinician)
        .post(f"{ADMIN_PAGE}{failed.pk}/retry/")
        .status_code
        == 404
    )
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


def test_the_admin_sets_a_neutral_sender_name_and_subject(admin, practice):
    response = signed_in_client(admin).post(
        ADMIN_PAGE, {"sender_name": "Updates", "neutral_subject": "Something new for you"}
    )
    assert response.status_code == 302
    saved = MessageSettings.objects.get(practice=practice)
    assert (saved.sender_name, saved.neutral_subject) == ("Updates", "Something new for you")
    empty = signed_in_client(admin).post(ADMIN_PAGE, {"sender_name": "", "neutral_subject": ""})
    assert empty.status_code == 400


# --- /healthz -------------------------------------------------------------------------------


def test_healthz_reports_queue_lag_and_stays_ok(db, partner_b):
    from datetime import timedelta

    from django.utils import timezone

    Notification.objects.create(
        recipient=partner_b,
        kind="homework",
        subject="x:1",
        next_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["notifications"]["due"] == 1
    assert 290 <= body["notifications"]["oldest_due_seconds"] <= 400
    assert body["tasks"]["queue"] == "ok"
    assert isinstance(body["tasks"]["backlog"], int)
    assert partner_b.email not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_this_practices_admin_can_retry_its_failed_send(personas, practice, persona):
    failed = Notification.objects.create(
        recipient=personas["partner_b"],
        practice=practice,
        kind="homework",
        subject="x:1",
        status=Status.FAILED,
        attempts=6,
    )
    response = signed_in_client(personas[persona]).post(f"{ADMIN_PAGE}{failed.pk}/retry/")
    failed.refresh_from_db()
    if persona == "admin":
        assert response.status_code == 302
        assert failed.status == Status.PENDING
    else:
        assert response.status_code == (302 if persona == "anonymous" else 404)
        assert (failed.status, failed.attempts) == (Status.FAILED, 6)


def test_every_notifications_route_has_rows_here():
    from django.urls import get_resolver

    from retrust.notifications import urls

    tested = {
        "preferences": PREFERENCES,
        "today": "/caseload/today/",
        "unsubscribe": "/notifications/unsubscribe/token/",
        "failed": ADMIN_PAGE,
        "retry": f"{ADMIN_PAGE}1/retry/",
    }
    assert {pattern.name for pattern in urls.urlpatterns} == set(tested)
    resolver = get_resolver()
    for name, url in tested.items():
        assert resolver.resolve(url).url_name == name


def test_an_unsubscribe_link_switches_off_only_its_own_persons_rows(partner_a, partner_b):
    """A token naming someone else's row (a forged list of ids, re-signed by us in error) does
    not switch off that row's kind for the token's person."""
    theirs = Notification.objects.create(
        recipient=partner_a, kind="milestone", subject="x:1", status=Status.SENT
    )
    mine = Notification.objects.create(
        recipient=partner_b, kind="homework", subject="x:2", status=Status.SENT
    )
    url = reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(partner_b.pk, [theirs.pk, mine.pk])]
    )
    Client().post(url)
    assert list(SwitchedOff.objects.values_list("user_id", "kind")) == [(partner_b.pk, "homework")]
