"""Every state change of conversations, breaks, reviews and the trigger log.

Each action validates, writes, and records one audit event, in one transaction; a refusal
raises ``ActionError`` naming the field at fault. Submitting the same form twice changes
nothing the second time: creation forms carry a ``creation_key``, turns an ``expected_seq``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from retrust.conversations import flow
from retrust.conversations.models import (
    Break,
    Conversation,
    HurtfulMomentReview,
    ReviewAnswer,
    ReviewComment,
    TriggerEntry,
    Turn,
)
from retrust.core import audit, pause
from retrust.core.actions import ActionError, mark_active, require_case_clinician
from retrust.core.models import Case, CaseMember, CaseStatus, User
from retrust.core.rules import Visibility

__all__ = ["ActionError"]

TOPIC_MAX = 200
BODY_MAX = 5_000
PART_MAX = 3_000


def _partners(case: Case) -> list[int]:
    return list(CaseMember.objects.filter(case=case).values_list("user_id", flat=True))


def _require_partner(user: User, case: Case) -> list[int]:
    """The action's side of ``CaseAccess.can_write``: a partner, in a case still open.

    Returns the partners' ids. Couple-shared actions also pass the pause gate
    (``pause.require_couple_work_allowed``), the action's side of ``CaseAccess.can_share``.
    """
    partners = _partners(case)
    if user.pk not in partners:
        raise ActionError("Only the partners in this case can do this.")
    # Read the status afresh: the case may have been closed since the caller loaded it.
    if Case.objects.filter(pk=case.pk, status=CaseStatus.CLOSED).exists():
        raise ActionError("This case is closed, so nothing new can be added here.")
    # Every partner action passes here, inside its transaction: it counts as activity.
    mark_active(user, case)
    return partners


def both_partners_here(partners: list[int]) -> bool:
    """Conversations and reviews are for two: one partner alone cannot open either."""
    return len(partners) >= 2


def _text(value: str, field: str, limit: int, empty_message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionError(empty_message, field)
    if len(value) > limit:
        raise ActionError(f"Please keep this under {limit:,} characters.", field)
    return value


# --- conversations ------------------------------------------------------------------------


@transaction.atomic
def open_conversation(
    author: User, case: Case, *, topic: str, creation_key: str = ""
) -> Conversation:
    """Open a conversation; the person opening it speaks first."""
    partners = _require_partner(author, case)
    pause.require_couple_work_allowed(case, author)
    others = [pk for pk in partners if pk != author.pk]
    if not both_partners_here(partners):
        raise ActionError(
            "Your partner hasn't joined yet. A conversation needs both of you.", "topic"
        )
    topic = _text(topic, "topic", TOPIC_MAX, "Name the topic in a few words.")
    if creation_key:
        existing = Conversation.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            if existing.author_id == author.pk:
                return existing
            raise ActionError("This form was already used. Reload the page and try again.")
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                case=case,
                author=author,
                visibility=Visibility.COUPLE,
                topic=topic,
                speaker=author,
                listener_id=others[0],
                creation_key=creation_key or None,
            )
    except IntegrityError as exc:  # the same form, submitted twice at once
        existing = Conversation.objects.filter(creation_key=creation_key).first()
        if existing is not None and existing.author_id == author.pk:
            return existing
        raise ActionError("This form was already used. Reload the page and try again.") from exc
    audit.record(author, "retrust.conversation.opened", target=conversation, case=case)
    return conversation


@transaction.atomic
def start_conversation(
    author: User, case: Case, *, topic: str, statement: str, creation_key: str = ""
) -> Conversation:
    """Open a conversation with its first statement, both or neither (the gentle start-up).

    Sending the same form twice returns the same conversation with its one statement.
    """
    conversation = open_conversation(author, case, topic=topic, creation_key=creation_key)
    if conversation.turn_count == 0:
        post_turn(author, conversation, kind=flow.STATEMENT, body=statement, expected_seq=0)
        conversation.refresh_from_db()
    return conversation


@transaction.atomic
def post_turn(
    author: User,
    conversation: Conversation,
    *,
    kind: str,
    body: str,
    expected_seq: int,
    now: datetime | None = None,
) -> Turn:
    """Add the next turn. ``expected_seq`` is how many turns the writer saw: if the
    conversation has moved on since, the same turn sent twice is returned, anything else is
    refused."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    case = Case.objects.get(pk=conversation.case_id)
    _require_partner(author, case)
    pause.require_couple_work_allowed(case, author)
    if conversation.turn_count != expected_seq:
        repeat = Turn.objects.filter(
            conversation=conversation, seq=expected_seq + 1, author=author, kind=kind
        ).first()
        if repeat is not None and repeat.body == (body or "").strip():
            return repeat
        raise ActionError("The conversation has moved on. Reload to see the latest turn.")
    if conversation.is_locked(now):
        raise ActionError(
            "You're on a break until "
            f"{timezone.localtime(conversation.locked_until):%H:%M}. "
            "The conversation opens again then."
        )
    role = (
        flow.SPEAKER
        if author.pk == conversation.speaker_id
        else flow.LISTENER
        if author.pk == conversation.listener_id
        else None
    )
    if role is None:
        raise ActionError("Only the two partners in this conversation can take turns.")
    step = flow.step(conversation.phase, kind, role)
    if step is None:
        waiting = flow.WAITING_FOR[conversation.phase]
        raise ActionError(f"It's the {waiting}'s turn now. Wait for them, then reply.", "kind")
    if kind == flow.CONFIRMATION:
        body = (body or "").strip()[:BODY_MAX] or "Yes, that's it."
    else:
        messages = {
            flow.STATEMENT: "Write what you'd like your partner to understand.",
            flow.SUMMARY: "Sum up what you heard, in your own words, before your reply.",
            flow.CLARIFICATION: "Say what your partner missed, so they can try again.",
        }
        body = _text(body, "body", BODY_MAX, messages[kind])
    turn = Turn.objects.create(
        case=case,
        author=author,
        visibility=Visibility.COUPLE,
        conversation=conversation,
        seq=conversation.turn_count + 1,
        kind=kind,
        body=body,
    )
    conversation.turn_count = turn.seq
    conversation.phase = step.phase
    if step.swap_roles:
        conversation.speaker_id, conversation.listener_id = (
            conversation.listener_id,
            conversation.speaker_id,
        )
    conversation.save(update_fields=["turn_count", "phase", "speaker", "listener", "updated_at"])
    audit.record(
        author,
        "retrust.conversation.turn.posted",
        target=turn,
        case=case,
        details={"kind": kind, "seq": turn.seq, "conversation": conversation.pk},
    )
    return turn


@transaction.atomic
def call_break(
    author: User, conversation: Conversation, *, returns_at: datetime, now: datetime | None = None
) -> Break:
    """Lock the conversation until ``returns_at`` (20 minutes to 24 hours from now).

    Calling a break while one is running returns the running one.
    """
    now = now or timezone.now()
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    case = Case.objects.get(pk=conversation.case_id)
    _require_partner(author, case)
    # The other partner sees a break at once: shared work, held during a pause like a turn.
    pause.require_couple_work_allowed(case, author)
    if conversation.is_locked(now):
        running = conversation.breaks.filter(returns_at__gt=now).order_by("-returns_at").first()
        if running is not None:
            return running
    problem = flow.break_problem(now, returns_at)
    if problem:
        raise ActionError(problem, "returns_at")
    taken = Break.objects.create(
        case=case,
        author=author,
        visibility=Visibility.COUPLE,
        conversation=conversation,
        returns_at=returns_at,
        created_at=now,
    )
    conversation.locked_until = returns_at
    conversation.save(update_fields=["locked_until", "updated_at"])
    audit.record(
        author,
        "retrust.conversation.break.called",
        target=taken,
        case=case,
        details={
            "conversation": conversation.pk,
            "minutes": int((returns_at - now).total_seconds() // 60),
        },
    )
    return taken


# --- processing a hurtful moment ----------------------------------------------------------


@transaction.atomic
def open_review(
    author: User, case: Case, *, title: str, creation_key: str = ""
) -> HurtfulMomentReview:
    partners = _require_partner(author, case)
    pause.require_couple_work_allowed(case, author)
    if not both_partners_here(partners):
        raise ActionError(
            "Your partner hasn't joined yet. Each of you answers a review, so it needs both "
            "of you.",
            "title",
        )
    title = _text(title, "title", TOPIC_MAX, "Name the moment in a few words.")
    if creation_key:
        existing = HurtfulMomentReview.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            if existing.author_id == author.pk:
                return existing
            raise ActionError("This form was already used. Reload the page and try again.")
    try:
        with transaction.atomic():
            review = HurtfulMomentReview.objects.create(
                case=case,
                author=author,
                visibility=Visibility.COUPLE,
                title=title,
                creation_key=creation_key or None,
            )
    except IntegrityError as exc:
        existing = HurtfulMomentReview.objects.filter(creation_key=creation_key).first()
        if existing is not None and existing.author_id == author.pk:
            return existing
        raise ActionError("This form was already used. Reload the page and try again.") from exc
    audit.record(author, "retrust.review.opened", target=review, case=case)
    return review


@transaction.atomic
def save_review_answer(
    author: User, review: HurtfulMomentReview, *, parts: dict[str, str], done: bool
) -> ReviewAnswer:
    """Save a draft (only its author sees it) or finish it. When the second partner finishes,
    both answers are shown to both partners at once."""
    review = HurtfulMomentReview.objects.select_for_update().get(pk=review.pk)
    case = Case.objects.get(pk=review.case_id)
    partners = set(_require_partner(author, case))
    if done:
        # Finishing may reveal both answers to the couple: shared work, held during a pause.
        pause.require_couple_work_allowed(case, author)
    answer = ReviewAnswer.objects.filter(review=review, author=author).first()
    if answer is not None and answer.done_at is not None:
        if done and all(
            (parts.get(name) or "").strip() == (getattr(answer, name) or "")
            for name in ReviewAnswer.PARTS
        ):
            return answer  # the same "I'm done" sent twice
        raise ActionError("You've already finished this review, so it can't be changed now.")
    cleaned: dict[str, str] = {}
    for name in ReviewAnswer.PARTS:
        value = (parts.get(name) or "").strip()
        if len(value) > PART_MAX:
            raise ActionError(f"Please keep each part under {PART_MAX:,} characters.", name)
        if done and not value:
            raise ActionError(
                "Every part needs a few words before you share. A sentence is enough.", name
            )
        cleaned[name] = value
    if answer is None:
        answer = ReviewAnswer(review=review, case=case, author=author)
    for name, value in cleaned.items():
        setattr(answer, name, value)
    answer.visibility = Visibility.CLINICIAN if done else Visibility.PRIVATE
    answer.done_at = timezone.now() if done else None
    answer.save()
    audit.record(
        author,
        "retrust.review.answer.finished" if done else "retrust.review.answer.saved",
        target=answer,
        case=case,
        details={"review": review.pk},
        private=audit.private_to_author(answer.visibility),  # a draft: its author's alone
    )
    if done:
        finished = ReviewAnswer.objects.filter(review=review, done_at__isnull=False)
        # Revealed only between two partners who have both finished: an answer never becomes
        # "couple" while one partner is alone in the case (a newcomer would inherit it).
        if both_partners_here(list(partners)) and (
            set(finished.values_list("author_id", flat=True)) >= partners
        ):
            finished.update(visibility=Visibility.COUPLE)
            review.revealed_at = timezone.now()
            review.save(update_fields=["revealed_at", "updated_at"])
            answer.visibility = Visibility.COUPLE
            audit.record(author, "retrust.review.revealed", target=review, case=case)
    return answer


@transaction.atomic
def take_review_to_session(partner: User, review: HurtfulMomentReview) -> HurtfulMomentReview:
    """Once both partners have finished, either may ask to take the moment to the next session.

    Both partners and the clinician see who asked, so it is couple-shared work and waits while
    the pause holds the asker. Asking again (by either partner) changes nothing.
    """
    review = HurtfulMomentReview.objects.select_for_update().get(pk=review.pk)
    case = Case.objects.get(pk=review.case_id)
    _require_partner(partner, case)
    pause.require_couple_work_allowed(case, partner)
    if review.revealed_at is None:
        raise ActionError("This opens once you have both finished your answers.")
    if review.for_session_at is not None:
        return review
    review.for_session_at = timezone.now()
    review.for_session_by = partner
    review.save(update_fields=["for_session_at", "for_session_by", "updated_at"])
    audit.record(partner, "retrust.review.for_session", target=review, case=case)
    return review


@transaction.atomic
def mark_review_talked_through(clinician: User, review: HurtfulMomentReview) -> HurtfulMomentReview:
    """The clinician notes that a moment taken to the next session was talked through there.
    Marking it again changes nothing."""
    review = HurtfulMomentReview.objects.select_for_update().get(pk=review.pk)
    case = Case.objects.get(pk=review.case_id)
    require_case_clinician(clinician, case, "Only the couple's clinician can note this.")
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed, so nothing new can be added here.")
    if review.for_session_at is None:
        raise ActionError("Nobody has asked to take this moment to a session.")
    if review.talked_through_at is not None:
        return review
    review.talked_through_at = timezone.now()
    review.save(update_fields=["talked_through_at", "updated_at"])
    audit.record(clinician, "retrust.review.talked_through", target=review, case=case)
    return review


@transaction.atomic
def comment_on_review(clinician: User, review: HurtfulMomentReview, *, body: str) -> ReviewComment:
    case = Case.objects.get(pk=review.case_id)
    require_case_clinician(clinician, case, "Only the couple's clinician can comment here.")
    if case.status == CaseStatus.CLOSED:
        raise ActionError("This case is closed, so nothing new can be added here.", "body")
    body = _text(body, "body", PART_MAX, "Write your comment first.")
    comment = ReviewComment.objects.create(review=review, author=clinician, body=body)
    audit.record(clinician, "retrust.review.commented", target=comment, case=case)
    return comment


# --- the trigger log ----------------------------------------------------------------------

TRIGGER_VISIBILITIES = (Visibility.PRIVATE, Visibility.CLINICIAN)


@transaction.atomic
def log_trigger(
    author: User,
    case: Case,
    *,
    what_happened: str,
    intensity: Any,
    what_helped: str = "",
    visibility: str = Visibility.PRIVATE,
    creation_key: str = "",
) -> TriggerEntry:
    _require_partner(author, case)
    what_happened = _text(
        what_happened, "what_happened", PART_MAX, "Say in a few words what happened."
    )
    try:
        level = int(intensity)
    except (TypeError, ValueError) as exc:
        raise ActionError("Choose how strong it felt, from 0 to 10.", "intensity") from exc
    if not 0 <= level <= 10:
        raise ActionError("Choose how strong it felt, from 0 to 10.", "intensity")
    what_helped = (what_helped or "").strip()
    if len(what_helped) > PART_MAX:
        raise ActionError(f"Please keep this under {PART_MAX:,} characters.", "what_helped")
    if visibility not in TRIGGER_VISIBILITIES:
        raise ActionError("Choose who can see this entry.", "visibility")
    if creation_key:
        existing = TriggerEntry.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            if existing.author_id == author.pk:
                return existing
            raise ActionError("This form was already used. Reload the page and try again.")
    try:
        with transaction.atomic():
            entry = TriggerEntry.objects.create(
                case=case,
                author=author,
                visibility=visibility,
                what_happened=what_happened,
                intensity=level,
                what_helped=what_helped,
                creation_key=creation_key or None,
            )
    except IntegrityError as exc:
        existing = TriggerEntry.objects.filter(creation_key=creation_key).first()
        if existing is not None and existing.author_id == author.pk:
            return existing
        raise ActionError("This form was already used. Reload the page and try again.") from exc
    audit.record(
        author,
        "retrust.trigger.logged",
        target=entry,
        case=case,
        details={"intensity": level, "visibility": str(visibility)},
        private=audit.private_to_author(visibility),
    )
    return entry
