"""A person's own notification settings, the one-click unsubscribe, and failed sends for the
practice admin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from retrust.core import messaging, policy, registry
from retrust.core.decorators import staff_required
from retrust.core.models import CaseMember, ClinicianMembership, PracticeRole, User
from retrust.notifications import actions, kinds, mail, waiting
from retrust.notifications.delivery import preference_for
from retrust.notifications.forms import MessageSettingsForm, PreferenceForm
from retrust.notifications.models import MessageSettings, Notification, Status, SwitchedOff


def _audiences(user: User) -> set[str]:
    audiences = set()
    if CaseMember.objects.filter(user=user).exists():
        audiences.add("partner")
    if ClinicianMembership.objects.filter(user=user, role=PracticeRole.CLINICIAN).exists():
        audiences.add("clinician")
    return audiences


@never_cache
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own choices. There is no way to name anyone else here."""
    user: User = request.user  # type: ignore[assignment]
    offered = kinds.for_audiences(_audiences(user))
    preference = preference_for(user)
    off = set(SwitchedOff.objects.filter(user=user).values_list("kind", flat=True))
    initial = {
        "channel": preference.channel,
        "delivery": preference.delivery,
        "digest_at": preference.digest_at,
        "quiet_start": preference.quiet_start,
        "quiet_end": preference.quiet_end,
        "time_zone": preference.time_zone,
        **{f"kind_{kind.key}": kind.key not in off for kind in offered},
    }
    form = PreferenceForm(request.POST or None, initial=initial, kinds=offered)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.save_preferences(
            user,
            channel=data["channel"],
            delivery=data["delivery"],
            digest_at=data["digest_at"],
            quiet_start=data["quiet_start"],
            quiet_end=data["quiet_end"],
            time_zone=data["time_zone"],
            switched_off=form.switched_off(),
            offered=[kind.key for kind in offered],
        )
        messages.success(request, "Saved. Your notification choices apply from now on.")
        return redirect("notifications:preferences")
    context = {
        "form": form,
        "essential": [kind for kind in offered if kind.essential],
        "email_allowed": messaging.may_email(user),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/preferences.html", context, status=status)


@never_cache
@csrf_exempt  # RFC 8058: the mail provider POSTs with no cookie; the signed token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation button; POST (the button, or a one-click unsubscribe from the
    mail program) switches those emails off. The page never says what the emails were about."""
    try:
        user_id, keys = mail.read_unsubscribe_token(token)
    except signing.BadSignature as exc:
        raise Http404("No such page.") from exc
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Http404("No such page.")
    if request.method == "POST":
        actions.switch_off(user, keys, via="unsubscribe_link")
        return render(request, "notifications/unsubscribed.html")
    return render(request, "notifications/unsubscribe.html", {"token": token})


@staff_required
def failed_sends(request: HttpRequest) -> HttpResponse:
    """The practice's email settings, and sends that could not go out after every retry: who,
    when and what went wrong on the way; never what the message was about, nor its kind (that
    a clinician was sent an urgent one is itself clinical news an admin must not learn)."""
    practice = policy.administered_practice_for(request.user)
    current = MessageSettings.objects.filter(practice=practice).first()
    form = MessageSettingsForm(
        request.POST or None, instance=current or MessageSettings(practice=practice)
    )
    if request.method == "POST" and form.is_valid():
        actions.update_message_settings(
            request.user,
            practice,
            sender_name=form.cleaned_data["sender_name"],
            neutral_subject=form.cleaned_data["neutral_subject"],
        )
        messages.success(request, "Saved. Emails from now on use these.")
        return redirect("notifications:failed")
    failed = (
        Notification.objects.filter(practice=practice, status=Status.FAILED)
        .select_related("recipient")
        .order_by("-last_attempt_at", "-id")
    )
    page = Paginator(failed, 50).get_page(request.GET.get("page"))
    context = {"practice": practice, "page": page, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/failed.html", context, status=status)


@staff_required
@require_POST
def retry_failed(request: HttpRequest, notification_id: int) -> HttpResponse:
    practice = policy.administered_practice_for(request.user)
    if not actions.retry_failed(request.user, practice, notification_id):
        raise Http404("No such failed send.")
    messages.success(request, "It will be tried again within a minute.")
    return redirect("notifications:failed")


@never_cache
@staff_required
def today(request: HttpRequest) -> HttpResponse:
    """The clinician's "Today": what needs them across their caseload, in a fixed number of
    queries. Practice admins who are not clinicians get 404, as on the caseload."""
    policy.clinician_practice_for(request.user)
    context = {
        "today": waiting.today_for(request.user),
        # Blocks other apps register (today's sessions, …).
        "panels": registry.today_panels_for(request.user),
    }
    return render(request, "notifications/today.html", context)
