"""The front door: public pages (no account) and the practice's own view of its requests."""

from __future__ import annotations

import csv
from typing import Any

from django.core import signing
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from retrust.core import links, policy
from retrust.core.decorators import staff_required
from retrust.core.models import Practice
from retrust.core.submission import submit
from retrust.frontdoor import actions, emails, queries, selfcheck
from retrust.frontdoor.forms import (
    ArticleForm,
    ClinicianProfileForm,
    ConsultationForm,
    MoveRequestForm,
    OpenCaseForm,
    PracticePageForm,
    PracticeUpdateForm,
    SelfCheckForm,
    SubscribeForm,
)
from retrust.frontdoor.models import (
    Article,
    ClinicianProfile,
    ConsultationRequest,
    PracticePage,
    RequestStatus,
)

HONEYPOT_MESSAGE = (
    "This request couldn't be sent. If you filled in the field marked “Leave this empty”, "
    "please clear it and send again."
)


# --- public pages ---------------------------------------------------------------------------


def default_practice(request: HttpRequest) -> HttpResponse:
    return redirect("practice_public", slug=queries.default_practice_slug())


# Anonymous visitors may be served the practice page from a shared cache for this long; signed-in
# people get ``no-store`` from the privacy middleware, which wins.
PUBLIC_MAX_AGE = 300


def practice_public(request: HttpRequest, slug: str) -> HttpResponse:
    practice = queries.published_practice(slug)
    response = render(request, "frontdoor/practice.html", {"page": queries.public_page(practice)})
    _cacheable_for_visitors(request, response)
    return response


def self_check(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks the questions; POST reflects on the answers. Nothing is written either way."""
    practice = queries.published_practice(slug)
    form = SelfCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        context = {
            "practice": practice,
            "reflection": selfcheck.reflect(answers),
            "encoded": selfcheck.encode(answers),
            "resources": queries.resources_of(practice),
        }
        response = render(request, "frontdoor/self_check_result.html", context)
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "frontdoor/self_check.html", {"practice": practice, "form": form})


def resources(request: HttpRequest, slug: str) -> HttpResponse:
    practice = queries.published_practice(slug)
    context = {
        "practice": practice,
        "articles": queries.published_articles(practice),
        "exercises": queries.exercise_summaries(),
    }
    response = render(request, "frontdoor/resources.html", context)
    _cacheable_for_visitors(request, response)
    return response


def article(request: HttpRequest, slug: str, article_id: int) -> HttpResponse:
    practice = queries.published_practice(slug)
    found, body_html = queries.published_article(practice, article_id)
    context = {"practice": practice, "article": found, "body_html": body_html}
    response = render(request, "frontdoor/article.html", context)
    _cacheable_for_visitors(request, response)
    return response


def _cacheable_for_visitors(request: HttpRequest, response: HttpResponse) -> None:
    if not request.user.is_authenticated:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        patch_vary_headers(response, ["Cookie"])


def _client_address(request: HttpRequest) -> str:
    # Behind a proxy, deployment sets REMOTE_ADDR from the trusted header (see the deployment
    # guide); a visitor-supplied X-Forwarded-For would let a flood pick a new address each time.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


PARTNER_LINK_SESSION_KEY = "frontdoor_partner_link"


@never_cache
def consultation(request: HttpRequest, slug: str, token: str = "") -> HttpResponse:
    practice = queries.published_practice(slug)
    joins = None
    if token:
        joins = actions.find_by_partner_link(practice, token)
        if joins is None:
            raise Http404("No such page.")
    offered = queries.offered_times(practice)
    if request.method == "POST" and "from_self_check" in request.POST:
        # Coming from the self-check: a fresh form carrying the answers, nothing validated yet.
        encoded = selfcheck.encode(selfcheck.decode(request.POST.get("self_check", "")))
        form = ConsultationForm(
            initial={"self_check": encoded}, slots=offered.choices, zone=offered.zone
        )
        return _consultation_page(request, practice, form, 200, offered)
    form = ConsultationForm(request.POST or None, slots=offered.choices, zone=offered.zone)
    if joins is not None:
        del form.fields["together"]
    if request.method != "POST":
        return _consultation_page(request, practice, form, 200, offered, joins)
    if request.POST.get("website"):
        form.is_valid()
        form.add_error(None, HONEYPOT_MESSAGE)
        return _consultation_page(request, practice, form, 400, offered, joins)

    def action(data: dict[str, Any]) -> Any:
        stored, created = actions.request_consultation(
            practice,
            address=_client_address(request),
            submission_key=data["submission_key"],
            data=data,
            joins=joins,
        )
        if created and joins is None and data.get("together") == "partner_too":
            # Shown once on the next page, then gone from the session.
            request.session[PARTNER_LINK_SESSION_KEY] = actions.issue_partner_link(stored.pk)
        return stored

    return submit(
        request,
        form,
        action,
        done=lambda _: redirect("consultation_sent", slug=practice.slug),
        again=lambda f, status: _consultation_page(request, practice, f, status, offered, joins),
    )


def _consultation_page(
    request: HttpRequest,
    practice: Practice,
    form: ConsultationForm,
    status: int,
    offered: queries.OfferedTimes,
    joins: ConsultationRequest | None = None,
) -> HttpResponse:
    shared = selfcheck.decode(form["self_check"].value() or "")
    picked = (
        set(form["preferred_slots"].value() or []) if "preferred_slots" in form.fields else set()
    )
    context = {
        "practice": practice,
        "form": form,
        "has_self_check": bool(shared),
        "joining": joins is not None,
        "offered": offered,
        "picked": picked,
    }
    return render(request, "frontdoor/consultation.html", context, status=status)


@never_cache
def consultation_sent(request: HttpRequest, slug: str) -> HttpResponse:
    practice = queries.published_practice(slug)
    token = request.session.pop(PARTNER_LINK_SESSION_KEY, "")
    partner_link = (
        links.base_url(request) + reverse("join_consultation", args=[practice.slug, token])
        if token
        else ""
    )
    context = {
        "practice": practice,
        "resources": queries.resources_of(practice),
        "partner_link": partner_link,
    }
    return render(request, "frontdoor/consultation_sent.html", context)


# --- the practice's side ----------------------------------------------------------------------


@staff_required
def consultation_requests(request: HttpRequest) -> HttpResponse:
    found = queries.requests_for(request.user).filter(joins=None).select_related("practice")
    found = found.annotate(partners=Count("partner_parts"))[:200]
    return render(request, "frontdoor/requests.html", {"requests": found})


def _move_choices(status: str) -> list[tuple[str, str]]:
    labels = dict(RequestStatus.choices)
    keep = [(status, f"Keep as “{labels[status]}” and add a note")]
    return keep + [(s, labels[s]) for s in actions.NEXT[status]]


@staff_required
def consultation_request(request: HttpRequest, request_id: int) -> HttpResponse:
    found = queries.request_for(request.user, request_id)
    form = MoveRequestForm(current=found.status, choices=_move_choices(found.status))
    return _request_page(request, found, form, 200)


def _request_page(
    request: HttpRequest,
    found: ConsultationRequest,
    form: MoveRequestForm,
    status: int,
    open_case_form: OpenCaseForm | None = None,
) -> HttpResponse:
    parts = list(found.partner_parts.all())
    answers = [
        (selfcheck.BY_ID[k].text, selfcheck.label_of(k, v))
        for k, v in found.self_check.items()
        if k in selfcheck.BY_ID
    ]
    can_open_case = found.case_id is None and queries.is_clinician_of(
        request.user, found.practice_id
    )
    times = queries.booking_times(
        request.user,  # type: ignore[arg-type]
        found,
        parts,
        as_clinician=can_open_case,
    )
    context = {
        "req": found,
        "answers": answers,
        "danger": selfcheck.reflect(found.self_check).danger,
        "notes": found.notes.select_related("author"),
        "partner_parts": [(part, queries.picked_times(part, times)) for part in parts],
        "picked": queries.picked_times(found, times),
        "zone": str(times.zone),
        "form": form,
        "open": bool(actions.NEXT[found.status]),
        "can_open_case": can_open_case,
        "open_case_form": open_case_form or _open_case_form(None, times, bool(parts)),
    }
    return render(request, "frontdoor/request_detail.html", context, status=status)


def _open_case_form(data: Any, times: queries.BookingTimes, partner_part: bool) -> OpenCaseForm:
    asked = times.choices[0][1] if times.choices and times.choices[0][0] == queries.ASKED else []
    initial = {"start": asked[0][0]} if asked else {}
    return OpenCaseForm(data, partner_part=partner_part, times=times.choices, initial=initial)


@require_POST
@staff_required
def move_request(request: HttpRequest, request_id: int) -> HttpResponse:
    found = queries.request_for(request.user, request_id)
    form = MoveRequestForm(request.POST, current=found.status, choices=_move_choices(found.status))
    return submit(
        request,
        form,
        lambda data: actions.move_request(
            request.user,  # type: ignore[arg-type]
            found.pk,
            expected=data["expected"],
            to=data["to"],
            note=data["text"],
        ),
        done=lambda moved: redirect("consultation_request", request_id=moved.pk),
        again=lambda f, code: _request_page(request, found, f, code),  # type: ignore[arg-type]
        message="Saved.",
    )


@require_POST
@staff_required
def open_case(request: HttpRequest, request_id: int) -> HttpResponse:
    """A clinician of the practice accepts the request; admins and others get 404."""
    found = queries.request_for(request.user, request_id)
    if not queries.is_clinician_of(request.user, found.practice_id):
        raise Http404("No such page.")
    move_form = MoveRequestForm(current=found.status, choices=_move_choices(found.status))
    parts = list(found.partner_parts.all())
    times = queries.booking_times(request.user, found, parts, as_clinician=True)  # type: ignore[arg-type]
    form = _open_case_form(request.POST, times, bool(parts))
    return submit(
        request,
        form,
        lambda data: actions.open_case_from_request(
            request.user,  # type: ignore[arg-type]
            found.pk,
            invite_partner=bool(data.get("invite_partner")),
            track=data["track"],
            base_url=links.base_url(request),
            start=data.get("start"),
        ),
        done=lambda case: redirect("case_detail", case_id=case.pk),
        again=lambda f, code: _request_page(request, found, move_form, code, f),  # type: ignore[arg-type]
        message=lambda case: (
            (
                "Case opened; invitations have been sent."
                if form.cleaned_data.get("invite_partner")
                else f"Case opened; {found.name} has been sent an invitation."
            )
            + (" The first consultation is booked." if form.cleaned_data.get("start") else "")
        ),
    )


@staff_required
def practice_page_edit(request: HttpRequest) -> HttpResponse:
    practice = policy.administered_practice_for(request.user)
    page = PracticePage.objects.filter(practice=practice).first() or PracticePage(practice=practice)
    form = PracticePageForm(request.POST or None, instance=page)

    def again(f: Any, status: int) -> HttpResponse:
        return _edit_page(request, practice, f, None, status)

    if request.method == "POST":
        return submit(
            request,
            form,
            lambda data: actions.save_practice_page(request.user, practice, **data),  # type: ignore[arg-type]
            done="practice_page_edit",
            again=again,
            message="The public page is saved.",
        )
    return _edit_page(request, practice, form, None, 200)


@require_POST
@staff_required
def save_clinician_profile(request: HttpRequest) -> HttpResponse:
    practice = policy.administered_practice_for(request.user)
    clinicians = list(queries.practice_clinicians(practice))
    form = ClinicianProfileForm(request.POST, clinicians=clinicians)

    def again(form: Any, status: int) -> HttpResponse:
        page = PracticePage.objects.filter(practice=practice).first() or PracticePage(
            practice=practice
        )
        return _edit_page(request, practice, PracticePageForm(instance=page), form, status)

    return submit(
        request,
        form,
        lambda data: actions.save_clinician_profile(
            request.user,  # type: ignore[arg-type]
            practice,
            clinician=data["clinician"],
            bio=data["bio"],
            listed=data["listed"],
        ),
        done="practice_page_edit",
        again=again,
        message=lambda _: f"{form.cleaned_data['clinician'].name}'s introduction is saved.",
    )


def _edit_page(
    request: HttpRequest,
    practice: Practice,
    form: PracticePageForm,
    profile_form: ClinicianProfileForm | None,
    status: int,
) -> HttpResponse:
    clinicians = list(queries.practice_clinicians(practice))
    if profile_form is None:
        profile_form = ClinicianProfileForm(clinicians=clinicians)
    ids = [m.user_id for m in clinicians]
    profiles = {
        p.user_id: p for p in ClinicianProfile.objects.filter(practice=practice, user_id__in=ids)
    }
    context = {
        "practice": practice,
        "form": form,
        "profile_form": profile_form,
        "clinicians": [(m.user, profiles.get(m.user_id)) for m in clinicians],
        "articles": Article.objects.filter(practice=practice).only("id", "title", "published"),
    }
    return render(request, "frontdoor/practice_edit.html", context, status=status)


@staff_required
def edit_article(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    practice = policy.administered_practice_for(request.user)
    found = None
    if article_id is not None:
        found = Article.objects.filter(practice=practice, pk=article_id).first()
        if found is None:
            raise Http404("No such page.")
    form = ArticleForm(request.POST or None, instance=found)

    def again(f: Any, status: int) -> HttpResponse:
        context = {"practice": practice, "form": f, "article": found}
        return render(request, "frontdoor/article_edit.html", context, status=status)

    if request.method != "POST":
        return again(form, 200)
    return submit(
        request,
        form,
        lambda data: actions.save_article(request.user, practice, found, **data),  # type: ignore[arg-type]
        done="practice_page_edit",
        again=again,
        message="The article is saved.",
    )


# --- the updates list -------------------------------------------------------------------------


@never_cache
def updates_signup(request: HttpRequest, slug: str) -> HttpResponse:
    """Sign up for the practice's updates. Whatever the address's state, the answer is the same
    "check your inbox", so the page never tells anyone who is on the list."""
    practice = queries.published_practice(slug)
    form = SubscribeForm(request.POST or None)

    def again(f: Any, status: int) -> HttpResponse:
        context = {"practice": practice, "form": f}
        return render(request, "frontdoor/updates_signup.html", context, status=status)

    if request.method != "POST":
        return again(form, 200)
    if request.POST.get("website"):
        form.is_valid()
        form.add_error(None, HONEYPOT_MESSAGE.replace("request", "sign-up"))
        return again(form, 400)
    return submit(
        request,
        form,
        lambda data: actions.subscribe(
            practice, email=data["email"], address=_client_address(request)
        ),
        done=lambda _: redirect("updates_sent", slug=practice.slug),
        again=again,
    )


def updates_sent(request: HttpRequest, slug: str) -> HttpResponse:
    practice = queries.published_practice(slug)
    response = render(request, "frontdoor/updates_sent.html", {"practice": practice})
    _cacheable_for_visitors(request, response)
    return response


CONFIRM_ANSWERS = {
    actions.ConfirmOutcome.CONFIRMED: (
        "You're on the list",
        "Thank you — your address is confirmed. Every update has a link to stop them.",
    ),
    actions.ConfirmOutcome.ALREADY: (
        "Already confirmed",
        "This link was used before, and your address is already confirmed. Nothing has changed.",
    ),
    actions.ConfirmOutcome.STALE: (
        "This link no longer works",
        "The address left the list, or a newer link was sent since. Nothing has changed. "
        "If you'd like updates, you're welcome to sign up again.",
    ),
}


@never_cache
@require_http_methods(["GET", "POST"])
def updates_confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """GET shows a button (mail scanners open links; only a person confirms); POST confirms.
    A replayed link answers clearly and changes nothing; a made-up one is not found."""
    practice = queries.published_practice(slug)
    context: dict[str, Any] = {"practice": practice, "token": token}
    try:
        emails.read_confirm_token(token)
    except signing.SignatureExpired:
        context["expired"] = True
        return render(request, "frontdoor/updates_confirm.html", context, status=400)
    except signing.BadSignature as exc:
        raise Http404("No such page.") from exc
    if request.method == "POST":
        try:
            outcome = actions.confirm_subscription(practice, token)
        except signing.BadSignature as exc:
            raise Http404("No such page.") from exc
        context["title"], context["answer"] = CONFIRM_ANSWERS[outcome]
        context["outcome"] = outcome
    return render(request, "frontdoor/updates_confirm.html", context)


@never_cache
@csrf_exempt  # RFC 8058: the mail provider POSTs with no cookie; the signed token is the key
@require_http_methods(["GET", "POST"])
def updates_unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """GET shows a button; POST (the button, or one click in the mail program) takes the
    address off the list. Doing it again is harmless and answers the same."""
    practice = queries.published_practice(slug)
    try:
        emails.read_unsubscribe_token(token)
    except signing.BadSignature as exc:
        raise Http404("No such page.") from exc
    context = {"practice": practice, "token": token, "done": False}
    if request.method == "POST":
        try:
            actions.unsubscribe(practice, token)
        except signing.BadSignature as exc:
            raise Http404("No such page.") from exc
        context["done"] = True
    return render(request, "frontdoor/updates_unsubscribe.html", context)


@staff_required
def updates_admin(request: HttpRequest) -> HttpResponse:
    """The practice admin's view of the list: counts, past updates, and a form to send one."""
    practice = policy.administered_practice_for(request.user)
    form = PracticeUpdateForm(request.POST or None)

    def again(f: Any, status: int) -> HttpResponse:
        context = {"practice": practice, "form": f, **queries.updates_overview(practice)}
        return render(request, "frontdoor/updates_admin.html", context, status=status)

    if request.method != "POST":
        return again(form, 200)
    return submit(
        request,
        form,
        lambda data: actions.send_update(
            request.user,  # type: ignore[arg-type]
            practice,
            subject=data["subject"],
            body=data["body"],
            submission_key=data["submission_key"],
        ),
        done="updates_admin",
        again=again,
        message="The update is on its way to everyone who confirmed.",
    )


@staff_required
def updates_export(request: HttpRequest) -> HttpResponse:
    """The list as CSV, for the practice admin only."""
    practice = policy.administered_practice_for(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="updates-list.csv"'
    writer = csv.writer(response)
    writer.writerow(["email", "status", "signed_up", "confirmed", "unsubscribed"])
    rows = queries.subscribers_of(practice)
    for email, status, signed_up, confirmed, unsubscribed in rows:
        writer.writerow(
            [
                _safe_cell(email),
                status,
                _iso(signed_up),
                _iso(confirmed),
                _iso(unsubscribed),
            ]
        )
    actions.record_export(request.user, practice)  # type: ignore[arg-type]
    return response


def _iso(moment: Any) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def _safe_cell(value: str) -> str:
    # A spreadsheet runs a cell that starts like a formula; an address could be made to.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
