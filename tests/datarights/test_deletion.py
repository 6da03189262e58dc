"""A partner deletes their account: a grace period they can cancel, their clinician told (and
nobody else), then their private records go, joint records stay as "a former partner", the
other partner's records and consents stay intact, and clinical records are held for the
practice's retention period and removed after it."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from retrust.agreements.models import Agreement, AgreementVersion, Commitment, Consent
from retrust.assessments.models import MeasureResponse, TotalsConsent
from retrust.clinic.models import SessionNote
from retrust.conversations.models import ReviewAnswer, TriggerEntry, Turn
from retrust.core.datarights import FORMER_PARTNER
from retrust.core.models import AuditEvent, Case, CaseMember, JournalEntry, User
from retrust.datarights import actions
from retrust.datarights.models import Departure
from retrust.frontdoor.models import ConsultationRequest
from retrust.notifications.models import Notification, Preference
from retrust.notifications.tick import run_tick
from retrust.program.models import AppreciationNote, ExerciseResponse, TrustGoal
from retrust.safety.models import Alert, IndividualSession, SafetyScreen
from tests.conftest import PASSWORD, make_user, signed_in_client
from tests.datarights.plant import A_OWN, B_WORDS, SAFETY, plant
from tests.support.mail import body_of, run_queued_tasks


@pytest.fixture
def planted(case: Any, partner_a: Any, partner_b: Any, clinician: Any) -> dict[str, Any]:
    return plant(case, partner_a, partner_b, clinician)


def ask(user: Any, **data: Any) -> Any:
    form = {"password": PASSWORD, "confirm": "on", **data}
    return signed_in_client(user).post("/account/data/delete/", form)


def grace_over(user: Any) -> None:
    """Move the stored date back instead of the clock forward."""
    Departure.objects.filter(user=user).update(shred_after=timezone.now() - timedelta(seconds=1))


def b_records(user: Any) -> dict[str, int]:
    return {
        "journal": JournalEntry.objects.filter(author=user).count(),
        "agreements": Agreement.objects.filter(author=user).count(),
        "versions": AgreementVersion.objects.filter(proposed_by=user).count(),
        "consents": Consent.objects.filter(partner=user).count(),
        "commitments": Commitment.objects.filter(author=user, ended_at=None).count(),
        "turns": Turn.objects.filter(author=user).count(),
        "review answers": ReviewAnswer.objects.filter(author=user).count(),
        "triggers": TriggerEntry.objects.filter(author=user).count(),
        "homework": ExerciseResponse.objects.filter(author=user).count(),
        "goals": TrustGoal.objects.filter(author=user).count(),
        "notes": AppreciationNote.objects.filter(author=user).count(),
        "measures": MeasureResponse.objects.filter(author=user).count(),
        "screens": SafetyScreen.objects.filter(respondent=user).count(),
        "membership": CaseMember.objects.filter(user=user).count(),
    }


def test_asking_needs_the_password_and_the_tick_and_is_idempotent(
    partner_a: Any, partner_b: Any, case: Any
) -> None:
    wrong = ask(partner_a, password="not my password")
    assert wrong.status_code == 400
    assert "match. Type it again" in wrong.content.decode()
    unticked = ask(partner_a, confirm="")
    assert unticked.status_code == 400
    assert "Tick the box" in unticked.content.decode()
    assert not Departure.objects.exists()

    assert ask(partner_a).status_code == 302
    assert ask(partner_a).status_code == 302  # again: the same request, not a second one
    departure = Departure.objects.get()
    assert departure.user == partner_a and departure.case_ids == [case.pk]
    assert departure.shred_after.date() == (timezone.now() + timedelta(days=14)).date()
    page = signed_in_client(partner_a).get("/account/data/").content.decode()
    assert "set to be deleted on" in page and "Keep my account" in page
    # Their own home shows the date and the way back; the other partner's pages say nothing.
    home = signed_in_client(partner_a).get("/home/").content.decode()
    assert "Your account is set to be deleted" in home and "Keep your account" in home
    assert "deleted" not in signed_in_client(partner_b).get("/home/").content.decode()
    # One audit row per case, with no address and no words.
    rows = AuditEvent.objects.filter(action="retrust.datarights.departure.requested")
    assert rows.count() == 1 and rows.get().case_id == case.pk
    assert partner_a.email not in str(rows.get().details)


def test_the_clinician_is_told_by_a_content_free_email_and_the_other_partner_is_not(
    smtp_server: Any, partner_a: Any, partner_b: Any, case: Any, clinician: Any,
    other_clinician: Any,
) -> None:  # fmt: skip
    ask(partner_a)
    run_tick()
    rows = Notification.objects.filter(kind="partner_leaving")
    assert list(rows.values_list("recipient", flat=True)) == [clinician.pk]
    run_queued_tasks()
    [message] = smtp_server.wait_for(1)
    assert smtp_server.recipients() == [clinician.email]
    text = body_of(message) + str(message["Subject"])
    for word in (partner_a.name, partner_a.email, case.label, "delete", "leav"):
        assert word not in text
    run_tick()  # told once
    assert rows.count() == 1

    page = signed_in_client(clinician).get("/caseload/leaving/").content.decode()
    assert partner_a.name in page and case.label in page
    assert (
        partner_a.name
        not in signed_in_client(other_clinician).get("/caseload/leaving/").content.decode()
    )


def test_changing_ones_mind_keeps_everything(
    planted: dict[str, Any], partner_a: Any, partner_b: Any
) -> None:
    ask(partner_a)
    client = signed_in_client(partner_a)
    assert client.post("/account/data/delete/cancel/").status_code == 302
    assert "Your account stays" in client.get("/account/data/").content.decode()
    grace_over(partner_a)
    run_tick()
    run_queued_tasks()
    partner_a.refresh_from_db()
    assert partner_a.is_active and partner_a.display_name == "Ari"
    assert JournalEntry.objects.filter(author=partner_a).count() == 3
    # And asking again later is a new request.
    assert ask(partner_a).status_code == 302
    assert Departure.objects.filter(user=partner_a).count() == 2


def test_after_the_grace_period_private_records_go_and_clinical_ones_are_held(
    planted: dict[str, Any], partner_a: Any, partner_b: Any, case: Any, clinician: Any
) -> None:
    other_before = b_records(partner_b)
    ask(partner_a)
    grace_over(partner_a)
    result = run_tick()
    assert result.jobs >= 1
    run_queued_tasks()

    departure = Departure.objects.get(user=partner_a)
    assert departure.shredded_at is not None
    years = (departure.hold_until - departure.shredded_at).days / 365.25
    assert 6.99 < years < 7.01
    assert departure.held["assessments.questionnaire responses"] == 1
    assert departure.shredded["core.private journal entries"] == 1

    # The account is a tombstone: no address, no name, no way in.
    gone = User.objects.get(pk=partner_a.pk)
    assert gone.display_name == FORMER_PARTNER and not gone.is_active
    assert "@" in gone.email and "ari" not in gone.email
    assert not gone.has_usable_password()
    assert signed_in_client(gone).get("/account/data/").status_code != 200

    # Private records and drafts went; what was shared with the clinician alone is held;
    # what was shared with both stays.
    journal = JournalEntry.objects.filter(author=partner_a)
    assert sorted(journal.values_list("visibility", flat=True)) == ["clinician", "couple"]
    assert not TriggerEntry.objects.filter(author=partner_a).exists()
    assert not ExerciseResponse.objects.filter(author=partner_a, submitted_at=None).exists()
    assert ExerciseResponse.objects.filter(author=partner_a, visibility="couple").exists()
    assert ReviewAnswer.objects.filter(author=partner_a).exists()  # held
    assert TrustGoal.objects.filter(author=partner_a).exists()  # held
    assert MeasureResponse.objects.filter(author=partner_a).count() == 1  # the draft went
    assert not TotalsConsent.objects.filter(partner=partner_a, withdrawn_at=None).exists()
    assert SafetyScreen.objects.filter(respondent=partner_a).exists()
    assert Alert.objects.filter(partner=partner_a).exists()
    assert IndividualSession.objects.filter(partner=partner_a).exists()
    assert SessionNote.objects.filter(case=case).exists()  # the case goes on with Bo
    assert not Notification.objects.filter(recipient=partner_a).exists()
    assert not Preference.objects.filter(user=partner_a).exists()
    assert ConsultationRequest.objects.get().hopes == ""
    assert ConsultationRequest.objects.get().preferred_slots == []
    assert Commitment.objects.get(pk=planted["a_commitment"].pk).ended_at is not None

    # The other partner's records and consents are intact, and they read "A former partner".
    assert b_records(partner_b) == other_before
    assert Consent.objects.filter(partner=partner_a).count() == 1  # A's yes to B's wording
    page = (
        signed_in_client(partner_b)
        .get(f"/conversations/{planted['conversation'].pk}/")
        .content.decode()
    )
    assert FORMER_PARTNER in page and "Ari" not in page
    assert "A-TURN" in page  # a turn of a shared conversation stays

    # Each step audited with counts only.
    shredded = AuditEvent.objects.get(action="retrust.datarights.departure.shredded")
    assert shredded.actor is None and shredded.case_id == case.pk
    assert set(shredded.details) == {"count", "held", "hold_until"}
    # Running it again changes nothing.
    assert actions.shred_departure(departure.pk) is None


def test_the_held_records_go_when_the_retention_period_ends(
    planted: dict[str, Any], partner_a: Any, partner_b: Any, case: Any
) -> None:
    ask(partner_a)
    email = partner_a.email
    grace_over(partner_a)
    run_tick()
    run_queued_tasks()
    assert AuditEvent.objects.filter(actor_email=email).exists()
    Departure.objects.filter(user=partner_a).update(hold_until=timezone.now() - timedelta(days=1))
    run_tick()
    run_queued_tasks()
    departure = Departure.objects.get(user=partner_a)
    assert departure.held_shredded_at is not None
    assert not MeasureResponse.objects.filter(author=partner_a).exists()
    assert not SafetyScreen.objects.filter(respondent=partner_a).exists()
    assert not Alert.objects.filter(partner=partner_a).exists()
    assert not JournalEntry.objects.filter(author=partner_a, visibility="clinician").exists()
    assert JournalEntry.objects.filter(author=partner_a, visibility="couple").exists()
    assert SafetyScreen.objects.filter(respondent=partner_b).exists()
    assert SessionNote.objects.filter(case=case).exists()
    assert not AuditEvent.objects.filter(actor_email=email).exists()
    assert AuditEvent.objects.filter(action="retrust.datarights.hold.ended").exists()


def test_a_case_left_with_no_partner_has_its_notes_held_and_then_removed(
    practice: Any, clinician: Any
) -> None:
    case = Case.objects.create(
        practice=practice, label="Morgan", status="active", track="individual"
    )
    case.clinicians.add(clinician)
    morgan = make_user("morgan@example.org", "Morgan")
    CaseMember.objects.create(case=case, user=morgan, role="partner_a")
    SessionNote.objects.create(case=case, author=clinician, session_date=timezone.localdate())
    ask(morgan)
    grace_over(morgan)
    departure = actions.shred_departure(Departure.objects.get().pk)
    assert departure is not None and departure.emptied_case_ids == [case.pk]
    assert departure.held["clinic.session notes"] == 1
    assert SessionNote.objects.filter(case=case).exists()
    Departure.objects.update(hold_until=timezone.now())
    actions.shred_held(departure.pk)
    assert not SessionNote.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.label == f"Case {case.pk}"


def test_dry_run_lists_counts_and_changes_nothing(planted: dict[str, Any], partner_a: Any) -> None:
    ask(partner_a)
    out = StringIO()
    call_command("shred", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "Nothing is due."
    grace_over(partner_a)
    out = StringIO()
    call_command("shred", "--dry-run", stdout=out)
    listing = out.getvalue()
    assert "would go" in listing and "core.private journal entries: 1" in listing
    assert "would be held" in listing and "safety.safety screens: 1" in listing
    for secret in A_OWN + B_WORDS + SAFETY + [partner_a.email, "Ari"]:
        assert secret not in listing
    assert Departure.objects.get().shredded_at is None
    assert JournalEntry.objects.filter(author=partner_a).count() == 3

    out = StringIO()
    call_command("shred", stdout=out)
    assert "Accounts deleted: 1" in out.getvalue()
    assert not JournalEntry.objects.filter(Q(author=partner_a), visibility="private").exists()


def test_two_ticks_at_once_queue_a_deletion_once(partner_a: Any, case: Any) -> None:
    ask(partner_a)
    grace_over(partner_a)
    now = timezone.now()
    assert len(actions.due_departures(now)) == 1
    assert actions.due_departures(now) == []
    # A worker that died leaves it queued; ten minutes later it is queued again.
    assert len(actions.due_departures(now + actions.REQUEUE_AFTER + timedelta(seconds=1))) == 1
