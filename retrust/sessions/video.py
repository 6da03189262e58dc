"""Joining a video session: a Jitsi Meet token minted at join time, or a clinician's own link.

The token (HS256, the practice's Jitsi app id and secret) names one opaque room, the person's
display name only, and makes only the clinician a moderator. It is minted only for the
appointment's participants and only while the room is open: from ``RETRUST_JOIN_OPENS_MINUTES``
before the start until the end. Nothing here records a session, and no setting turns
recording on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import jwt
from django.conf import settings
from django.utils import timezone

from retrust.sessions.models import Appointment, Location, Status, VideoLink


@dataclass(frozen=True)
class Window:
    opens: datetime
    closes: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens <= now < self.closes


def window(appointment: Appointment) -> Window:
    opens = appointment.start - timedelta(minutes=settings.RETRUST_JOIN_OPENS_MINUTES)
    return Window(opens=opens, closes=appointment.end)


def jitsi_configured() -> bool:
    return bool(settings.JITSI_DOMAIN and settings.JITSI_APP_ID and settings.JITSI_APP_SECRET)


def can_join(appointment: Appointment, now: datetime | None = None) -> bool:
    """The join step is offered: a booked video appointment whose room is open now."""
    now = now or timezone.now()
    return (
        appointment.location == Location.VIDEO
        and appointment.status == Status.BOOKED
        and window(appointment).is_open(now)
    )


def mint(appointment: Appointment, user: Any, *, moderator: bool, now: datetime) -> str:
    """A Jitsi token for this person and this room, valid until the session ends."""
    open_ = window(appointment)
    claims = {
        "iss": settings.JITSI_APP_ID,
        "aud": settings.JITSI_AUDIENCE or settings.JITSI_APP_ID,
        "sub": settings.JITSI_SUBJECT or settings.JITSI_DOMAIN,
        "room": appointment.room,
        "nbf": int(open_.opens.timestamp()),
        "iat": int(now.timestamp()),
        "exp": int(open_.closes.timestamp()),
        "context": {"user": {"name": user.name}},
        "moderator": moderator,
    }
    return jwt.encode(claims, settings.JITSI_APP_SECRET, algorithm="HS256")


def room_url(appointment: Appointment, token: str) -> str:
    return f"https://{settings.JITSI_DOMAIN}/{quote(appointment.room)}?jwt={quote(token)}"


def fixed_link(appointment: Appointment) -> str:
    found = VideoLink.objects.filter(clinician_id=appointment.clinician_id).first()
    return found.url if found is not None else ""


def room_origin(appointment: Appointment) -> str:
    """Where the join step sends people (the Jitsi server or the clinician's own link's site),
    for the waiting page's Content Security Policy: its form may lead there and nowhere else."""
    from urllib.parse import urlsplit

    if jitsi_configured():
        return f"https://{settings.JITSI_DOMAIN}"
    link = urlsplit(fixed_link(appointment))
    return f"{link.scheme}://{link.netloc}" if link.scheme == "https" and link.netloc else ""
