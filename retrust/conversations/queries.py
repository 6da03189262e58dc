"""What the Talk pages and the conversations API read, built once for both.

Every builder takes the request's ``CaseAccess`` and reads partner-authored rows through
``access.read`` (``visible_to`` plus the clinician's clinical-read audit, once per request and
kind of content), so a page and the API route beside it can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from retrust.conversations import trend
from retrust.conversations.models import (
    Conversation,
    HurtfulMomentReview,
    ReviewAnswer,
    ReviewComment,
    TriggerEntry,
    Turn,
)
from retrust.core.models import CaseMember, Track
from retrust.core.policy import CaseAccess

# The kinds of content a clinician's read is recorded under (``retrust.case.content.viewed``).
CONVERSATIONS = "conversations"
CONVERSATION = "conversation"
REVIEWS = "reviews"
REVIEW_ANSWERS = "review_answers"
TRIGGER_ENTRIES = "trigger_entries"

TREND_WEEKS = 12


@dataclass(frozen=True)
class Together:
    """Whether the couple tools apply to this case, and how the pages may speak of it."""

    both_here: bool  # two partners in the case: conversations and reviews are possible
    solo: bool  # an individual track with one person: nothing is addressed to two people


def together(access: CaseAccess) -> Together:
    both_here = CaseMember.objects.filter(case_id=access.case.pk).count() >= 2
    return Together(
        both_here=both_here,
        solo=not both_here and access.case.track == Track.INDIVIDUAL,
    )


def conversations(access: CaseAccess, limit: int = 50) -> list[Conversation]:
    """The case's conversations this person may see, most recently active first."""
    found = access.read(Conversation.objects.select_related("speaker", "listener"), CONVERSATIONS)
    return list(found.order_by("-updated_at")[:limit])


def turns(access: CaseAccess, conversation: Conversation) -> list[Turn]:
    found = access.read(Turn.objects.select_related("author"), CONVERSATION)
    return list(found.filter(conversation=conversation).order_by("seq"))


def reviews(access: CaseAccess, limit: int = 50) -> list[HurtfulMomentReview]:
    return list(access.read(HurtfulMomentReview.objects, REVIEWS).order_by("-created_at")[:limit])


def finished_review_title(access: CaseAccess, pk: int | str) -> str | None:
    """The title of a review both partners have finished, if this person may read it."""
    found = access.read(HurtfulMomentReview.objects, REVIEWS).filter(
        pk=int(pk), revealed_at__isnull=False
    )
    return found.values_list("title", flat=True).first()


@dataclass(frozen=True)
class ReviewRead:
    mine: ReviewAnswer | None
    # Finished answers of others this person may read (the clinician: both, once finished).
    others: list[ReviewAnswer]
    comments: list[ReviewComment]


def review(access: CaseAccess, found: HurtfulMomentReview) -> ReviewRead:
    answers = list(
        access.read(ReviewAnswer.objects.select_related("author"), REVIEW_ANSWERS).filter(
            review=found
        )
    )
    me = access.user.pk
    return ReviewRead(
        mine=next((a for a in answers if a.author_id == me), None),
        others=[a for a in answers if a.author_id != me and a.done_at is not None],
        comments=list(ReviewComment.objects.filter(review=found).select_related("author")),
    )


@dataclass(frozen=True)
class TriggerLog:
    weeks: list[trend.Week]
    recent: list[TriggerEntry]


def trigger_log(access: CaseAccess, recent: int = 20) -> TriggerLog:
    """A partner's own log, or what the partners shared with their clinician: the weekly trend
    and the latest entries."""
    entries = access.read(TriggerEntry.objects, TRIGGER_ENTRIES)
    if access.is_partner:
        entries = entries.filter(author_id=access.user.pk)  # a partner's log is their own
    since = timezone.now() - timedelta(weeks=TREND_WEEKS)
    points = entries.filter(occurred_at__gte=since).values_list("occurred_at", "intensity")
    weeks = trend.weekly_trend(
        ((timezone.localtime(at).date(), level) for at, level in points),
        timezone.localdate(),
        weeks=TREND_WEEKS,
    )
    return TriggerLog(
        weeks=weeks,
        recent=list(entries.select_related("author").order_by("-occurred_at")[:recent]),
    )
