"""JSON API for sessions: the same door, reads and actions as the pages.

A partner lists their own sessions in a case, the clinician all of the case's; only the
clinician books; a participant or the clinician cancels (a partner within the notice period);
the join route mints a video token for a participant while the room is open.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import AwareDatetime, Field

from retrust.core import policy
from retrust.sessions import actions, queries
from retrust.sessions.models import Appointment, Kind, Location

router = Router(tags=["sessions"])


class AppointmentOut(Schema):
    id: int
    case_id: int
    kind: str
    start: datetime
    end: datetime
    minutes: int
    location: str
    status: str
    participant_ids: list[int]
    change_requested: bool


class BookIn(Schema):
    start: AwareDatetime = Field(description="One of the free slots, with its UTC offset.")
    kind: str = Field(pattern=f"^({'|'.join(Kind.values)})$")
    location: str = Field(default=Location.VIDEO, pattern=f"^({'|'.join(Location.values)})$")
    partner_id: int | None = Field(default=None, description="For a session with one partner.")
    key: str = Field(default="", max_length=40, description="Sent twice, books once.")


class JoinOut(Schema):
    url: str
    token: str | None = Field(description="The Jitsi token, when the practice runs Jitsi.")
    expires_at: datetime


def _out(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": appointment.pk,
        "case_id": appointment.case_id,
        "kind": appointment.kind,
        "start": appointment.start,
        "end": appointment.end,
        "minutes": appointment.minutes,
        "location": appointment.location,
        "status": appointment.status,
        "participant_ids": [p.pk for p in appointment.participants.all()],
        "change_requested": appointment.change_requested_at is not None,
    }


@router.get(
    "/cases/{case_id}/appointments", response=list[AppointmentOut], summary="Sessions of a case"
)
def list_appointments(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    access = policy.case_access(request.auth, case_id)
    return [_out(a) for a in queries.for_case(access)]


@router.get(
    "/cases/{case_id}/free-slots",
    response=list[datetime],
    summary="The clinician's free times for the next four weeks",
)
def free_slots(request: HttpRequest, case_id: int) -> list[datetime]:
    access = policy.case_access(request.auth, case_id, as_=policy.CLINICIAN)
    return actions.free_slots(access.user, access.case.practice, days=actions.HORIZON_DAYS)


@router.post(
    "/cases/{case_id}/appointments",
    response={201: AppointmentOut},
    summary="Book a session in a free slot (the case's clinician)",
)
def book(request: HttpRequest, case_id: int, payload: BookIn) -> Status[Any]:
    access = policy.case_access(request.auth, case_id, as_=policy.CLINICIAN)
    appointment = actions.book(
        access.user,
        access.case,
        start=payload.start,
        kind=payload.kind,
        location=payload.location,
        partner=payload.partner_id,
        key=payload.key or None,
    )
    return Status(201, _out(appointment))


@router.post(
    "/appointments/{appointment_id}/cancel", response=AppointmentOut, summary="Cancel a session"
)
def cancel(request: HttpRequest, appointment_id: int) -> dict[str, Any]:
    _, appointment = queries.appointment_for(request.auth, appointment_id)
    return _out(actions.cancel(request.auth, appointment))


@router.post(
    "/appointments/{appointment_id}/join",
    response=JoinOut,
    summary="Join a video session: a fresh room token while the room is open",
)
def join(request: HttpRequest, appointment_id: int) -> dict[str, Any]:
    from retrust.sessions import video

    _, appointment = queries.appointment_for(request.auth, appointment_id)
    url = actions.join_url(request.auth, appointment, timezone.now())
    token = url.split("jwt=", 1)[1] if "jwt=" in url else None
    return {"url": url, "token": token, "expires_at": video.window(appointment).closes}
