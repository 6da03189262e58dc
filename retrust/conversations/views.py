"""Pages for talking well: the gentle start-up builder, structured conversations and breaks,
hurtful-moment reviews and the trigger log. Thin: fetch through policy, call an action, render.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from retrust.coach import analyse
from retrust.conversations import actions, flow, trend
from retrust.conversations.forms import (
    BreakForm,
    CommentForm,
    GentleStartForm,
    OpenConversationForm,
    ReviewAnswerForm,
    ReviewOpenForm,
    TriggerForm,
    TurnForm,
    compose,
)
from retrust.conversations.models import (
    Conversation,
    HurtfulMomentReview,
    ReviewAnswer,
    ReviewComment,
    TriggerEntry,
    Turn,
)
from retrust.core import actions as core_actions
from retrust.core import policy
from retrust.core.models import Case, CaseMember

TURN_PROMPTS = {
    flow.STATEMENT: ("Share your view", "What would you like your partner to understand?"),
    flow.SUMMARY: (
        "Sum up what you heard",
        "Before your own view: what did your partner say, in your own words?",
    ),
    flow.CLARIFICATION: ("Clarify", "What did your partner miss? Say it once more, gently."),
}


def _partner_case(user: Any, case_id: int) -> Case:
    case = policy.partner_cases_for(user).select_related("practice").filter(pk=case_id).first()
    if case is None:
        raise Http404("No such page.")
    return case


# --- hub ----------------------------------------------------------------------------------


@login_required
def talk_home(request: HttpRequest) -> HttpResponse:
    """The "Talk" link in the menu: a partner's first case's talk page."""
    case = policy.partner_cases_for(request.user).order_by("id").first()
    if case is None:
        raise Http404("No such page.")
    return redirect("talk", case_id=case.pk)


@login_required
def talk(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = policy.get_case_for(user, case_id)
    is_partner = policy.is_partner(user, case)
    conversations = list(
        Conversation.objects.visible_to(user)
        .filter(case=case)
        .select_related("speaker", "listener")
        .order_by("-updated_at")[:50]
    )
    reviews = list(
        HurtfulMomentReview.objects.visible_to(user).filter(case=case).order_by("-created_at")[:50]
    )
    context = {
        "case": case,
        "is_partner": is_partner,
        "conversations": conversations,
        "reviews": reviews,
        "now": timezone.now(),
        "conversation_form": OpenConversationForm(),
        "review_form": ReviewOpenForm(),
    }
    return render(request, "conversations/talk.html", context)


# --- the coach, live ----------------------------------------------------------------------


@require_POST
@login_required
def coach_feedback(request: HttpRequest) -> HttpResponse:
    """The coach's private hints on a draft, as an htmx fragment. Nothing is stored."""
    if not policy.partner_cases_for(request.user).exists():
        raise Http404("No such page.")
    if "feeling" in request.POST or "need" in request.POST:
        text = compose(
            request.POST.get("feeling", "")[:200],
            request.POST.get("situation", "")[:600],
            request.POST.get("need", "")[:600],
        )
        composed = True
    else:
        text = request.POST.get("body", "")[:5_000]
        composed = False
    return render(
        request,
        "conversations/_coach_feedback.html",
        {"analysis": analyse(text) if text.strip() else None, "text": text, "composed": composed},
    )


@login_required
def gentle_start(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = _partner_case(user, case_id)
    form = GentleStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        message = compose(data["feeling"], data["situation"], data["need"])
        try:
            if request.POST.get("then") == "journal":
                core_actions.write_journal_entry(
                    user,  # type: ignore[arg-type]
                    case,
                    body=message,
                    visibility="private",
                )
                messages.success(request, "Saved to your journal. Only you can read it.")
                return redirect("partner_home")
            conversation = actions.open_conversation(
                user,  # type: ignore[arg-type]
                case,
                topic=data["situation"][:80],
                creation_key=data.get("creation_key") or "",
            )
            if conversation.turn_count == 0:
                actions.post_turn(
                    user,  # type: ignore[arg-type]
                    conversation,
                    kind=flow.STATEMENT,
                    body=message,
                    expected_seq=0,
                )
        except actions.ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Sent. Your partner sums up what they heard next.")
            return redirect("conversation", pk=conversation.pk)
    preview = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        preview = compose(data["feeling"], data["situation"], data["need"])
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "conversations/gentle_start.html",
        {
            "case": case,
            "form": form,
            "analysis": analyse(preview) if preview else None,
            "text": preview,
        },
        status=status,
    )


# --- structured conversations -------------------------------------------------------------


def _conversation_for(user: Any, pk: int) -> Conversation:
    return policy.get_record_for(
        user,
        Conversation.objects.select_related("case", "speaker", "listener", "author"),
        pk,
    )


def _conversation_page(
    request: HttpRequest,
    conversation: Conversation,
    *,
    turn_form: TurnForm | None = None,
    break_form: BreakForm | None = None,
    hints: Any = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    now = timezone.now()
    turns = list(
        Turn.objects.visible_to(user)
        .filter(conversation=conversation)
        .select_related("author")
        .order_by("seq")
    )
    role = (
        flow.SPEAKER
        if user.pk == conversation.speaker_id
        else flow.LISTENER
        if user.pk == conversation.listener_id
        else None
    )
    kinds = flow.kinds_for(conversation.phase, role) if role else []
    locked = conversation.is_locked(now)
    writable = bool(kinds) and not locked and conversation.case.status != "closed"
    writing_kind = next((k for k in kinds if k != flow.CONFIRMATION), None)
    if turn_form is None and writing_kind:
        turn_form = TurnForm(
            initial={"kind": writing_kind, "expected_seq": conversation.turn_count},
            auto_id="turn-%s",
        )
    prompt = TURN_PROMPTS.get(writing_kind or "", ("", ""))
    waiting_for = (
        conversation.speaker
        if flow.WAITING_FOR[conversation.phase] == flow.SPEAKER
        else conversation.listener
    )
    last_statement = next(
        (t for t in reversed(turns) if t.kind in (flow.STATEMENT, flow.CLARIFICATION)), None
    )
    if role is None and policy.is_case_clinician(user, conversation.case):
        core_actions.record_clinical_read(user, conversation.case, "conversation", len(turns))
    context = {
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
        "hints": hints,
        "is_partner": role is not None,
    }
    return render(request, "conversations/conversation.html", context, status=status)


@login_required
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    return _conversation_page(request, _conversation_for(request.user, pk))


@require_POST
@login_required
def post_turn(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = _conversation_for(user, pk)
    if user.pk not in (found.speaker_id, found.listener_id):
        raise Http404("No such page.")
    form = TurnForm(request.POST, auto_id="turn-%s")
    kind = request.POST.get("kind", "")
    if kind == flow.CONFIRMATION:
        form.fields["body"].required = False
    if not form.is_valid():
        return _conversation_page(request, found, turn_form=form, status=400)
    data = form.cleaned_data
    if kind != flow.CONFIRMATION and not data["send_anyway"]:
        analysis = analyse(data["body"])
        if analysis.harsh:
            # Hints are shown to the writer only, and never stored; sending anyway is fine.
            again = TurnForm(
                initial={**data, "send_anyway": True},
                auto_id="turn-%s",
            )
            return _conversation_page(request, found, turn_form=again, hints=analysis)
    try:
        actions.post_turn(
            user,  # type: ignore[arg-type]
            found,
            kind=kind,
            body=data.get("body") or "",
            expected_seq=data["expected_seq"],
        )
    except actions.ActionError as exc:
        form.add_error("body" if exc.field in ("body", "kind") else None, exc.message)
        return _conversation_page(request, found, turn_form=form, status=400)
    return redirect("conversation", pk=found.pk)


@require_POST
@login_required
def call_break(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = _conversation_for(user, pk)
    if user.pk not in (found.speaker_id, found.listener_id):
        raise Http404("No such page.")
    form = BreakForm(request.POST, auto_id="break-%s")
    if form.is_valid():
        returns_at = timezone.now() + timedelta(minutes=form.cleaned_data["minutes"])
        try:
            actions.call_break(user, found, returns_at=returns_at)  # type: ignore[arg-type]
        except actions.ActionError as exc:
            form.add_error("minutes", exc.message)
        else:
            messages.success(request, "Break started. Take care of yourself; see you soon.")
            return redirect("conversation", pk=found.pk)
    return _conversation_page(request, found, break_form=form, status=400)


@require_POST
@login_required
def open_conversation(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = _partner_case(user, case_id)
    form = OpenConversationForm(request.POST)
    if form.is_valid():
        try:
            found = actions.open_conversation(
                user,  # type: ignore[arg-type]
                case,
                topic=form.cleaned_data["topic"],
                creation_key=form.cleaned_data.get("creation_key") or "",
            )
        except actions.ActionError as exc:
            form.add_error("topic", exc.message)
        else:
            return redirect("conversation", pk=found.pk)
    return render(
        request,
        "conversations/form_page.html",
        {"case": case, "form": form, "title": "Open a conversation", "action": "open_conversation"},
        status=400,
    )


# --- processing a hurtful moment ----------------------------------------------------------


@require_POST
@login_required
def open_review(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = _partner_case(user, case_id)
    form = ReviewOpenForm(request.POST)
    if form.is_valid():
        try:
            review = actions.open_review(
                user,  # type: ignore[arg-type]
                case,
                title=form.cleaned_data["title"],
                creation_key=form.cleaned_data.get("creation_key") or "",
            )
        except actions.ActionError as exc:
            form.add_error("title", exc.message)
        else:
            return redirect("review", pk=review.pk)
    return render(
        request,
        "conversations/form_page.html",
        {"case": case, "form": form, "title": "Process a hurtful moment", "action": "open_review"},
        status=400,
    )


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = policy.get_record_for(
        user, HurtfulMomentReview.objects.select_related("case", "author"), pk
    )
    answers = list(
        ReviewAnswer.objects.visible_to(user).filter(review=found).select_related("author")
    )
    mine = next((a for a in answers if a.author_id == user.pk), None)
    is_partner = CaseMember.objects.filter(case_id=found.case_id, user=user).exists()
    is_clinician = not is_partner and policy.is_case_clinician(user, found.case)
    form = None
    status = 200
    if is_partner and (mine is None or mine.done_at is None):
        form = ReviewAnswerForm(request.POST or None, instance=mine, prefix="answer")
        if request.method == "POST":
            if form.is_valid():
                done = request.POST.get("then") == "done"
                try:
                    actions.save_review_answer(
                        user,  # type: ignore[arg-type]
                        found,
                        parts={
                            name: form.cleaned_data.get(name, "") for name in ReviewAnswer.PARTS
                        },
                        done=done,
                    )
                except actions.ActionError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    messages.success(
                        request,
                        "Shared. Your answers open to your partner when they finish theirs."
                        if done
                        else "Draft saved. Only you can see it.",
                    )
                    return redirect("review", pk=found.pk)
            status = 400
    elif request.method == "POST":
        raise Http404("No such page.")
    if is_clinician and answers:
        core_actions.record_clinical_read(user, found.case, "review_answers", len(answers))
    others = [a for a in answers if a.author_id != user.pk and a.done_at is not None]
    comments = list(ReviewComment.objects.filter(review=found).select_related("author"))
    return render(
        request,
        "conversations/review.html",
        {
            "review": found,
            "mine": mine,
            "others": others,
            "form": form,
            "is_partner": is_partner,
            "is_clinician": is_clinician,
            "comments": comments,
            "comment_form": CommentForm(auto_id="comment-%s") if is_clinician else None,
            "parts": [
                (name, ReviewAnswer._meta.get_field(name).verbose_name)
                for name in ReviewAnswer.PARTS
            ],
        },
        status=status,
    )


@require_POST
@login_required
def comment_on_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    found = policy.get_record_for(user, HurtfulMomentReview.objects.select_related("case"), pk)
    if not policy.is_case_clinician(user, found.case):
        raise Http404("No such page.")
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            actions.comment_on_review(user, found, body=form.cleaned_data["body"])  # type: ignore[arg-type]
        except actions.ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Comment added.")
    else:
        messages.error(request, "Write your comment first.")
    return redirect("review", pk=found.pk)


# --- the trigger log ----------------------------------------------------------------------


@login_required
def triggers(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = policy.get_case_for(user, case_id)
    is_partner = policy.is_partner(user, case)
    form = TriggerForm(request.POST or None, auto_id="trigger-%s") if is_partner else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404("No such page.")
        if form.is_valid():
            try:
                actions.log_trigger(
                    user,  # type: ignore[arg-type]
                    case,
                    what_happened=form.cleaned_data["what_happened"],
                    intensity=form.cleaned_data["intensity"],
                    what_helped=form.cleaned_data["what_helped"],
                    visibility=form.cleaned_data["visibility"],
                    creation_key=form.cleaned_data.get("creation_key") or "",
                )
            except actions.ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Noted. Be gentle with yourself today.")
                return redirect("triggers", case_id=case.pk)
        status = 400
    today = timezone.localdate()
    since = timezone.now() - timedelta(weeks=12)
    entries = TriggerEntry.objects.visible_to(user).filter(case=case)
    if is_partner:
        entries = entries.filter(author=user)  # a partner's log is their own
    points = list(entries.filter(occurred_at__gte=since).values_list("occurred_at", "intensity"))
    weeks = trend.weekly_trend(
        ((timezone.localtime(at).date(), level) for at, level in points), today, weeks=12
    )
    recent = list(entries.select_related("author").order_by("-occurred_at")[:20])
    if not is_partner and recent:
        core_actions.record_clinical_read(user, case, "trigger_entries", len(recent))
    return render(
        request,
        "conversations/triggers.html",
        {
            "case": case,
            "is_partner": is_partner,
            "form": form,
            "chart": trend.chart(weeks),
            "weeks": weeks,
            "recent": recent,
        },
        status=status,
    )
