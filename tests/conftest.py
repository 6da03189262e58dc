"""Named personas for every test: who is asking decides what they may see.

partner_a and partner_b share ``case``; ``clinician`` is assigned to it; ``other_clinician``
works in the same practice but not on this case; ``other_practice_clinician`` works elsewhere;
``admin`` administers the practice; ``anonymous`` is not signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from retrust.core.models import (
    Case,
    CaseMember,
    ClinicianMembership,
    Practice,
    User,
)

# The local SMTP server and the queue's clean-up, for every test module.
from tests.support.mail import _empty_redis_queue, smtp_inbox, smtp_server  # noqa: F401

PASSWORD = "a calm river at dawn"
PERSONAS = [
    "partner_a",
    "partner_b",
    "clinician",
    "other_clinician",
    "other_practice_clinician",
    "admin",
    "anonymous",
]


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def make_user(email: str, name: str = "") -> User:
    return User.objects.create_user(email, PASSWORD, display_name=name)


def make_staff(practice: Practice, email: str, role: str, name: str = "") -> User:
    user = make_user(email, name)
    ClinicianMembership.objects.create(practice=practice, user=user, role=role)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def practice(db: None) -> Practice:
    return Practice.objects.create(name="Quiet Harbour Therapy", slug="quiet-harbour")


@pytest.fixture
def other_practice(db: None) -> Practice:
    return Practice.objects.create(name="Elsewhere Counselling", slug="elsewhere")


@pytest.fixture
def clinician(practice: Practice) -> User:
    return make_staff(practice, "clinician@example.org", "clinician", "Dana Clinician")


@pytest.fixture
def other_clinician(practice: Practice) -> User:
    return make_staff(practice, "other.clinician@example.org", "clinician", "Eli Colleague")


@pytest.fixture
def other_practice_clinician(other_practice: Practice) -> User:
    return make_staff(other_practice, "far.clinician@example.org", "clinician", "Fran Far")


@pytest.fixture
def admin(practice: Practice) -> User:
    return make_staff(practice, "admin@example.org", "admin", "Gale Admin")


@pytest.fixture
def case(practice: Practice, clinician: User) -> Case:
    case = Case.objects.create(practice=practice, label="Ari and Bo", status="active")
    case.clinicians.add(clinician)
    return case


@pytest.fixture
def partner_a(case: Case) -> User:
    user = make_user("ari@example.org", "Ari")
    CaseMember.objects.create(case=case, user=user, role="partner_a")
    return user


@pytest.fixture
def partner_b(case: Case) -> User:
    user = make_user("bo@example.org", "Bo")
    CaseMember.objects.create(case=case, user=user, role="partner_b")
    return user


@pytest.fixture
def other_practice_case(other_practice: Practice, other_practice_clinician: User) -> Case:
    case = Case.objects.create(practice=other_practice, label="Cy and Di", status="active")
    case.clinicians.add(other_practice_clinician)
    return case


def signed_in_client(user: User | None) -> Client:
    """A client signed in as ``user``, with two-factor done for staff; anonymous for None."""
    client = Client()
    if user is None:
        return client
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def personas(
    partner_a: User,
    partner_b: User,
    clinician: User,
    other_clinician: User,
    other_practice_clinician: User,
    admin: User,
) -> dict[str, User | None]:
    return {
        "partner_a": partner_a,
        "partner_b": partner_b,
        "clinician": clinician,
        "other_clinician": other_clinician,
        "other_practice_clinician": other_practice_clinician,
        "admin": admin,
        "anonymous": None,
    }


@pytest.fixture
def client_for(personas: dict[str, User | None]) -> Callable[[str], Client]:
    """``client_for("partner_b")``: a signed-in client for that persona."""

    def make(name: str) -> Client:
        return signed_in_client(personas[name])

    return make


def _paused(case: Case) -> bool:
    """Whether couple-shared work on ``case`` is paused, read afresh from the database."""
    from retrust.core import pause

    case.refresh_from_db()
    return pause.is_paused(case)


def pause_case(case: Case, held_for: User | None = None, shown: bool = True) -> Any:
    """Pause couple-shared work the way the safety app does (a record plus the core's gate).

    ``shown``: the clinician has acted, so both partners are held and read the neutral wording.
    """
    from retrust.core import pause
    from retrust.safety.models import CasePause

    pause.start(case, held_for=held_for)
    if shown:
        pause.show(case)
    return CasePause.objects.create(case=case)


def lift_case(record: Any) -> None:
    """Lift a pause made by ``pause_case`` without the clinician's checks (for fixtures)."""
    from django.utils import timezone

    from retrust.core import pause

    record.lifted_at = timezone.now()
    record.save(update_fields=["lifted_at"])
    pause.end(record.case)
