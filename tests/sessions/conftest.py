"""A practice with session hours: the clinician works 09:00–17:00 Monday to Friday, London."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

# The URLconf (and the API's pydantic schemas) load before any test freezes the clock: under
# freezegun, pydantic would meet freezegun's datetime class instead of the real one.
import retrust.urls  # noqa: F401
from retrust.sessions import actions
from retrust.sessions.models import SessionSettings

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def hours(practice: Any, clinician: Any) -> None:
    SessionSettings.objects.create(practice=practice, time_zone="Europe/London", notice_hours=24)
    actions.set_weekly_hours(clinician, practice, [(d, time(9), time(17)) for d in range(5)])


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)
