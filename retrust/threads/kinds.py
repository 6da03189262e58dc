"""The notification kinds of messages. An email says only that something waits."""

from __future__ import annotations

from retrust.notifications.kinds import Kind, register

FOR_PARTNER = register(Kind("message", "A new message for you in Messages", "partner"))
FOR_CLINICIAN = register(
    Kind("message_for_clinician", "A new message from a partner in one of your cases", "clinician")
)
