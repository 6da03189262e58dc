"""Conversations, hurtful-moment reviews and the trigger log in an export and a deletion.

A copy holds the conversations of the person's cases turn by turn: their own turns as they
wrote them, the other partner's turns as "shared their view" with a line in place of the words.
Reviews carry the person's own answers only (never the other partner's, revealed or not). The
trigger log is the person's own.

When a partner leaves, conversations and the reviews' shared parts stay, attributed to a former
partner; review drafts and private trigger entries go; what they shared with the clinician
alone (a finished answer not yet revealed, a trigger entry) is held with the clinical record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from retrust.conversations.models import (
    Break,
    Conversation,
    HurtfulMomentReview,
    ReviewAnswer,
    ReviewComment,
    TriggerEntry,
    Turn,
)
from retrust.core.datarights import (
    Exporter,
    Leaving,
    Sections,
    split_by_visibility,
    visibility_shredder,
    when,
    who,
    words,
)
from retrust.core.models import CaseMember


def export(user: Any) -> Sections:
    case_ids = list(CaseMember.objects.filter(user=user).values_list("case_id", flat=True))
    conversations = Conversation.objects.visible_to(user).filter(case_id__in=case_ids)
    turns = Turn.objects.visible_to(user).filter(conversation__in=conversations).order_by("seq")
    breaks = Break.objects.visible_to(user).filter(conversation__in=conversations)
    reviews = HurtfulMomentReview.objects.visible_to(user).filter(case_id__in=case_ids)
    answers = ReviewAnswer.objects.filter(author=user, review__in=reviews)
    comments = ReviewComment.objects.filter(review__in=reviews)
    return {
        "conversations": [
            {
                "case": c.case_id,
                "opened_by": who(c.author_id, user),
                "topic": words(c.topic, c.author_id, user),
                "opened": when(c.created_at),
                "turns": [
                    {
                        "by": who(t.author_id, user),
                        "what": t.get_kind_display(),
                        "text": words(t.body, t.author_id, user),
                        "when": when(t.created_at),
                    }
                    for t in turns
                    if t.conversation_id == c.pk
                ],
                "breaks": [
                    {"called_by": who(b.author_id, user), "until": when(b.returns_at)}
                    for b in breaks
                    if b.conversation_id == c.pk
                ],
            }
            for c in conversations.order_by("created_at", "id")
        ],
        "hurtful_moment_reviews": [
            {
                "case": r.case_id,
                "opened_by": who(r.author_id, user),
                "title": words(r.title, r.author_id, user),
                "your_answer": next(
                    (
                        {
                            **{part: getattr(a, part) or "" for part in ReviewAnswer.PARTS},
                            "finished": when(a.done_at),
                        }
                        for a in answers
                        if a.review_id == r.pk
                    ),
                    None,
                ),
                "clinician_comments": [
                    {"text": c.body, "written": when(c.created_at)}
                    for c in comments
                    if c.review_id == r.pk
                ],
            }
            for r in reviews.order_by("created_at", "id")
        ],
        "trigger_log": [
            {
                "case": t.case_id,
                "when": when(t.occurred_at),
                "what_happened": t.what_happened,
                "intensity": t.intensity,
                "what_helped": t.what_helped or "",
                "shared_with": t.get_visibility_display(),
            }
            for t in TriggerEntry.objects.filter(author=user).order_by("occurred_at", "id")
        ],
    }


def _split(leaving: Leaving) -> dict[str, dict[str, Any]]:
    return {
        "review answers": split_by_visibility(
            ReviewAnswer.objects.all(), leaving, drafts=Q(done_at__isnull=True)
        ),
        "trigger entries": split_by_visibility(TriggerEntry.objects.all(), leaving),
    }


EXPORTER = Exporter("conversations", export)
SHREDDER = visibility_shredder("conversations", _split)
