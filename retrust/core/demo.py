"""A fictional demo practice. Deterministic, and safe to seed twice: nothing is duplicated."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from retrust.core import audit, registry
from retrust.core.models import (
    Case,
    CaseMember,
    ClinicianMembership,
    Invitation,
    JournalEntry,
    Practice,
    User,
    hash_token,
)

DEMO_DOMAIN = "demo.retrust.example"
DEMO_PASSWORD = "harbour-light-demo"

STAFF = [
    ("ines", "Inês Carvalho", "admin"),
    ("maya", "Maya Okafor", "clinician"),
    ("tomas", "Tomás Lindqvist", "clinician"),
]

# (key, label, status, track, stage, clinician, partner A, partner B, B joined?)
CASES = [
    (
        "pending",
        "Jordan and Casey",
        "invited",
        "conjoint",
        0,
        "maya",
        ("jordan", "Jordan"),
        ("casey", "Casey"),
        False,
    ),
    (
        "intake",
        "Sam and Alex",
        "intake",
        "conjoint",
        0,
        "maya",
        ("sam", "Sam"),
        ("alex", "Alex"),
        True,
    ),
    (
        "conjoint",
        "Priya and Daniel",
        "active",
        "conjoint",
        2,
        "maya",
        ("priya", "Priya"),
        ("daniel", "Daniel"),
        True,
    ),
    ("individual", "Morgan", "active", "individual", 1, "tomas", ("morgan", "Morgan"), None, False),
    (
        "discernment",
        "Lee and Robin",
        "active",
        "discernment",
        0,
        "tomas",
        ("lee", "Lee"),
        ("robin", "Robin"),
        True,
    ),
    (
        "closed",
        "Chris and Pat",
        "closed",
        "conjoint",
        5,
        "maya",
        ("chris", "Chris"),
        ("pat", "Pat"),
        True,
    ),
]

JOURNAL = [
    (
        "priya",
        "private",
        "I noticed I checked Daniel's location twice today. I didn't say anything; I want to "
        "understand what I was afraid of before I bring it up.",
    ),
    (
        "priya",
        "clinician",
        "Something to talk about next session: I feel better on days we have our evening "
        "check-in, and worse when it gets skipped.",
    ),
    (
        "daniel",
        "couple",
        "Thank you for telling me when the late meeting worried you, instead of waiting. "
        "I called when I said I would, and I'd like to keep doing that.",
    ),
    (
        "morgan",
        "clinician",
        "I'm not ready to invite my partner yet. I'd like to work on what I want to say first.",
    ),
]


def email_for(key: str) -> str:
    return f"{key}@{DEMO_DOMAIN}"


def _user(key: str, name: str) -> User:
    user = User.objects.filter(email=email_for(key)).first()
    if user is None:
        user = User(email=email_for(key), display_name=name)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _totp(user: User) -> None:
    # A fixed key per demo account, so `retrust otpcode` and the tests can compute codes.
    key = hashlib.sha256(f"retrust-demo-totp:{user.email}".encode()).hexdigest()[:40]
    TOTPDevice.objects.get_or_create(
        user=user, name="Demo authenticator", defaults={"key": key, "confirmed": True}
    )


@transaction.atomic
def seed_demo() -> list[tuple[str, str]]:
    """Create the demo practice if it is missing; return (email, description) for every login."""
    practice, created = Practice.objects.get_or_create(
        slug="harbour-light-demo", defaults={"name": "Harbour Light Counselling (demo)"}
    )
    logins: list[tuple[str, str]] = []
    staff: dict[str, User] = {}
    for key, name, role in STAFF:
        user = _user(key, name)
        ClinicianMembership.objects.get_or_create(
            practice=practice, user=user, defaults={"role": role}
        )
        _totp(user)
        staff[key] = user
        logins.append(
            (user.email, f"{'Practice admin' if role == 'admin' else 'Clinician'}: {name}")
        )

    now = timezone.now()
    partners: dict[str, User] = {}
    for key, label, status, track, stage, clinician, a, b, b_joined in CASES:
        case, case_created = Case.objects.get_or_create(
            creation_key=f"demo-{key}",
            defaults={
                "practice": practice,
                "label": label,
                "status": status,
                "track": track,
                "stage": stage,
            },
        )
        if case_created:
            case.clinicians.add(staff[clinician])
        people = [("partner_a", a, status != "invited"), ("partner_b", b, b_joined)]
        for role, person, joined in people:
            if person is None:
                continue
            pkey, pname = person
            if joined:
                user = _user(pkey, pname)
                partners[pkey] = user
                CaseMember.objects.get_or_create(
                    case=case,
                    role=role,
                    defaults={"user": user, "last_active_at": now - timedelta(days=1)},
                )
                logins.append((user.email, f"{role.replace('_', ' ').title()} in “{label}”"))
            elif case_created:
                Invitation.objects.create(
                    practice=practice,
                    case=case,
                    role=role,
                    email=email_for(pkey),
                    display_name=pname,
                    # The demo never mails these links; a random-looking fixed hash stands in.
                    token_hash=hash_token(f"demo-unsent-{key}-{role}"),
                    created_by=staff[clinician],
                    expires_at=now + timedelta(days=14),
                )
        if case_created:
            audit.record(
                staff[clinician],
                "retrust.case.created",
                target=case,
                case=case,
                details={"track": track, "label": label, "demo": True},
            )

    if created:
        conjoint = Case.objects.get(creation_key="demo-conjoint")
        individual = Case.objects.get(creation_key="demo-individual")
        for author, visibility, body in JOURNAL:
            case = individual if author == "morgan" else conjoint
            JournalEntry.objects.create(
                case=case, author=partners[author], visibility=visibility, body=body
            )
    # Each app adds its own part of the demo (core.registry).
    for _, seeder in registry.DEMO_SEEDERS:
        seeder(practice, partners, created)
    if created:
        audit.record(None, "retrust.demo.seeded", practice=practice)
    return logins
