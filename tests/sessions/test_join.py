"""Joining a video session: Jitsi tokens minted only for participants, only while the room is
open, with every claim checked; a clinician's own link otherwise."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.utils import timezone
from freezegun import freeze_time

from retrust.core.exceptions import ActionConflict, ActionError
from retrust.sessions import actions
from retrust.sessions.models import Appointment, Kind, Location, VideoLink

SECRET = "a-test-secret-of-enough-length-for-hs256"


@pytest.fixture
def jitsi(settings):
    settings.JITSI_DOMAIN = "meet.example.org"
    settings.JITSI_APP_ID = "retrust-app"
    settings.JITSI_APP_SECRET = SECRET
    settings.RETRUST_JOIN_OPENS_MINUTES = 10


@pytest.fixture
def alone(case, clinician, partner_a, partner_b):
    appointment = Appointment.objects.create(
        case=case,
        clinician=clinician,
        kind=Kind.INDIVIDUAL,
        start=timezone.now().replace(microsecond=0) + timedelta(hours=2),
    )
    appointment.participants.set([partner_a])
    return appointment


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["jwt"][0]


def claims_of(url: str) -> dict:
    return jwt.decode(
        token_of(url),
        SECRET,
        algorithms=["HS256"],
        audience="retrust-app",
        options={"verify_nbf": False, "verify_exp": False, "verify_iat": False},
    )


def test_a_token_names_the_room_the_person_and_the_window_and_only_the_clinician_moderates(
    jitsi, alone, partner_a, clinician
):
    with freeze_time(alone.start - timedelta(minutes=5)):
        partner_url = actions.join_url(partner_a, alone)
        clinician_url = actions.join_url(clinician, alone)
    assert urlsplit(partner_url).netloc == "meet.example.org"
    assert urlsplit(partner_url).path == f"/{alone.room}"
    claims = claims_of(partner_url)
    assert claims["iss"] == "retrust-app"
    assert claims["aud"] == "retrust-app"
    assert claims["sub"] == "meet.example.org"
    assert claims["room"] == alone.room
    assert claims["nbf"] == int((alone.start - timedelta(minutes=10)).timestamp())
    assert claims["exp"] == int(alone.end.timestamp())
    assert claims["context"] == {"user": {"name": "Ari"}}  # the display name only
    assert claims["moderator"] is False
    assert claims_of(clinician_url)["moderator"] is True
    # The room name is random: nothing of the people or the case in it.
    assert alone.room.startswith("rt-") and len(alone.room) > 20
    assert "ari" not in alone.room.lower() and str(alone.case_id) != alone.room[3:]
    assert jwt.get_unverified_header(token_of(partner_url))["alg"] == "HS256"


def test_the_token_is_valid_from_the_window_until_the_end_and_never_outside(
    jitsi, alone, partner_a
):
    with freeze_time(alone.start - timedelta(minutes=5)):
        token = token_of(actions.join_url(partner_a, alone))

    def decode() -> dict:
        return jwt.decode(token, SECRET, algorithms=["HS256"], audience="retrust-app")

    with (
        freeze_time(alone.start - timedelta(minutes=11)),
        pytest.raises(jwt.ImmatureSignatureError),
    ):
        decode()
    with freeze_time(alone.start + timedelta(minutes=49)):
        assert decode()["room"] == alone.room
    with freeze_time(alone.end + timedelta(seconds=1)), pytest.raises(jwt.ExpiredSignatureError):
        decode()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-of-enough-length!!", algorithms=["HS256"], audience="x")


def test_no_token_is_minted_before_the_room_opens_or_after_the_end(jitsi, alone, partner_a):
    for moment in (alone.start - timedelta(minutes=11), alone.end + timedelta(seconds=1)):
        with freeze_time(moment), pytest.raises(ActionConflict):
            actions.join_url(partner_a, alone)
    with freeze_time(alone.start - timedelta(minutes=10)):
        assert "jwt=" in actions.join_url(partner_a, alone)


def test_the_wrong_person_gets_404_on_the_page_and_the_api(jitsi, alone, client_for, partner_b):
    with freeze_time(alone.start):
        for persona in ("partner_b", "other_clinician", "other_practice_clinician", "admin"):
            client = client_for(persona)
            assert client.post(f"/sessions/{alone.pk}/join/").status_code == 404, persona
            assert client.get(f"/sessions/{alone.pk}/join/").status_code == 404, persona
            response = client.post(f"/api/v1/appointments/{alone.pk}/join")
            assert response.status_code == 404, persona


def test_the_join_step_sends_a_participant_to_the_room_with_a_fresh_token(jitsi, alone, client_for):
    with freeze_time(alone.start - timedelta(minutes=2)):
        response = client_for("partner_a").post(f"/sessions/{alone.pk}/join/")
        page = client_for("partner_a").get(f"/sessions/{alone.pk}/join/")
        api = client_for("partner_a").post(f"/api/v1/appointments/{alone.pk}/join")
    assert response.status_code == 302
    assert response["Location"].startswith(f"https://meet.example.org/{alone.room}?jwt=")
    assert "camera=(self)" in page["Permissions-Policy"]
    text = page.content.decode()
    assert "Your clinician will let you in" in text
    assert "just for you and your clinician" in text
    assert api.status_code == 200 and api.json()["token"]


def test_without_jitsi_the_clinicians_own_link_is_given_at_join_time_only(
    alone, partner_a, clinician, client_for
):
    with freeze_time(alone.start), pytest.raises(ActionError, match="not set up"):
        actions.join_url(partner_a, alone)
    actions.set_video_link(clinician, "https://video.example.net/dana")
    assert VideoLink.objects.get().url == "https://video.example.net/dana"
    page = client_for("partner_a").get("/sessions/").content.decode()
    assert "video.example.net" not in page  # not shown before the room opens
    with freeze_time(alone.start):
        assert actions.join_url(partner_a, alone) == "https://video.example.net/dana"
    with pytest.raises(ActionError):
        actions.set_video_link(clinician, "http://plain.example.net/")


def test_a_session_in_person_has_no_room(jitsi, alone, partner_a):
    Appointment.objects.filter(pk=alone.pk).update(location=Location.IN_PERSON)
    alone.refresh_from_db()
    with freeze_time(alone.start), pytest.raises(ActionError):
        actions.join_url(partner_a, alone)


def test_the_subject_can_name_the_xmpp_domain_of_jitsis_docker_setup(
    jitsi, settings, alone, partner_a
):
    settings.JITSI_SUBJECT = "meet.jitsi"
    with freeze_time(alone.start):
        assert claims_of(actions.join_url(partner_a, alone))["sub"] == "meet.jitsi"
