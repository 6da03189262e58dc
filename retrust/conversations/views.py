"""Pages for talking well: the gentle start-up builder, structured conversations and breaks,
hurtful-moment reviews and the trigger log.

Thin: every page resolves the person's access to the case once (``case_view`` or
``policy.record_access``), reads through ``queries`` (the same builders as the API), and sends
each form through ``submit``, which puts an action's refusal on the field it names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.coach import LISTENER, ROLES, SPEAKER, analyse, hints, offer
from retrust.conversations import actions, feelings, flow, queries, trend
from retrust.conversations.forms import (
    BreakForm,
    CommentForm,
    ConfirmForm,
    FeelingWordsForm,
    GentleStartForm,
    OpenConversationForm,
    ReviewAnswerForm,
    ReviewOpenForm,
    TriggerForm,
    TurnForm,
    compose,
    review_question_count,
)
from retrust.conversations.models import Conversation, HurtfulMomentReview, ReviewAnswer
from retrust.core import actions as core_actions
from retrust.core import policy, registry
from retrust.core import views as core_views
from retrust.core.decorators import case_view
from retrust.core.policy import CaseAccess
from retrust.core.rules import Visibility
from retrust.core.submission import submit

TURN_PROMPTS = {
    flow.STATEMENT: ("Share your view", "What would you like your partner to understand?"),
    flow.SUMMARY: (
        "Sum up what you heard",
        "Before your own view: what did your partner say, in your own words?",
    ),
    flow.CLARIFICATION: ("Clarify", "What did your partner miss? Say it once more, gently."),
}


# --- hub ----------------------------------------------------------------------------------


@login_required
def talk_home(request: HttpRequest) -> HttpResponse:
    """The "Talk" link in the menu: a partner's first case's talk page."""
    case_id = policy.partner_cases_for(request.user).order_by("id").values_list("pk", flat=True)
    first = case_id.first()
    if first is None:
        raise Http404("No such page.")
    return redirect("talk", case_id=first)


def _talk_page(
    request: HttpRequest,
    access: CaseAccess,
    *,
    conversation_form: forms.Form | None = None,
    review_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "access": access,
        "case": access.case,
        "together": queries.together(access),
        "conversations": queries.conversations(access),
        "reviews": queries.reviews(access),
        "now": timezone.now(),
        "conversation_form": conversation_form or OpenConversationForm(),
        "review_form": review_form or ReviewOpenForm(),
        "review_questions": review_question_count(),
    }
    return render(request, "conversations/talk.html", context, status=status)


@case_view(as_=policy.MEMBER)
def talk(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return _talk_page(request, access)


# --- the coach, live ----------------------------------------------------------------------


def coach_context(text: str, role: str = SPEAKER, **extra: Any) -> dict[str, Any]:
    """What ``_coach_feedback.html`` shows for a draft: hints (each phrase once) and what the
    coach offers this role. Computed per request; nothing of it is stored."""
    analysis = analyse(text) if text.strip() else None
    return {
        "analysis": analysis,
        "hints": hints(analysis) if analysis else [],
        "offered": offer(analysis, role),
        "role": role,
        "text": text,
        **extra,
    }


@require_POST
@login_required
def coach_feedback(request: HttpRequest) -> HttpResponse:
    """The coach's private hints on a draft, as an htmx fragment. Nothing is stored.

    The one check endpoint of every coached form (``retrust.core.coaching``): the gentle
    start-up builder posts its three parts; any other form names its text field in
    ``coach_field`` and the writer's role in ``coach_role``."""
    if policy.PARTNER_ROLE not in policy.roles(request.user):
        raise Http404("No such page.")
    if "feeling" in request.POST or "need" in request.POST:
        text = compose(
            request.POST.get("feeling", "")[:200],
            request.POST.get("situation", "")[:600],
            request.POST.get("need", "")[:600],
        )
        composed = True
    else:
        text = request.POST.get(request.POST.get("coach_field", "body")[:100], "")[:5_000]
        composed = False
    role = request.POST.get("coach_role", SPEAKER)
    context = coach_context(text, role if role in ROLES else SPEAKER, composed=composed)
    return render(request, "conversations/_coach_feedback.html", context)


def _gentle_start_page(
    request: HttpRequest, access: CaseAccess, form: forms.Form, status: int = 200
) -> HttpResponse:
    preview = None
    data = getattr(form, "cleaned_data", {})
    if all(name in data for name in ("feeling", "situation", "need")):
        preview = compose(data["feeling"], data["situation"], data["need"])
    context = {
        "access": access,
        "case": access.case,
        "together": queries.together(access),
        "form": form,
        **coach_context(preview or "", composed=True),
    }
    return render(request, "conversations/gentle_start.html", context, status=status)


def _review_topic(access: CaseAccess, review_id: str) -> str:
    """ "Talk it through" from a finished review: its title starts the situation, if this
    person may read the review (anything else is ignored, never an error)."""
    title = queries.finished_review_title(access, review_id) if review_id.isdigit() else None
    return f"about “{title}”" if title else ""


@case_view(as_=policy.PARTNER)
def gentle_start(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    if request.method != "POST":
        situation = _review_topic(access, request.GET.get("review", ""))
        form = GentleStartForm(initial={"situation": situation} if situation else None)
        return _gentle_start_page(request, access, form)
    form = GentleStartForm(request.POST)
    to_journal = request.POST.get("then") == "journal"

    def page(form: forms.Form, status: int) -> HttpResponse:
        return _gentle_start_page(request, access, form, status)

    def send(data: dict[str, Any]) -> Conversation | None:
        message = compose(data["feeling"], data["situation"], data["need"])
        if to_journal:
            core_actions.write_journal_entry(
                request.user, access.case, body=message, visibility="private"
            )
            return None
        return actions.start_conversation(
            request.user,  # type: ignore[arg-type]
            access.case,
            topic=data["situation"][:80],
            statement=message,
            creation_key=data.get("creation_key") or "",
        )

    return submit(
        request,
        form,
        send,
        done=lambda found: (
            redirect("partner_home") if found is None else redirect("conversation", pk=found.pk)
        ),
        again=page,
        message=lambda found: (
            "Saved to your journal. Only you can read it."
            if found is None
            else "Sent. Your partner sums up what they heard next."
        ),
    )


@case_view(as_=policy.PARTNER)
def feeling_words(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    """After a hard moment: tick a few feelings and needs, then start a gentle start-up or a
    private journal entry with them. Nothing is stored here: the chosen page opens with the
    words filled in, and only that page's own Send or Save keeps anything. The words travel in
    the body of a POST, never in an address that browser history or a server log would keep."""
    together = queries.together(access)
    may_talk = access.can_share and together.both_here

    def page(form: forms.Form, status: int) -> HttpResponse:
        context = {
            "access": access,
            "case": access.case,
            "form": form,
            "feelings": feelings.FEELINGS,
            "needs": feelings.NEEDS,
            "may_talk": may_talk,
            "together": together,
            "ticked": set(request.POST.getlist("feelings") + request.POST.getlist("needs")),
        }
        return render(request, "conversations/feeling_words.html", context, status=status)

    if request.method != "POST":
        return page(FeelingWordsForm(), 200)
    form = FeelingWordsForm(request.POST)
    if form.is_valid() and not access.can_write:
        form.add_error(None, "This case is closed, so nothing new can be saved or sent.")
    if not form.is_valid():
        return page(form, 400)
    chosen, needs = form.cleaned_data["feelings"], form.cleaned_data["needs"]
    if form.cleaned_data["then"] == "conversation" and may_talk:
        start = GentleStartForm(
            initial={
                "feeling": feelings.join_words(chosen),
                "need": feelings.need_sentence(needs),
            }
        )
        return _gentle_start_page(request, access, start)
    # The journal, and also where "start a conversation" lands for someone the pause holds
    # (or whose partner has not joined): words kept for oneself are never couple work.
    return core_views.journal_form_page(
        request, access, opening=feelings.journal_text(chosen, needs)
    )


@require_POST
@case_view(as_=policy.PARTNER)
def open_conversation(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return submit(
        request,
        OpenConversationForm(request.POST),
        lambda data: actions.open_conversation(
            request.user,  # type: ignore[arg-type]
            access.case,
            topic=data["topic"],
            creation_key=data.get("creation_key") or "",
        ),
        done=lambda found: redirect("conversation", pk=found.pk),
        again=lambda form, status: _talk_page(
            request, access, conversation_form=form, status=status
        ),
    )


# --- structured conversations -------------------------------------------------------------


def _conversation(request: HttpRequest, pk: int, as_: policy.As) -> tuple[CaseAccess, Any]:
    return policy.record_access(
        request.user,
        Conversation.objects.select_related("speaker", "listener", "author"),
        pk,
        as_=as_,
        what=queries.CONVERSATION,
    )


def _conversation_page(
    request: HttpRequest,
    access: CaseAccess,
    conversation: Conversation,
    *,
    turn_form: TurnForm | None = None,
    break_form: forms.Form | None = None,
    coached: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    turns = queries.turns(access, conversation)
    role = (
        flow.SPEAKER
        if user.pk == conversation.speaker_id
        else flow.LISTENER
        if user.pk == conversation.listener_id
        else None
    )
    kinds = flow.kinds_for(conversation.phase, role) if role else []
    locked = conversation.is_locked(timezone.now())
    # The same rule as ``actions.post_turn``: their turn, no break running, nothing held.
    writable = bool(kinds) and not locked and access.can_share
    writing_kind = next((k for k in kinds if k != flow.CONFIRMATION), None)
    if turn_form is None and writing_kind:
        turn_form = TurnForm(
            initial={"kind": writing_kind, "expected_seq": conversation.turn_count},
            auto_id="turn-%s",
        )
    prompt = TURN_PROMPTS.get(writing_kind or "", ("", ""))
    # The one who sums up is the listener: the coach offers them a listener's template.
    writing_role = LISTENER if writing_kind == flow.SUMMARY else SPEAKER
    waiting_for = (
        conversation.speaker
        if flow.WAITING_FOR[conversation.phase] == flow.SPEAKER
        else conversation.listener
    )
    last_statement = next(
        (t for t in reversed(turns) if t.kind in (flow.STATEMENT, flow.CLARIFICATION)), None
    )
    context = {
        "access": access,
        "conversation": conversation,
        "turns": turns,
        "role": role,
        "kinds": kinds,
        "writable": writable,
        "writing_kind": writing_kind,
        "can_confirm": flow.CONFIRMATION in kinds and writable,
        "turn_form": turn_form,
        "prompt_title": prompt[0],
        "prompt_help": prompt[1],
        "break_form": break_form or BreakForm(auto_id="break-%s"),
        "locked": locked,
        "calming": flow.CALMING_SUGGESTIONS,
        "waiting_for": waiting_for,
        "last_statement": last_statement,
        "writing_role": writing_role,
        "coached": coached or coach_context("", writing_role),
        "is_partner": role is not None,
    }
    return render(request, "conversations/conversation.html", context, status=status)


@login_required
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    access, found = _conversation(request, pk, policy.MEMBER)
    return _conversation_page(request, access, found)


@require_POST
@login_required
def post_turn(request: HttpRequest, pk: int) -> HttpResponse:
    access, found = _conversation(request, pk, policy.PARTNER)
    form = TurnForm(request.POST, auto_id="turn-%s")
    kind = request.POST.get("kind", "")
    if kind == flow.CONFIRMATION:
        form.fields["body"].required = False
    if form.is_valid() and kind != flow.CONFIRMATION and not form.cleaned_data["send_anyway"]:
        role = LISTENER if kind == flow.SUMMARY else SPEAKER
        coached = coach_context(form.cleaned_data["body"], role)
        if coached["analysis"].harsh_quoted:
            # Hints are shown to the writer only, and never stored; sending anyway is fine.
            again = TurnForm(initial={**form.cleaned_data, "send_anyway": True}, auto_id="turn-%s")
            return _conversation_page(request, access, found, turn_form=again, coached=coached)
    return submit(
        request,
        form,
        lambda data: actions.post_turn(
            request.user,  # type: ignore[arg-type]
            found,
            kind=kind,
            body=data.get("body") or "",
            expected_seq=data["expected_seq"],
        ),
        done=lambda turn: redirect("conversation", pk=found.pk),
        again=lambda form, status: _conversation_page(
            request, access, found, turn_form=form, status=status
        ),
    )


@require_POST
@login_required
def call_break(request: HttpRequest, pk: int) -> HttpResponse:
    access, found = _conversation(request, pk, policy.PARTNER)

    def take(data: dict[str, Any]) -> Any:
        # One clock reading for both the return time and the action's check of it, so the
        # shortest break (exactly 20 minutes) is exactly 20 minutes away.
        now: datetime = timezone.now()
        return actions.call_break(
            request.user,  # type: ignore[arg-type]
            found,
            returns_at=now + timedelta(minutes=data["minutes"]),
            now=now,
        )

    return submit(
        request,
        BreakForm(request.POST, auto_id="break-%s"),
        take,
        done=lambda taken: redirect("conversation", pk=found.pk),
        again=lambda form, status: _conversation_page(
            request, access, found, break_form=form, status=status
        ),
        message="Break started. Take care of yourself; see you soon.",
    )


# --- processing a hurtful moment ----------------------------------------------------------


@require_POST
@case_view(as_=policy.PARTNER)
def open_review(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    return submit(
        request,
        ReviewOpenForm(request.POST),
        lambda data: actions.open_review(
            request.user,  # type: ignore[arg-type]
            access.case,
            title=data["title"],
            creation_key=data.get("creation_key") or "",
        ),
        done=lambda found: redirect("review", pk=found.pk),
        again=lambda form, status: _talk_page(request, access, review_form=form, status=status),
    )


def _review_page(
    request: HttpRequest,
    access: CaseAccess,
    found: HurtfulMomentReview,
    read: queries.ReviewRead,
    *,
    form: forms.Form | None = None,
    comment_form: forms.Form | None = None,
    refused: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    commenting = access.can_act_as_clinician and not access.is_partner
    return render(
        request,
        "conversations/review.html",
        {
            "access": access,
            "review": found,
            "mine": read.mine,
            "others": read.others,
            "form": form,
            "is_partner": access.is_partner,
            "is_clinician": access.is_clinician and not access.is_partner,
            "comments": read.comments,
            "comment_form": (
                (comment_form or CommentForm(auto_id="comment-%s")) if commenting else None
            ),
            # A comment refused because the case closed while the page was open.
            "comment_refused": comment_form if not commenting else None,
            "parts": [
                (name, ReviewAnswer._meta.get_field(name).verbose_name)
                for name in ReviewAnswer.PARTS
            ],
            "questions": review_question_count(),
            # After both have finished: talk it through, or take it to the next session.
            "next_step": access.is_partner and found.revealed_at is not None,
            "may_share": access.can_share,
            # The date for the clinician only: the next booked session may be one partner's
            # own, which the other partner must not learn of from here.
            "next_session_on": (
                registry.next_session_on(access.case)
                if found.for_session_at and not access.is_partner
                else None
            ),
            "next_step_refused": refused,
            "may_mark_talked_through": (
                commenting and found.for_session_at is not None and found.talked_through_at is None
            ),
        },
        status=status,
    )


def _review(request: HttpRequest, pk: int, as_: policy.As) -> tuple[CaseAccess, Any]:
    return policy.record_access(
        request.user,
        HurtfulMomentReview.objects.select_related("author", "for_session_by"),
        pk,
        as_=as_,
    )


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    access, found = _review(request, pk, policy.MEMBER)
    read = queries.review(access, found)
    # A partner answers until they have finished; a closed case shows no form (the action
    # refuses there too).
    answering = access.is_partner and (read.mine is None or read.mine.done_at is None)
    if request.method == "POST" and not answering:
        raise Http404("No such page.")
    form = ReviewAnswerForm(request.POST or None, instance=read.mine, prefix="answer")
    if request.method != "POST":
        shown = form if answering and access.can_write else None
        return _review_page(request, access, found, read, form=shown)
    done = request.POST.get("then") == "done"
    return submit(
        request,
        form,
        lambda data: actions.save_review_answer(
            request.user,  # type: ignore[arg-type]
            found,
            parts={name: data.get(name) or "" for name in ReviewAnswer.PARTS},
            done=done,
        ),
        done=lambda answer: redirect("review", pk=found.pk),
        again=lambda form, status: _review_page(
            request, access, found, read, form=form, status=status
        ),
        message=lambda answer: (
            "Draft saved. Only you can see it."
            if not done
            else "Shared. You have both finished, so your answers are open to each other now."
            if _opened_both(answer)
            else "Shared. Your answers open to your partner when they finish theirs."
        ),
    )


def _review_step(
    request: HttpRequest,
    pk: int,
    as_: policy.As,
    act: Callable[[Any, HurtfulMomentReview], Any],
    message: str,
) -> HttpResponse:
    """A one-button step on a review (nothing to fill in; the action may still say no)."""
    access, found = _review(request, pk, as_)
    return submit(
        request,
        ConfirmForm(request.POST),
        lambda data: act(request.user, found),
        done=lambda review: redirect("review", pk=found.pk),
        again=lambda form, status: _review_page(
            request, access, found, queries.review(access, found), status=status, refused=form
        ),
        message=message,
    )


@require_POST
@login_required
def review_talked_through(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        policy.CLINICIAN,
        actions.mark_review_talked_through,
        "Noted as talked through. It leaves the list on the case page.",
    )


def _opened_both(answer: ReviewAnswer) -> bool:
    """Whether finishing this answer opened both answers to the couple (the reveal)."""
    return answer.visibility == Visibility.COUPLE


@require_POST
@login_required
def review_to_session(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        policy.PARTNER,
        actions.take_review_to_session,
        "Noted for your next session. Your clinician will see it on your case.",
    )


@require_POST
@login_required
def comment_on_review(request: HttpRequest, pk: int) -> HttpResponse:
    access, found = _review(request, pk, policy.CLINICIAN)
    return submit(
        request,
        CommentForm(request.POST, auto_id="comment-%s"),
        lambda data: actions.comment_on_review(
            request.user,  # type: ignore[arg-type]
            found,
            body=data["body"],
        ),
        done=lambda comment: redirect("review", pk=found.pk),
        again=lambda form, status: _review_page(
            request, access, found, queries.review(access, found), comment_form=form, status=status
        ),
        message="Comment added.",
    )


# --- the trigger log ----------------------------------------------------------------------


@case_view(as_=policy.MEMBER)
def triggers(request: HttpRequest, access: CaseAccess) -> HttpResponse:
    def page(form: forms.Form | None, status: int) -> HttpResponse:
        log = queries.trigger_log(access)
        context = {
            "access": access,
            "case": access.case,
            "together": together,
            "is_partner": access.is_partner,
            "form": form,
            "chart": trend.chart(log.weeks),
            "weeks": log.weeks,
            "recent": log.recent,
        }
        return render(request, "conversations/triggers.html", context, status=status)

    together = queries.together(access)
    form = None
    if access.is_partner:
        form = TriggerForm(request.POST or None, auto_id="trigger-%s", solo=together.solo)
    if request.method != "POST":
        return page(form, 200)
    if form is None:
        raise Http404("No such page.")
    return submit(
        request,
        form,
        lambda data: actions.log_trigger(
            request.user,  # type: ignore[arg-type]
            access.case,
            what_happened=data["what_happened"],
            intensity=data["intensity"],
            what_helped=data["what_helped"],
            visibility=data["visibility"],
            creation_key=data.get("creation_key") or "",
        ),
        done=lambda entry: redirect("triggers", case_id=access.case.pk),
        again=page,
        message="Noted. Be gentle with yourself today.",
    )
