from __future__ import annotations

import pytest

from retrust.core.models import Practice
from retrust.frontdoor.models import PracticePage


@pytest.fixture
def public_page(practice: Practice) -> PracticePage:
    return PracticePage.objects.create(
        practice=practice,
        published=True,
        about="We help couples **rebuild trust**.",
        fees="A session costs 90.",
        contact="Call us on weekdays.",
    )


@pytest.fixture
def other_public_page(other_practice: Practice) -> PracticePage:
    return PracticePage.objects.create(practice=other_practice, published=True)


def request_data(key: str = "k1", **extra: str) -> dict[str, str]:
    data = {
        "name": "Sam",
        "contact_method": "email",
        "contact": "sam@example.net",
        "safe_times": "Weekday mornings",
        "leave_message": "no",
        "confirm_email": "now",
        "trust_means": "Being able to believe what we say.",
        "hopes": "Fewer arguments.",
        "submission_key": key,
    }
    data.update(extra)
    return data
