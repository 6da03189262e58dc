"""Reading the front door's data: the public page in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import Http404

from retrust.core.models import ClinicianMembership, Practice, PracticeRole, User
from retrust.frontdoor.models import (
    Article,
    ClinicianProfile,
    ConsultationRequest,
    PracticePage,
    PracticeUpdate,
    Subscriber,
    SubscriberStatus,
)
from retrust.program.content import Exercise, library, render_markdown
from retrust.safety.models import CrisisResource


def published_practice(slug: str) -> Practice:
    """The practice whose public page is published at this slug; 404 otherwise."""
    page = (
        PracticePage.objects.select_related("practice")
        .filter(practice__slug=slug, published=True)
        .first()
    )
    if page is None:
        raise Http404("No such page.")
    return page.practice


def default_practice_slug() -> str:
    """``RETRUST_PUBLIC_PRACTICE`` if set, else the only practice with a published page."""
    configured = getattr(settings, "RETRUST_PUBLIC_PRACTICE", "")
    if configured:
        return str(configured)
    slugs = list(
        PracticePage.objects.filter(published=True).values_list("practice__slug", flat=True)[:2]
    )
    if len(slugs) != 1:
        raise Http404("No such page.")
    return slugs[0]


@dataclass(frozen=True)
class PublicClinician:
    name: str
    bio: str


@dataclass(frozen=True)
class PublicPage:
    practice: Practice
    about_html: str
    fees_html: str
    contact_html: str
    clinicians: list[PublicClinician]
    resources: list[CrisisResource]


def public_page(practice: Practice) -> PublicPage:
    """Everything the public page shows: four queries whatever the number of clinicians."""
    page = PracticePage.objects.filter(practice=practice).first() or PracticePage(practice=practice)
    current = ClinicianMembership.objects.filter(practice=practice).values_list("user_id")
    profiles = (
        ClinicianProfile.objects.filter(practice=practice, listed=True, user_id__in=current)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    return PublicPage(
        practice=practice,
        about_html=render_markdown(page.about),
        fees_html=render_markdown(page.fees),
        contact_html=render_markdown(page.contact),
        clinicians=[PublicClinician(p.user.name, p.bio) for p in profiles],
        resources=resources_of(practice),
    )


def resources_of(practice: Practice) -> list[CrisisResource]:
    return list(CrisisResource.objects.filter(practice=practice).order_by("position", "name"))


def staff_practice_ids(user: Any) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(ClinicianMembership.objects.filter(user=user).values_list("practice_id", flat=True))


def requests_for(user: Any) -> QuerySet[ConsultationRequest]:
    """Consultation requests to the practices where this person is a clinician or admin."""
    return ConsultationRequest.objects.filter(practice_id__in=staff_practice_ids(user))


def request_for(user: Any, request_id: int) -> ConsultationRequest:
    found = requests_for(user).select_related("practice").filter(pk=request_id).first()
    if found is None:
        raise Http404("No such page.")
    return found


def practice_clinicians(practice: Practice) -> QuerySet[ClinicianMembership]:
    return (
        ClinicianMembership.objects.filter(practice=practice, role=PracticeRole.CLINICIAN)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def published_articles(practice: Practice) -> QuerySet[Article]:
    return Article.objects.filter(practice=practice, published=True).only(
        "id", "title", "created_at"
    )


def published_article(practice: Practice, article_id: int) -> tuple[Article, str]:
    article = Article.objects.filter(practice=practice, published=True, pk=article_id).first()
    if article is None:
        raise Http404("No such page.")
    return article, render_markdown(article.body)


def exercise_summaries() -> list[Exercise]:
    """The shipped exercise library, for visitors: titles and summaries only (no database)."""
    return list(library().values())


def is_clinician_of(user: Any, practice_id: int) -> bool:
    return ClinicianMembership.objects.filter(
        user=user, practice_id=practice_id, role=PracticeRole.CLINICIAN
    ).exists()


def updates_overview(practice: Practice) -> dict[str, Any]:
    """Counts by status and the latest updates: three queries whatever the list's size."""
    counts = dict(
        Subscriber.objects.filter(practice=practice)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    updates = list(
        PracticeUpdate.objects.filter(practice=practice)
        .select_related("written_by")
        .only(
            "subject", "created_at", "recipients", "written_by__display_name", "written_by__email"
        )[:20]
    )
    return {
        "confirmed": counts.get(SubscriberStatus.CONFIRMED, 0),
        "pending": counts.get(SubscriberStatus.PENDING, 0),
        "unsubscribed": counts.get(SubscriberStatus.UNSUBSCRIBED, 0),
        "updates": updates,
    }


def subscribers_of(practice: Practice) -> Iterator[tuple[Any, ...]]:
    return (
        Subscriber.objects.filter(practice=practice)
        .order_by("email")
        .values_list("email", "status", "signed_up_at", "confirmed_at", "unsubscribed_at")
        .iterator(chunk_size=2000)
    )


# --- times: what a visitor may pick, and what the practice sees of the picks -------------------


@dataclass(frozen=True)
class OfferedDay:
    label: str  # "Tuesday 8 December"
    times: list[tuple[str, str]]  # (UTC ISO start, "10:00")


@dataclass(frozen=True)
class OfferedTimes:
    """The free starts a visitor may pick, by day in the practice's time zone."""

    zone: str
    days: list[OfferedDay] = field(default_factory=list)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(value, f"{day.label}, {time}") for day in self.days for value, time in day.times]


def _day_label(local: datetime) -> str:
    return f"{local:%A} {local.day} {local:%B}"


def by_day(starts: list[datetime], zone: Any) -> list[OfferedDay]:
    days: dict[str, list[tuple[str, str]]] = {}
    for start in starts:
        local = start.astimezone(zone)
        days.setdefault(_day_label(local), []).append((start.isoformat(), f"{local:%H:%M}"))
    return [OfferedDay(label, times) for label, times in days.items()]


def offered_times(practice: Practice) -> OfferedTimes:
    """Four queries whatever the number of clinicians and bookings; no names, free starts only."""
    from retrust.frontdoor import actions
    from retrust.sessions.models import settings_for

    rules = settings_for(practice)
    starts = actions.offered_slots(practice, rules=rules)
    return OfferedTimes(str(rules.zone), by_day(starts, rules.zone))


@dataclass(frozen=True)
class PickedTime:
    label: str  # "Tuesday 8 December, 10:00", in the practice's time
    free: bool | None  # None: not judged (the request is settled)


def picked_times(found: ConsultationRequest, times: BookingTimes) -> list[PickedTime]:
    from retrust.frontdoor.actions import slot_label

    picks = []
    for value in found.preferred_slots:
        start = datetime.fromisoformat(value)
        free = None if times.settled else start in times.free
        picks.append(PickedTime(slot_label(start, times.zone), free))
    return picks


ASKED = "Times they asked for"


@dataclass(frozen=True)
class BookingTimes:
    """What the request page needs about times: which picks are still free, and the accepting
    clinician's own free starts to book from (their asked-for ones first)."""

    zone: Any
    free: set[datetime]
    choices: list[Any]
    # A request with a case, or closed: its picks are history and are not judged.
    settled: bool = False


def booking_times(
    user: User, found: ConsultationRequest, parts: list[ConsultationRequest], *, as_clinician: bool
) -> BookingTimes:
    """A clinician sees picks against their own calendar; an admin against the practice's."""
    from retrust.frontdoor import actions
    from retrust.sessions import actions as sessions_actions
    from retrust.sessions.models import settings_for

    rules = settings_for(found.practice_id)
    zone = rules.zone
    if found.case_id is not None or not actions.NEXT[found.status]:
        return BookingTimes(zone, set(), [], settled=True)
    if not any(part.preferred_slots for part in [found, *parts]) and not as_clinician:
        return BookingTimes(zone, set(), [])
    if not as_clinician:
        return BookingTimes(zone, set(actions.offered_slots(found.practice, rules=rules)), [])
    # From today, and a day past the visitor's window, so that every pick can be judged.
    free_list = sessions_actions.free_slots(user, found.practice, days=actions.SLOT_DAYS + 2)
    free = set(free_list)
    asked = [datetime.fromisoformat(v) for part in [found, *parts] for v in part.preferred_slots]
    asked_free = sorted({a for a in asked if a in free})
    choices: list[Any] = []
    if asked_free:
        choices.append(
            (
                ASKED,
                [(a.isoformat(), actions.slot_label(a, zone)) for a in asked_free],
            )
        )
    others = [f for f in free_list if f not in set(asked_free)]
    for day in by_day(others, zone):
        choices.append((day.label, [(v, f"{day.label}, {t}") for v, t in day.times]))
    return BookingTimes(zone, free, choices)
