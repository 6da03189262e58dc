"""Agreements, consent, commitments, occurrences and breaches, through the actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from retrust.agreements import actions
from retrust.agreements.models import (
    Agreement,
    AgreementSettings,
    AgreementVersion,
    BreachReport,
    Confirmation,
    Consent,
    Occurrence,
)
from retrust.core.actions import ActionError
from retrust.core.models import AuditEvent, Case, CaseMember
from retrust.safety.models import Alert
from tests.agreements.conftest import PHONE_TEXT
from tests.conftest import make_user

TODAY = timezone.localdate


def propose(partner, case, **kwargs):
    fields = {"category": "transparency", "title": "Phones in the open", "text": PHONE_TEXT}
    fields.update(kwargs)
    return actions.propose_agreement(partner, case, **fields)


# --- consent ---------------------------------------------------------------------------------


def test_an_agreement_is_active_only_when_both_consent_to_the_same_version(
    partner_a, partner_b, case
):
    agreement = propose(partner_a, case)
    assert agreement.status == "proposed" and agreement.active_version is None
    assert Consent.objects.get().partner == partner_a  # proposing is consenting
    agreement = actions.accept_version(partner_b, agreement, version_number=1)
    assert agreement.status == "active"
    assert agreement.active_version.number == 1
    assert set(Consent.objects.values_list("partner__email", flat=True)) == {
        partner_a.email,
        partner_b.email,
    }
    assert AuditEvent.objects.filter(action="retrust.agreement.accepted").count() == 1


def test_amend_then_accept_the_amendment(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    agreement = actions.amend_agreement(
        partner_b, agreement, based_on=1, title="Phones in the open", text="Face up after 7pm."
    )
    assert agreement.latest_number == 2 and agreement.status == "proposed"
    # Partner A's consent to version 1 does not carry over to version 2.
    assert agreement.active_version is None
    agreement = actions.accept_version(partner_a, agreement, version_number=2)
    assert agreement.status == "active" and agreement.active_version.text == "Face up after 7pm."
    assert list(agreement.versions.values_list("number", flat=True)) == [1, 2]


def test_the_proposer_accepting_again_changes_nothing(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    agreement = actions.accept_version(partner_a, agreement, version_number=1)
    assert agreement.status == "proposed"


def test_declining_needs_a_reason_and_keeps_the_version(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    with pytest.raises(ActionError) as excinfo:
        actions.decline_version(partner_b, agreement, version_number=1, reason="  ")
    assert excinfo.value.field == "reason"
    assert Consent.objects.count() == 1
    agreement = actions.decline_version(
        partner_b, agreement, version_number=1, reason="Evenings are my only quiet time."
    )
    assert agreement.status == "declined"
    again = actions.decline_version(partner_b, agreement, version_number=1, reason="x")
    assert again.status == "declined" and Consent.objects.count() == 2


def test_the_clinician_cannot_consent(partner_a, partner_b, clinician, case):
    agreement = propose(partner_a, case)
    with pytest.raises(ActionError):
        actions.accept_version(clinician, agreement, version_number=1)
    agreement.refresh_from_db()
    assert agreement.status == "proposed" and Consent.objects.count() == 1
    note = actions.annotate_agreement(clinician, agreement, text="Let's look at this together.")
    assert note.author == clinician
    agreement.refresh_from_db()
    assert agreement.status == "proposed"


def test_partners_cannot_annotate_as_clinicians(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    with pytest.raises(ActionError):
        actions.annotate_agreement(partner_b, agreement, text="hm")


def test_nobody_edits_a_version(agreement):
    version = AgreementVersion.objects.get(agreement=agreement, number=1)
    version.text = "Something else"
    with pytest.raises(TypeError):
        version.save()
    with pytest.raises(TypeError):
        AgreementVersion.objects.filter(pk=version.pk).update(text="Something else")
    assert AgreementVersion.objects.get(pk=version.pk).text == PHONE_TEXT


def test_two_amendments_on_the_same_version_exactly_one_wins(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    stale_copy = Agreement.objects.get(pk=agreement.pk)
    actions.amend_agreement(
        partner_b, agreement, based_on=1, title="Phones", text="B's wording: face up after 7."
    )
    with pytest.raises(actions.AgreementConflict) as excinfo:
        actions.amend_agreement(
            partner_a, stale_copy, based_on=1, title="Phones", text="A's wording: face up always."
        )
    assert excinfo.value.newer.text == "B's wording: face up after 7."
    assert "newer version" in excinfo.value.message
    texts = list(AgreementVersion.objects.order_by("number").values_list("text", flat=True))
    assert texts == [PHONE_TEXT, "B's wording: face up after 7."]
    # Nothing lost: A can now propose the same wording on top of B's version.
    actions.amend_agreement(
        partner_a, stale_copy, based_on=2, title="Phones", text="A's wording: face up always."
    )
    assert AgreementVersion.objects.count() == 3


def test_accepting_a_version_that_was_replaced_is_a_conflict(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    actions.amend_agreement(partner_a, agreement, based_on=1, title="Phones", text="Newer.")
    with pytest.raises(actions.AgreementConflict) as excinfo:
        actions.accept_version(partner_b, agreement, version_number=1)
    assert excinfo.value.newer.number == 2
    agreement.refresh_from_db()
    assert agreement.status == "proposed"


def test_the_same_amendment_twice_is_saved_once(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    for _ in range(2):
        actions.amend_agreement(partner_b, agreement, based_on=1, title="P", text="Same text.")
    assert AgreementVersion.objects.count() == 2


def test_double_proposal_with_the_same_form_key_is_one_agreement(partner_a, partner_b, case):
    propose(partner_a, case, creation_key="k1")
    propose(partner_a, case, creation_key="k1")
    assert Agreement.objects.count() == 1


def test_bad_proposals_save_nothing(partner_a, partner_b, case):
    for kwargs, field in [
        ({"category": "nope"}, "category"),
        ({"title": ""}, "title"),
        ({"text": " "}, "text"),
        ({"text": "x" * 5000}, "text"),
        ({"review_on": TODAY() - timedelta(days=1)}, "review_on"),
    ]:
        with pytest.raises(ActionError) as excinfo:
            propose(partner_a, case, **kwargs)
        assert excinfo.value.field == field
    assert not Agreement.objects.exists() and not AgreementVersion.objects.exists()


def test_renegotiation_keeps_the_agreement_in_force(agreement, partner_a, partner_b):
    agreement = actions.request_renegotiation(partner_b, agreement)
    assert agreement.renegotiation_requested_by == partner_b
    assert agreement.status == "active"
    agreement = actions.amend_agreement(
        partner_b, agreement, based_on=1, title="Phones", text="Face up, except work calls."
    )
    assert agreement.status == "proposed" and agreement.active_version.number == 1
    agreement = actions.accept_version(partner_a, agreement, version_number=2)
    assert agreement.active_version.number == 2
    assert agreement.renegotiation_requested_at is None


def test_an_individual_case_holds_personal_commitments_without_a_partner(practice, clinician):
    solo = Case.objects.create(practice=practice, label="Cam", track="individual", status="active")
    solo.clinicians.add(clinician)
    cam = make_user("cam@example.org", "Cam")
    CaseMember.objects.create(case=solo, user=cam, role="partner_a")
    with pytest.raises(ActionError):
        propose(cam, solo)
    commitment = actions.make_commitment(
        cam, solo, action="A walk before answering hard messages", schedule="each_time"
    )
    occurrence = actions.record_occurrence(
        cam, commitment, due_on=TODAY(), outcome="kept", submission_key="s1"
    )
    assert occurrence.scheduled is False
    actions.record_occurrence(cam, commitment, due_on=TODAY(), outcome="kept", submission_key="s1")
    actions.record_occurrence(cam, commitment, due_on=TODAY(), outcome="missed")
    assert Occurrence.objects.count() == 2


# --- commitments and occurrences -------------------------------------------------------------


def test_only_the_committer_records_their_own_occurrences(commitment, partner_b, clinician):
    for person in (partner_b, clinician):
        with pytest.raises(ActionError):
            actions.record_occurrence(person, commitment, due_on=TODAY(), outcome="kept")
    assert not Occurrence.objects.exists()


def test_a_day_is_recorded_once_and_corrected_until_confirmed(commitment, partner_a, partner_b):
    day = TODAY() - timedelta(days=1)
    first = actions.record_occurrence(partner_a, commitment, due_on=day, outcome="missed")
    again = actions.record_occurrence(partner_a, commitment, due_on=day, outcome="missed")
    assert first.pk == again.pk
    corrected = actions.record_occurrence(
        partner_a, commitment, due_on=day, outcome="kept", change=True
    )
    assert corrected.pk == first.pk and corrected.outcome == "kept"
    actions.answer_occurrence(partner_b, corrected, verdict="confirmed")
    with pytest.raises(ActionError):
        actions.record_occurrence(partner_a, commitment, due_on=day, outcome="missed", change=True)
    assert Occurrence.objects.get().outcome == "kept"


def test_recording_a_day_again_differently_is_refused_unless_asked_as_a_change(
    commitment, partner_a
):
    day = TODAY() - timedelta(days=1)
    actions.record_occurrence(partner_a, commitment, due_on=day, outcome="kept", note="On time.")
    with pytest.raises(actions.AlreadyRecorded) as excinfo:
        actions.record_occurrence(partner_a, commitment, due_on=day, outcome="missed")
    assert excinfo.value.field == "change" and excinfo.value.status_code == 409
    assert "already recorded" in excinfo.value.message and "as kept" in excinfo.value.message
    with pytest.raises(actions.AlreadyRecorded):
        actions.record_occurrence(partner_a, commitment, due_on=day, outcome="kept", note="Late.")
    # The same outcome again, with or without its note, is a repeat: nothing changes.
    for note in ("On time.", ""):
        actions.record_occurrence(partner_a, commitment, due_on=day, outcome="kept", note=note)
    assert Occurrence.objects.get().note == "On time."
    assert not AuditEvent.objects.filter(action="retrust.occurrence.corrected").exists()
    actions.record_occurrence(partner_a, commitment, due_on=day, outcome="missed", change=True)
    assert Occurrence.objects.get().outcome == "missed"
    corrected = AuditEvent.objects.get(action="retrust.occurrence.corrected")
    assert corrected.details == {"old": "kept", "new": "missed"}


def test_occurrences_must_be_due_and_not_in_the_future(commitment, partner_a):
    with pytest.raises(ActionError) as excinfo:
        actions.record_occurrence(
            partner_a, commitment, due_on=TODAY() + timedelta(days=1), outcome="kept"
        )
    assert excinfo.value.field == "due_on"
    with pytest.raises(ActionError):
        actions.record_occurrence(
            partner_a, commitment, due_on=TODAY() - timedelta(days=60), outcome="kept"
        )
    with pytest.raises(ActionError) as excinfo:
        actions.record_occurrence(partner_a, commitment, due_on=TODAY(), outcome="maybe")
    assert excinfo.value.field == "outcome"
    assert not Occurrence.objects.exists()


def test_confirm_and_dispute(commitment, partner_a, partner_b):
    kept = actions.record_occurrence(partner_a, commitment, due_on=TODAY(), outcome="kept")
    with pytest.raises(ActionError):
        actions.answer_occurrence(partner_a, kept, verdict="confirmed")
    with pytest.raises(ActionError) as excinfo:
        actions.answer_occurrence(partner_b, kept, verdict="disputed")
    assert excinfo.value.field == "note"
    actions.answer_occurrence(partner_b, kept, verdict="disputed", note="I had no text that day.")
    actions.answer_occurrence(partner_b, kept, verdict="disputed", note="I had no text that day.")
    assert Confirmation.objects.get().verdict == "disputed"
    with pytest.raises(ActionError):
        actions.answer_occurrence(partner_b, kept, verdict="confirmed")


def test_weekday_commitments_need_weekdays(partner_a, case):
    with pytest.raises(ActionError) as excinfo:
        actions.make_commitment(partner_a, case, action="Date night", schedule="weekdays")
    assert excinfo.value.field == "weekdays"
    commitment = actions.make_commitment(
        partner_a, case, action="Date night", schedule="weekdays", weekdays="4,5"
    )
    assert commitment.weekdays == "4,5"


# --- breaches --------------------------------------------------------------------------------


def test_repeated_breaches_raise_one_alert(agreement, partner_a, partner_b, case):
    rules = AgreementSettings.for_practice(case.practice)
    assert (rules.breach_threshold, rules.breach_period_days) == (3, 30)
    for i in range(2):
        actions.report_breach(
            partner_a, agreement, what_happened=f"Phone face down {i}", happened_on=TODAY()
        )
    assert not Alert.objects.exists()
    actions.report_breach(partner_b, agreement, what_happened="Again", happened_on=TODAY())
    actions.report_breach(partner_b, agreement, what_happened="And again", happened_on=TODAY())
    alert = Alert.objects.get()
    assert alert.source == "repeated_breaches"
    assert "clarity conversation" in alert.summary


def test_old_breaches_fall_out_of_the_period(agreement, partner_a, case):
    for days in (40, 35, 1):
        actions.report_breach(
            partner_a, agreement, what_happened="x", happened_on=TODAY() - timedelta(days=days)
        )
    assert not Alert.objects.exists()


def test_responding_to_a_breach(agreement, partner_a, partner_b):
    report = actions.report_breach(
        partner_a, agreement, what_happened="Phone face down at dinner", happened_on=TODAY()
    )
    with pytest.raises(ActionError):
        actions.respond_to_breach(partner_a, report, response="responsibility")
    with pytest.raises(ActionError) as excinfo:
        actions.respond_to_breach(partner_b, report, response="view")
    assert excinfo.value.field == "text"
    actions.respond_to_breach(partner_b, report, response="responsibility", text="You're right.")
    actions.respond_to_breach(partner_b, report, response="responsibility", text="You're right.")
    report = BreachReport.objects.get()
    assert report.response == "responsibility" and report.responded_by == partner_b


def test_breaches_only_on_agreements_both_accepted(partner_a, partner_b, case):
    agreement = propose(partner_a, case)
    with pytest.raises(ActionError):
        actions.report_breach(partner_b, agreement, what_happened="x", happened_on=TODAY())
    assert not BreachReport.objects.exists()


def test_double_submitted_breach_is_one_report(agreement, partner_a):
    for _ in range(2):
        actions.report_breach(
            partner_a, agreement, what_happened="x", happened_on=TODAY(), submission_key="b1"
        )
    assert BreachReport.objects.count() == 1


def test_admin_sets_the_breach_rule(admin, clinician, practice):
    with pytest.raises(ActionError):
        actions.update_agreement_settings(
            clinician, practice, breach_threshold=2, breach_period_days=14
        )
    with pytest.raises(ActionError) as excinfo:
        actions.update_agreement_settings(
            admin, practice, breach_threshold=0, breach_period_days=14
        )
    assert excinfo.value.field == "breach_threshold"
    actions.update_agreement_settings(admin, practice, breach_threshold=2, breach_period_days=14)
    rules = AgreementSettings.for_practice(practice)
    assert (rules.breach_threshold, rules.breach_period_days) == (2, 14)


def test_stopping_a_commitment_keeps_its_record(commitment, partner_a, partner_b):
    actions.record_occurrence(partner_a, commitment, due_on=TODAY(), outcome="kept")
    with pytest.raises(ActionError):
        actions.end_commitment(partner_b, commitment, confirm=True)
    with pytest.raises(ActionError) as excinfo:
        actions.end_commitment(partner_a, commitment, confirm=False)
    assert excinfo.value.field == "confirm"
    commitment.refresh_from_db()
    assert commitment.ended_at is None
    actions.end_commitment(partner_a, commitment, confirm=True)
    actions.end_commitment(partner_a, commitment, confirm=True)
    commitment.refresh_from_db()
    assert commitment.ended_at is not None
    assert Occurrence.objects.count() == 1
    with pytest.raises(ActionError):
        actions.record_occurrence(
            partner_a, commitment, due_on=TODAY() - timedelta(days=1), outcome="kept"
        )
    assert AuditEvent.objects.filter(action="retrust.commitment.ended").count() == 1
