"""Safety first: private screening, alerts, the conjoint-work pause, crisis resources, leaving
quickly, inactivity alerts and track switches (issue 4).

The leak tests render every page and API route a persona can reach and search the output for
the answers' text, not just the status codes: DESIGN.md "safety screening" is clinician-only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from retrust.clinic import actions as clinic_actions
from retrust.clinic.models import TrackChange
from retrust.core import actions
from retrust.core import pause as core_pause
from retrust.core.models import (
    AuditEvent,
    Case,
    CaseMember,
    JournalEntry,
    Practice,
    User,
)
from retrust.safety import actions as safety
from retrust.safety import screen
from retrust.safety.inactivity import raise_inactivity_alerts
from retrust.safety.models import (
    Alert,
    AlertPriority,
    AlertSource,
    CasePause,
    CrisisResource,
    IndividualSession,
    SafetyScreen,
)
from tests.conftest import _paused

ALL_NO = {q.id: screen.NO for q in screen.QUESTIONS}
ALL_NO["safe_messages"] = screen.YES
POSITIVE = {**ALL_NO, "control": screen.YES}
UNSURE = {**ALL_NO, "fear": screen.UNSURE}
POSITIVE_SUMMARY = "Safety screen: a concern was answered yes — see each partner alone."
UNSURE_SUMMARY = "Safety screen: a partner was unsure about a concern — worth a private talk."
ON_HOLD = "Shared work is on hold"


def screen_url(case: Case) -> str:
    return f"/cases/{case.pk}/safety-check/"


def answer(client: Client, case: Case, answers: dict[str, str], key: str = "k-1") -> Any:
    return client.post(screen_url(case), {"submission_key": key, **answers})


def text(response: Any) -> str:
    return response.content.decode()


# --- screening ------------------------------------------------------------------------------


def test_answering_every_question_stores_one_screen_and_thanks(
    case: Case, partner_a: User, partner_b: User, client_for: Callable[[str], Client]
) -> None:
    client = client_for("partner_a")
    page = client.get(screen_url(case))
    assert page.status_code == 200
    for question in screen.QUESTIONS:
        assert escape(question.text) in text(page)
    assert "not a test or\na validated questionnaire" in text(page)

    response = answer(client, case, ALL_NO)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/safety-check/thanks/"
    stored = SafetyScreen.objects.get()
    assert (stored.respondent, stored.case, stored.positive) == (partner_a, case, False)
    assert stored.answers == ALL_NO
    assert stored.safe_to_message is True

    # The same form sent twice (a double tap, a resend) stores one screen.
    again = answer(client, case, ALL_NO)
    assert again.status_code == 302
    assert SafetyScreen.objects.count() == 1
    assert AuditEvent.objects.filter(action="retrust.safety.screen.submitted").count() == 1


def test_same_key_twice_with_a_positive_screen_raises_one_alert(
    case: Case, partner_a: User, partner_b: User, client_for: Callable[[str], Client]
) -> None:
    client = client_for("partner_a")
    answer(client, case, POSITIVE)
    answer(client, case, POSITIVE)
    assert SafetyScreen.objects.count() == 1
    assert Alert.objects.count() == 1
    assert CasePause.objects.count() == 1


def test_another_persons_form_key_is_refused(
    case: Case, partner_a: User, partner_b: User, client_for: Callable[[str], Client]
) -> None:
    answer(client_for("partner_a"), case, POSITIVE, key="shared-key")
    response = answer(client_for("partner_b"), case, ALL_NO, key="shared-key")
    assert response.status_code == 400
    assert "This form has expired" in text(response)
    assert list(SafetyScreen.objects.values_list("respondent", flat=True)) == [partner_a.pk]


@pytest.mark.parametrize("missing", ["fear", "safe_messages", "all"])
def test_missing_answers_give_a_clear_message_and_store_nothing(
    missing: str, case: Case, partner_a: User, client_for: Callable[[str], Client]
) -> None:
    answers = {} if missing == "all" else {k: v for k, v in POSITIVE.items() if k != missing}
    response = answer(client_for("partner_a"), case, answers)
    assert response.status_code == 400
    assert "Please choose an answer — any answer is fine." in text(response)
    assert "no-store" in response["Cache-Control"]
    assert not SafetyScreen.objects.exists()
    assert not Alert.objects.exists()
    assert not CasePause.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="retrust.safety").exists()
    if missing != "all":
        # What they did answer is kept on the page, so they don't start again.
        assert 'value="yes" required id="id_control_1" checked' in text(response)


def test_an_answer_outside_the_choices_is_refused(
    case: Case, partner_a: User, client_for: Callable[[str], Client]
) -> None:
    response = answer(client_for("partner_a"), case, {**ALL_NO, "fear": "maybe-later"})
    assert response.status_code == 400
    assert not SafetyScreen.objects.exists()


def test_a_yes_to_any_concern_raises_one_high_alert_and_pauses(
    case: Case, partner_a: User, partner_b: User
) -> None:
    concerns = [q.id for q in screen.QUESTIONS if q.concern]
    for i, concern in enumerate(concerns):
        record = safety.submit_screen(partner_a, case, {**ALL_NO, concern: screen.YES}, f"k{i}")
        assert record.positive
        alert = Alert.objects.get(dedupe_key=f"safety_screen:{record.pk}")
        assert (alert.priority, alert.source) == (AlertPriority.HIGH, AlertSource.SAFETY_SCREEN)
        assert alert.partner == partner_a
        assert alert.summary == POSITIVE_SUMMARY
    assert Alert.objects.count() == len(concerns)
    # One pause at a time, however many alerts ask for it.
    pause = CasePause.objects.get()
    assert pause.lifted_at is None
    assert pause.alert == Alert.objects.order_by("id").first()
    assert _paused(case)


def test_a_pause_started_at_the_same_moment_does_not_lose_the_screen(
    case: Case, partner_a: User, partner_b: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two positive screens committed together both find no open pause; the second insert
    meets the one-open-pause constraint and must not throw the second screen away."""
    safety.submit_screen(partner_a, case, POSITIVE, "first")
    record = safety.submit_screen(partner_b, case, POSITIVE, "second")
    assert SafetyScreen.objects.filter(pk=record.pk, respondent=partner_b).exists()
    assert Alert.objects.count() == 2
    assert CasePause.objects.count() == 1
    assert AuditEvent.objects.filter(action="retrust.case.pause.started").count() == 1


def test_unsure_raises_a_normal_alert_and_no_pause(
    case: Case, partner_a: User, partner_b: User
) -> None:
    record = safety.submit_screen(partner_a, case, UNSURE, "k")
    assert not record.positive
    alert = Alert.objects.get()
    assert (alert.priority, alert.source) == (AlertPriority.NORMAL, AlertSource.SAFETY_SCREEN)
    assert alert.summary == UNSURE_SUMMARY
    assert not CasePause.objects.exists()


def test_all_no_raises_nothing(case: Case, partner_a: User, partner_b: User) -> None:
    safety.submit_screen(partner_a, case, ALL_NO, "k")
    assert not Alert.objects.exists()
    assert not CasePause.objects.exists()


def test_the_messaging_question_is_not_a_concern(case: Case, partner_a: User) -> None:
    record = safety.submit_screen(partner_a, case, {**ALL_NO, "safe_messages": screen.NO}, "k")
    assert record.safe_to_message is False
    assert not record.positive
    assert not Alert.objects.exists()


def test_only_a_partner_of_the_case_can_answer(
    case: Case, partner_a: User, clinician: User, other_practice_case: Case
) -> None:
    with pytest.raises(actions.ActionError):
        safety.submit_screen(clinician, case, ALL_NO, "k1")
    with pytest.raises(actions.ActionError):
        safety.submit_screen(partner_a, other_practice_case, ALL_NO, "k2")
    assert not SafetyScreen.objects.exists()


def test_the_partner_sees_only_thanks_and_resources(
    practice: Practice, case: Case, partner_a: User, client_for: Callable[[str], Client]
) -> None:
    CrisisResource.objects.create(practice=practice, name="Harbour Helpline", phone="0800 123")
    client = client_for("partner_a")
    response = answer(client, case, POSITIVE)
    thanks = client.get(response["Location"])
    body = text(thanks)
    assert thanks.status_code == 200
    assert "no-store" in thanks["Cache-Control"]
    assert "<h1>Thank you</h1>" in body
    assert "Harbour Helpline" in body and 'href="tel:0800123"' in body
    assert "Leave quickly" in body
    for question in QUESTION_TEXTS:
        assert question not in body
    assert "concern" not in body.lower() and "alert" not in body.lower()


def test_the_audit_row_says_a_screen_happened_and_nothing_it_said(
    case: Case, partner_a: User, partner_b: User
) -> None:
    record = safety.submit_screen(partner_a, case, POSITIVE, "k")
    event = AuditEvent.objects.get(action="retrust.safety.screen.submitted")
    assert (event.actor, event.case, event.target_id) == (partner_a, case, str(record.pk))
    assert event.details == {}
    for event in AuditEvent.objects.all():
        dumped = json.dumps(event.details)
        for value in ("yes", "safety_screen", "high", "control", "positive"):
            assert value not in dumped, (event.action, event.details)


# --- leak tests -----------------------------------------------------------------------------


def answers_as_shown(answers: dict[str, str]) -> list[str]:
    """How the case view renders each answered question: the question next to its answer."""
    labels = dict(screen.ANSWERS)
    return [
        f"<dt>{escape(q.text)}</dt><dd>{escape(labels[answers[q.id]])}</dd>"
        for q in screen.QUESTIONS
    ]


# Text that says something about partner_a's answers. None of it may reach anyone but the
# case's clinician, partner_a included (she sees only a thank-you).
SECRETS = [
    *answers_as_shown(POSITIVE),
    "a concern was answered yes",
    POSITIVE_SUMMARY,
    "see each partner alone",
    "Safety screen",
    "safety_screen",
    "Private safety questions",
    "not safe to send messages",
    "Shared work is paused",
    "Acknowledge",
]
QUESTION_TEXTS = [escape(q.text) for q in screen.QUESTIONS]


@pytest.fixture
def screened(
    practice: Practice,
    case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
    other_clinician: User,
    other_practice_clinician: User,
    other_practice_case: Case,
    admin: User,
    client_for: Callable[[str], Client],
) -> dict[str, Any]:
    """partner_a answered positively through the page; some shared history exists too."""
    couple = actions.write_journal_entry(
        partner_a, case, body="Before: shared", visibility="couple"
    )
    mine = actions.write_journal_entry(partner_b, case, body="B's own line", visibility="private")
    CrisisResource.objects.create(practice=practice, name="Harbour Helpline", phone="0800 123")
    mail.outbox.clear()
    response = answer(client_for("partner_a"), case, POSITIVE)
    assert response.status_code == 302
    return {"couple": couple, "b_private": mine, "alert": Alert.objects.get()}


def reachable(persona: str, world: dict[str, Any], case: Case, other_case: Case) -> list[str]:
    """Every GET page and API route, for a persona; redirects and 404s are followed as well."""
    c, o = case.pk, other_case.pk
    alert = world["alert"].pk
    return [
        "/",
        "/start/",
        "/home/",
        "/account/",
        "/help/",
        "/away/",
        f"/journal/{world['couple'].pk}/",
        f"/journal/{world['b_private'].pk}/",
        f"/cases/{c}/safety-check/",
        f"/cases/{c}/safety-check/thanks/",
        f"/cases/{o}/safety-check/",
        "/caseload/",
        "/caseload/?sort=attention",
        f"/cases/{c}/",
        f"/cases/{o}/",
        f"/cases/{c}/notes/new/",
        "/practice/",
        "/practice/audit/",
        f"/practice/audit/?case={c}",
        "/practice/audit/?action=retrust.alert",
        "/practice/crisis-resources/",
        f"/cases/{c}/alerts/{alert}/acknowledge/",  # GET on a POST-only route
        "/api/v1/me",
        "/api/v1/cases",
        f"/api/v1/cases/{c}",
        f"/api/v1/cases/{c}/members",
        f"/api/v1/cases/{c}/journal",
        f"/api/v1/cases/{o}",
    ]


def failed_forms(client: Client, world: dict[str, Any], case: Case) -> list[Any]:
    """Forms sent wrongly or where the persona may not send them: the HTML that comes back."""
    c = case.pk
    alert = world["alert"].pk
    htmx = {"HTTP_HX_REQUEST": "true"}
    return [
        client.post(f"/cases/{c}/journal/", {"body": "share this", "visibility": "couple"}),
        client.post(f"/cases/{c}/journal/", {"body": "", "visibility": "private"}),
        client.post(f"/journal/{world['couple'].pk}/", {"visibility": "nonsense"}),
        client.post(f"/cases/{c}/safety-check/", {"submission_key": "x", "fear": "yes"}),
        client.post(f"/cases/{c}/alerts/{alert}/acknowledge/", {"note": ""}),
        client.post(f"/cases/{c}/individual-sessions/", {"partner": "", "seen_on": ""}),
        client.post(f"/cases/{c}/pause/lift/", {"reason": ""}),
        client.post(f"/cases/{c}/track/", {"track": "individual", "reason": ""}),
        client.post(f"/cases/{c}/notes/new/", {"session_date": ""}),
        client.post("/practice/crisis-resources/", {"name": ""}),
        client.post("/practice/", {"email": "not-an-email"}),
        client.get("/caseload/", **htmx),
        client.get("/practice/audit/", **htmx),
        client.post(
            f"/api/v1/cases/{c}/journal",
            {"body": "via api", "visibility": "couple"},
            content_type="application/json",
        ),
    ]


def everything(persona: str, world: dict[str, Any], case: Case, other_case: Case, client: Client):
    pages = {}
    for url in reachable(persona, world, case, other_case):
        pages[url] = text(client.get(url, follow=True))
    for i, response in enumerate(failed_forms(client, world, case)):
        pages[f"form {i}: {response.request['PATH_INFO']}"] = text(response)
    return pages


@pytest.mark.parametrize(
    "persona",
    ["partner_b", "other_clinician", "other_practice_clinician", "admin", "partner_a", "anonymous"],
)
def test_screen_answers_reach_no_one_but_the_case_clinician(
    persona: str,
    screened: dict[str, Any],
    case: Case,
    other_practice_case: Case,
    client_for: Callable[[str], Client],
) -> None:
    pages = everything(persona, screened, case, other_practice_case, client_for(persona))
    for where, body in pages.items():
        for secret in SECRETS:
            assert secret not in body, (persona, where, secret)
        if where.startswith("form") and "safety-check/" in where:
            pass  # their own half-filled form, sent back with its message
        elif "safety-check/" in where and not where.endswith("thanks/"):
            # The blank form itself carries the questions, never a remembered answer.
            assert " checked" not in body, (persona, where)
        else:
            for question in QUESTION_TEXTS:
                assert question not in body, (persona, where, question)
    for message in mail.outbox:
        for secret in [*SECRETS, *QUESTION_TEXTS, "concern", "pause"]:
            assert secret not in message.subject + message.body


def test_the_case_clinician_sees_the_answers_and_the_alert(
    screened: dict[str, Any], case: Case, client_for: Callable[[str], Client]
) -> None:
    body = text(client_for("clinician").get(f"/cases/{case.pk}/"))
    for shown in answers_as_shown(POSITIVE):
        assert shown in body
    assert "a concern was answered yes" in body
    assert POSITIVE_SUMMARY in body
    assert "Shared work is paused" in body
    assert "(Safety screen," in body
    # And reading them is itself audited.
    assert AuditEvent.objects.filter(
        action="retrust.case.content.viewed", case=case, details__what="case_view"
    ).exists()


def test_the_other_partner_sees_no_change_until_the_clinician_acts(
    screened: dict[str, Any], case: Case, client_for: Callable[[str], Client]
) -> None:
    """A disclosure must not be readable from timing (issue 11, hole 18)."""
    held = text(client_for("partner_a").get("/home/"))
    assert "Your clinician will be in touch with you soon" in held
    other = text(client_for("partner_b").get("/home/"))
    for wording in ("in touch", "resting", "on hold", "paused", "pause-banner"):
        assert wording not in other
    # Once the clinician has acted, both partners read the same neutral wording.
    core_pause.show(case)
    for persona in ["partner_a", "partner_b"]:
        home = text(client_for(persona).get("/home/"))
        assert "Individual sessions are the next step" in home
        assert "Ari" not in home.split("Individual sessions")[1].split("</p>")[0]


def test_partner_b_is_still_asked_their_own_questions(
    screened: dict[str, Any], case: Case, client_for: Callable[[str], Client]
) -> None:
    assert "Answer privately" not in text(client_for("partner_a").get("/home/"))
    assert "Answer privately" in text(client_for("partner_b").get("/home/"))


# --- the pause ------------------------------------------------------------------------------


@pytest.fixture
def paused(case: Case, partner_a: User, partner_b: User) -> CasePause:
    safety.submit_screen(partner_a, case, POSITIVE, "k")
    core_pause.show(case)  # the clinician has acted: both partners see the neutral wording
    return CasePause.objects.get(case=case, lifted_at__isnull=True)


def journal_rows() -> list[tuple[int, str]]:
    return sorted(JournalEntry.objects.values_list("id", "visibility"))


def test_sharing_with_the_couple_is_refused_on_the_page(
    paused: CasePause, case: Case, client_for: Callable[[str], Client]
) -> None:
    for persona in ["partner_a", "partner_b"]:
        before = journal_rows()
        response = client_for(persona).post(
            f"/cases/{case.pk}/journal/", {"body": "For both of us", "visibility": "couple"}
        )
        assert response.status_code == 409  # a pause is a conflict, on pages as in the API
        assert core_pause.DEFAULT_SHOWN_MESSAGE in text(response)
        assert 'role="alert"' in text(response)
        assert journal_rows() == before


def test_sharing_with_the_couple_is_refused_by_the_api(
    paused: CasePause, case: Case, client_for: Callable[[str], Client]
) -> None:
    before = journal_rows()
    response = client_for("partner_b").post(
        f"/api/v1/cases/{case.pk}/journal",
        {"body": "For both of us", "visibility": "couple"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "detail": [{"loc": ["body"], "msg": core_pause.DEFAULT_SHOWN_MESSAGE}]
    }
    assert journal_rows() == before


def test_changing_an_entry_to_couple_is_refused(
    case: Case, partner_a: User, partner_b: User, client_for: Callable[[str], Client]
) -> None:
    entry = actions.write_journal_entry(partner_a, case, body="Mine", visibility="private")
    safety.submit_screen(partner_b, case, POSITIVE, "k")
    core_pause.show(case)
    response = client_for("partner_a").post(f"/journal/{entry.pk}/", {"visibility": "couple"})
    assert response.status_code == 409
    assert core_pause.DEFAULT_SHOWN_MESSAGE in text(response)
    entry.refresh_from_db()
    assert entry.visibility == "private"
    with pytest.raises(core_pause.SharedWorkPaused):
        actions.change_journal_visibility(partner_a, entry, "couple")


@pytest.mark.parametrize("visibility", ["private", "clinician"])
def test_private_and_clinician_writing_still_work(
    visibility: str, paused: CasePause, case: Case, client_for: Callable[[str], Client]
) -> None:
    page = client_for("partner_a").post(
        f"/cases/{case.pk}/journal/", {"body": "Still mine", "visibility": visibility}
    )
    assert page.status_code == 302
    api = client_for("partner_b").post(
        f"/api/v1/cases/{case.pk}/journal",
        {"body": "Still mine too", "visibility": visibility},
        content_type="application/json",
    )
    assert api.status_code == 201
    assert JournalEntry.objects.filter(visibility=visibility).count() == 2
    # Narrowing a shared entry is never blocked.
    entry = JournalEntry.objects.filter(visibility=visibility).first()
    assert entry is not None


def test_narrowing_a_couple_entry_works_while_paused(
    case: Case, partner_a: User, partner_b: User, client_for: Callable[[str], Client]
) -> None:
    entry = actions.write_journal_entry(partner_a, case, body="Ours", visibility="couple")
    safety.submit_screen(partner_b, case, POSITIVE, "k")
    response = client_for("partner_a").post(f"/journal/{entry.pk}/", {"visibility": "private"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.visibility == "private"


def seen(client: Client, case: Case, partner: User, day: Any) -> Any:
    return client.post(
        f"/cases/{case.pk}/individual-sessions/",
        {"partner": partner.pk, "seen_on": day.isoformat()},
    )


def lift(client: Client, case: Case, reason: str = "Saw both alone; safety plan agreed.") -> Any:
    return client.post(f"/cases/{case.pk}/pause/lift/", {"reason": reason})


def test_lifting_needs_a_reason(
    paused: CasePause,
    case: Case,
    partner_a: User,
    partner_b: User,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("clinician")
    today = timezone.localdate()
    assert seen(client, case, partner_a, today).status_code == 302
    assert seen(client, case, partner_b, today).status_code == 302
    for reason in ["", "   "]:
        response = lift(client, case, reason)
        assert response.status_code == 400
        assert "This field is required." in text(response) or "Say briefly why" in text(response)
        assert _paused(case)
    with pytest.raises(actions.ActionError) as caught:
        safety.lift_pause(case.clinicians.get(), case, "  ")
    assert caught.value.field == "reason"
    assert _paused(case)


def test_lifting_needs_an_individual_session_with_each_partner(
    paused: CasePause,
    case: Case,
    partner_a: User,
    partner_b: User,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("clinician")
    response = lift(client, case)
    assert response.status_code == 400
    assert "Record an individual session with each partner first" in text(response)
    assert "still to see: Ari, Bo" in text(response)
    assert _paused(case)

    assert seen(client, case, partner_a, timezone.localdate()).status_code == 302
    response = lift(client, case)
    assert response.status_code == 400
    assert "still to see: Bo" in text(response)
    assert _paused(case)


def test_sessions_before_the_pause_do_not_count(
    case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
    client_for: Callable[[str], Client],
) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    safety.record_individual_session(clinician, case, partner_a, yesterday)
    safety.record_individual_session(clinician, case, partner_b, yesterday)
    safety.submit_screen(partner_a, case, POSITIVE, "k")
    response = lift(client_for("clinician"), case)
    assert response.status_code == 400
    assert "still to see: Ari, Bo" in text(response)
    assert _paused(case)


def test_sessions_cannot_be_in_the_future(
    paused: CasePause, case: Case, partner_a: User, client_for: Callable[[str], Client]
) -> None:
    response = seen(client_for("clinician"), case, partner_a, timezone.localdate() + timedelta(1))
    assert response.status_code == 400
    assert "today or earlier" in text(response)
    assert not IndividualSession.objects.exists()


def test_a_session_is_only_for_a_partner_of_this_case(
    paused: CasePause,
    case: Case,
    other_practice_case: Case,
    clinician: User,
    client_for: Callable[[str], Client],
) -> None:
    stranger = User.objects.create_user("cy@example.org", "x" * 12, display_name="Cy")
    CaseMember.objects.create(case=other_practice_case, user=stranger, role="partner_a")
    response = seen(client_for("clinician"), case, stranger, timezone.localdate())
    assert response.status_code == 400
    assert not IndividualSession.objects.exists()
    with pytest.raises(actions.ActionError):
        safety.record_individual_session(clinician, case, stranger, timezone.localdate())


def test_after_lifting_couple_sharing_works_again(
    paused: CasePause,
    case: Case,
    partner_a: User,
    partner_b: User,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("clinician")
    seen(client, case, partner_a, timezone.localdate())
    seen(client, case, partner_b, timezone.localdate())
    response = lift(client, case)
    assert response.status_code == 302
    paused.refresh_from_db()
    assert paused.lifted_at is not None and paused.lift_reason.startswith("Saw both alone")
    assert not _paused(case)
    assert "Shared work is paused" not in text(client.get(f"/cases/{case.pk}/"))
    lifted = AuditEvent.objects.get(action="retrust.case.pause.lifted")
    assert "Saw both alone" not in json.dumps(lifted.details)

    assert ON_HOLD not in text(client_for("partner_b").get("/home/"))
    page = client_for("partner_a").post(
        f"/cases/{case.pk}/journal/", {"body": "Ours again", "visibility": "couple"}
    )
    assert page.status_code == 302
    api = client_for("partner_b").post(
        f"/api/v1/cases/{case.pk}/journal",
        {"body": "Ours via api", "visibility": "couple"},
        content_type="application/json",
    )
    assert api.status_code == 201
    assert JournalEntry.objects.filter(visibility="couple").count() == 2
    # Lifting again explains that there is nothing to lift: the state changed under the form.
    again = lift(client, case)
    assert again.status_code == 409
    assert "not paused" in text(again)


@pytest.mark.parametrize(
    "persona", ["partner_a", "partner_b", "other_clinician", "other_practice_clinician", "admin"]
)
def test_only_the_case_clinician_records_lifts_and_acknowledges(
    persona: str,
    paused: CasePause,
    case: Case,
    partner_a: User,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for(persona)
    alert = Alert.objects.get()
    today = timezone.localdate().isoformat()
    for url, data in [
        (f"/cases/{case.pk}/individual-sessions/", {"partner": partner_a.pk, "seen_on": today}),
        (f"/cases/{case.pk}/pause/lift/", {"reason": "Because"}),
        (f"/cases/{case.pk}/alerts/{alert.pk}/acknowledge/", {"note": "Seen"}),
        (f"/cases/{case.pk}/track/", {"track": "individual", "reason": "Because"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 404, (persona, url)
    assert not IndividualSession.objects.exists()
    assert _paused(case)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    case.refresh_from_db()
    assert case.track == "conjoint"


def test_actions_refuse_anyone_but_the_case_clinician(
    paused: CasePause, case: Case, personas: dict[str, Any]
) -> None:
    for persona in ["partner_a", "other_clinician", "admin"]:
        with pytest.raises(actions.ActionError):
            safety.record_individual_session(
                personas[persona], case, personas["partner_a"], timezone.localdate()
            )
        with pytest.raises(actions.ActionError):
            safety.lift_pause(personas[persona], case, "reason")
    assert _paused(case)


# --- alerts on the caseload -----------------------------------------------------------------


def test_acknowledging_needs_a_note_on_the_page(
    paused: CasePause, case: Case, client_for: Callable[[str], Client]
) -> None:
    alert = Alert.objects.get()
    client = client_for("clinician")
    response = client.post(f"/cases/{case.pk}/alerts/{alert.pk}/acknowledge/", {"note": "  "})
    assert response.status_code == 400
    assert "This field is required." in text(response)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None

    response = client.post(
        f"/cases/{case.pk}/alerts/{alert.pk}/acknowledge/", {"note": "Called Ari; safe for now."}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledgement_note == "Called Ari; safe for now."
    assert "Acknowledged by Dana Clinician" in text(client.get(f"/cases/{case.pk}/"))


def test_an_alert_of_another_case_is_not_found_through_this_one(
    case: Case,
    partner_a: User,
    clinician: User,
    practice: Practice,
    client_for: Callable[[str], Client],
) -> None:
    elsewhere = Case.objects.create(practice=practice, label="Someone else")
    alert = safety.raise_alert(
        elsewhere, source="inactivity", priority="normal", summary="Quiet", dedupe_key="x"
    )
    response = client_for("clinician").post(
        f"/cases/{case.pk}/alerts/{alert.pk}/acknowledge/", {"note": "Seen"}
    )
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def add_case(practice: Practice, clinician: User, label: str, **extra: Any) -> Case:
    new = Case.objects.create(practice=practice, label=label, status="active", **extra)
    new.clinicians.add(clinician)
    return new


def caseload_rows(client: Client, query: str = "") -> list[str]:
    body = text(client.get(f"/caseload/{query}"))
    return re.findall(r'<th scope="row"><a href="/cases/\d+/">([^<]+)</a></th>', body)


def test_needs_attention_puts_paused_and_high_alert_cases_first(
    practice: Practice, clinician: User, client_for: Callable[[str], Client]
) -> None:
    quiet = add_case(practice, clinician, "Quiet couple")
    normal = add_case(practice, clinician, "Normal alert couple")
    high = add_case(practice, clinician, "High alert couple")
    paused_case = add_case(practice, clinician, "Paused couple")
    add_case(practice, clinician, "Another quiet couple")
    safety.raise_alert(normal, source="inactivity", priority="normal", summary="s", dedupe_key="n")
    safety.raise_alert(
        high, source="reliable_deterioration", priority="high", summary="s", dedupe_key="h"
    )
    safety.raise_alert(
        paused_case, source="phq9_item9", priority="high", summary="s", dedupe_key="p"
    )
    # The quiet case was touched last: "recently updated" would put it first.
    quiet.save()
    client = client_for("clinician")
    rows = caseload_rows(client)
    assert rows[:3] == ["Paused couple", "High alert couple", "Normal alert couple"]
    assert rows == caseload_rows(client, "?sort=attention")
    assert caseload_rows(client, "?sort=recent")[0] == "Quiet couple"
    body = text(client.get("/caseload/"))
    assert body.count('class="badge badge-high">1 high alert</span>') == 2
    assert body.count("Shared work paused") == 1


def test_acknowledged_alerts_leave_the_caseload_badges(
    paused: CasePause, case: Case, clinician: User, client_for: Callable[[str], Client]
) -> None:
    client = client_for("clinician")
    assert "1 high alert" in text(client.get("/caseload/"))
    safety.acknowledge_alert(clinician, Alert.objects.get(), "Spoke with both.")
    body = text(client.get("/caseload/"))
    assert "high alert" not in body and "open alert" not in body
    # Acknowledging is not lifting: the pause stays until the clinician lifts it.
    assert "Shared work paused" in body


def test_an_acknowledged_alert_drops_a_case_down_the_attention_sort(
    practice: Practice, clinician: User, client_for: Callable[[str], Client]
) -> None:
    first = add_case(practice, clinician, "Was urgent")
    alert = safety.raise_alert(
        first, source="reliable_deterioration", priority="high", summary="s", dedupe_key="u"
    )
    second = add_case(practice, clinician, "Now urgent")
    safety.raise_alert(
        second, source="reliable_deterioration", priority="high", summary="s", dedupe_key="v"
    )
    first.save()
    client = client_for("clinician")
    assert caseload_rows(client)[:2] == ["Was urgent", "Now urgent"]
    safety.acknowledge_alert(clinician, alert, "Handled.")
    assert caseload_rows(client)[:2] == ["Now urgent", "Was urgent"]


# --- crisis resources -----------------------------------------------------------------------


def test_admin_adds_and_removes_crisis_resources(
    practice: Practice, admin: User, client_for: Callable[[str], Client]
) -> None:
    client = client_for("admin")
    assert client.get("/practice/crisis-resources/").status_code == 200
    response = client.post(
        "/practice/crisis-resources/",
        {"name": "Harbour Helpline", "phone": "0800 123 456", "hours": "Every day, 24 hours"},
    )
    assert response.status_code == 302
    resource = CrisisResource.objects.get()
    assert (resource.practice, resource.phone) == (practice, "0800 123 456")
    assert AuditEvent.objects.filter(action="retrust.crisis_resource.added").exists()
    assert "Harbour Helpline" in text(Client().get("/help/"))

    response = client.post(f"/practice/crisis-resources/{resource.pk}/remove/")
    assert response.status_code == 302
    assert not CrisisResource.objects.exists()
    assert "Harbour Helpline" not in text(Client().get("/help/"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "phone": "0800"}, "This field is required."),
        ({"name": "   ", "phone": "0800"}, "This field is required."),
        ({"name": "No way to reach it"}, "Add at least a phone number, a text line or a web"),
        ({"name": "Bad web", "url": "not a url at all"}, "Enter a valid URL."),
    ],
)
def test_a_resource_needs_a_name_and_a_way_to_reach_it(
    data: dict[str, str], message: str, admin: User, client_for: Callable[[str], Client]
) -> None:
    response = client_for("admin").post("/practice/crisis-resources/", data)
    assert response.status_code == 400
    assert message in text(response)
    assert not CrisisResource.objects.exists()


@pytest.mark.parametrize(
    "persona",
    ["partner_a", "partner_b", "clinician", "other_clinician", "other_practice_clinician"],
)
def test_only_the_admin_manages_crisis_resources(
    persona: str, practice: Practice, client_for: Callable[[str], Client]
) -> None:
    resource = CrisisResource.objects.create(practice=practice, name="Keep me", phone="1")
    client = client_for(persona)
    assert client.get("/practice/crisis-resources/").status_code == 404
    assert (
        client.post("/practice/crisis-resources/", {"name": "X", "phone": "2"}).status_code == 404
    )
    assert client.post(f"/practice/crisis-resources/{resource.pk}/remove/").status_code == 404
    assert list(CrisisResource.objects.values_list("name", flat=True)) == ["Keep me"]


def test_an_admin_cannot_remove_another_practices_resource(
    admin: User, other_practice: Practice, client_for: Callable[[str], Client]
) -> None:
    theirs = CrisisResource.objects.create(practice=other_practice, name="Theirs", phone="1")
    response = client_for("admin").post(f"/practice/crisis-resources/{theirs.pk}/remove/")
    assert response.status_code == 404
    assert CrisisResource.objects.filter(pk=theirs.pk).exists()


def test_help_works_without_signing_in(practice: Practice, other_practice: Practice) -> None:
    CrisisResource.objects.create(
        practice=practice,
        name="Harbour Helpline",
        phone="0800 123",
        text_line="Text SHORE to 85258",
        url="https://help.example.org/",
        hours="24 hours",
    )
    response = Client().get("/help/")
    body = text(response)
    assert response.status_code == 200
    assert "If you are in danger right now, call your local emergency number." in body
    for shown in ["Harbour Helpline", "Text SHORE to 85258", "https://help.example.org/", "24 h"]:
        assert shown in body
    assert "Leave quickly" in body


def test_a_partner_sees_their_own_practices_resources(
    practice: Practice,
    other_practice: Practice,
    partner_a: User,
    client_for: Callable[[str], Client],
) -> None:
    CrisisResource.objects.create(practice=practice, name="Ours", phone="1")
    CrisisResource.objects.create(practice=other_practice, name="Theirs", phone="2")
    body = text(client_for("partner_a").get("/help/"))
    assert "Ours" in body and "Theirs" not in body


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("anonymous", "/"),
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/help/"),
        ("anonymous", "/no-such-page/"),
        ("partner_a", "/home/"),
        ("partner_a", "/account/"),
        ("partner_a", "/cases/{case}/safety-check/"),
        ("partner_a", "/cases/{case}/safety-check/thanks/"),
        ("clinician", "/caseload/"),
        ("clinician", "/cases/{case}/"),
        ("clinician", "/cases/{case}/notes/new/"),
        ("admin", "/practice/"),
        ("admin", "/practice/audit/"),
        ("admin", "/practice/crisis-resources/"),
    ],
)
def test_the_footer_links_to_help_on_every_page(
    persona: str, url: str, case: Case, client_for: Callable[[str], Client]
) -> None:
    response = client_for(persona).get(url.format(case=case.pk))
    assert response.status_code in (200, 404)
    assert '<footer class="site-footer">' in text(response)
    assert '<a href="/help/">Crisis resources</a>' in text(response)


def test_unverified_staff_reach_help_before_their_second_factor(
    clinician: User,
) -> None:
    client = Client()
    client.force_login(clinician, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/help/").status_code == 200
    assert client.get("/away/").status_code == 200
    assert client.get("/caseload/").status_code == 302


# --- leave quickly --------------------------------------------------------------------------


def test_away_is_plain_and_never_cached(
    partner_a: User, client_for: Callable[[str], Client]
) -> None:
    for client in [Client(), client_for("partner_a")]:
        response = client.get("/away/")
        body = text(response)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "retrust" not in body.lower()
        for word in ["therapy", "therapist", "partner", "relationship", "clinician", "trust"]:
            assert word not in body.lower()
        assert "<title>Easy weeknight soup</title>" in body


def test_screening_pages_are_never_cached(
    case: Case, partner_a: User, client_for: Callable[[str], Client]
) -> None:
    client = client_for("partner_a")
    for url in [screen_url(case), f"{screen_url(case)}thanks/"]:
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "data-leave-quickly" in text(response)
        assert "/static/retrust/leave.js" in text(response)
    form = text(client.get(screen_url(case)))
    assert "data-replace-history" in form


# --- inactivity -----------------------------------------------------------------------------


def test_inactivity_raises_one_alert_per_quiet_partner_per_spell(
    practice: Practice, case: Case, partner_a: User, partner_b: User
) -> None:
    practice.inactivity_alert_days = 10
    practice.save()
    now = timezone.now()
    CaseMember.objects.filter(user=partner_a).update(last_active_at=now - timedelta(days=11))
    CaseMember.objects.filter(user=partner_b).update(last_active_at=now - timedelta(days=2))

    assert raise_inactivity_alerts() == 1
    alert = Alert.objects.get()
    assert (alert.partner, alert.priority, alert.source) == (partner_a, "normal", "inactivity")
    assert "Ari" in alert.summary and "10 days" in alert.summary
    assert not CasePause.objects.exists()

    # Running again in the same spell raises nothing new.
    assert raise_inactivity_alerts() == 0
    assert Alert.objects.count() == 1

    # Activity ends the spell; a later quiet spell is a new one.
    actions.write_journal_entry(partner_a, case, body="Back", visibility="private")
    assert raise_inactivity_alerts() == 0
    CaseMember.objects.filter(user=partner_a).update(last_active_at=now - timedelta(days=12))
    CaseMember.objects.filter(user=partner_b).update(last_active_at=now - timedelta(days=30))
    assert raise_inactivity_alerts() == 2
    assert raise_inactivity_alerts() == 0
    assert Alert.objects.filter(source="inactivity").count() == 3


def test_inactivity_counts_from_joining_and_skips_closed_cases(
    practice: Practice, case: Case, partner_a: User, partner_b: User
) -> None:
    long_ago = timezone.now() - timedelta(days=60)
    CaseMember.objects.update(joined_at=long_ago, last_active_at=None)
    assert raise_inactivity_alerts() == 2
    Alert.objects.all().delete()
    case.status = "closed"
    case.save()
    assert raise_inactivity_alerts() == 0


def test_checkalerts_command(case: Case, partner_a: User) -> None:
    from io import StringIO

    from django.core.management import call_command

    CaseMember.objects.update(last_active_at=timezone.now() - timedelta(days=100))
    out = StringIO()
    call_command("checkalerts", stdout=out)
    assert out.getvalue().strip() == "1 new inactivity alert."


# --- track switches -------------------------------------------------------------------------


def test_a_track_switch_needs_a_reason_and_is_audited_without_it(
    case: Case, clinician: User, admin: User, client_for: Callable[[str], Client]
) -> None:
    client = client_for("clinician")
    response = client.post(f"/cases/{case.pk}/track/", {"track": "discernment", "reason": ""})
    assert response.status_code == 400
    assert "This field is required." in text(response)
    case.refresh_from_db()
    assert case.track == "conjoint"
    assert not TrackChange.objects.exists()

    reason = "Bo wants clarity about staying before any couple work"
    response = client.post(f"/cases/{case.pk}/track/", {"track": "discernment", "reason": reason})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.track == "discernment"
    change = TrackChange.objects.get()
    assert (change.old_track, change.new_track, change.reason) == (
        "conjoint",
        "discernment",
        reason,
    )
    event = AuditEvent.objects.get(action="retrust.case.track.changed")
    assert event.details == {"old": "conjoint", "new": "discernment"}
    assert event.actor == clinician
    assert reason not in json.dumps([e.details for e in AuditEvent.objects.all()])
    assert reason in text(client.get(f"/cases/{case.pk}/"))
    assert reason not in text(client_for("admin").get("/practice/audit/"))

    with pytest.raises(actions.ActionError) as caught:
        clinic_actions.switch_track(clinician, case, "individual", "  ")
    assert caught.value.field == "reason"
    with pytest.raises(actions.ActionError):
        clinic_actions.switch_track(clinician, case, "sideways", "Because")


def test_the_case_page_has_unique_form_ids_while_paused(
    paused: CasePause, case: Case, client_for: Callable[[str], Client]
) -> None:
    body = text(client_for("clinician").get(f"/cases/{case.pk}/"))
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
