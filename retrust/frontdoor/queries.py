"""Reading the front door's data: the public page in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import Http404

from retrust.core.models import ClinicianMembership, Practice, PracticeRole
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
