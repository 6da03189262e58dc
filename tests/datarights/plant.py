"""Records of both partners in every app, each with a marker that must (or must not) appear.

``A-…`` markers are partner_a's own words; ``B-…`` markers are partner_b's (the other partner's)
and never appear in partner_a's copy; ``SAFETY-…`` markers never appear in anyone's copy.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from retrust.agreements.models import (
    Agreement,
    AgreementVersion,
    BreachReport,
    Commitment,
    Confirmation,
    Consent,
    Occurrence,
)
from retrust.assessments.models import MeasureResponse, MeasureSchedule, TotalsConsent
from retrust.clinic.models import SessionNote
from retrust.conversations.models import (
    Conversation,
    HurtfulMomentReview,
    ReviewAnswer,
    TriggerEntry,
    Turn,
)
from retrust.core.models import JournalEntry
from retrust.frontdoor.models import ConsultationRequest
from retrust.notifications.models import Notification, Preference
from retrust.program.models import AppreciationNote, Assignment, ExerciseResponse, TrustGoal
from retrust.safety.models import Alert, IndividualSession, SafetyScreen

A_OWN = [
    "A-PRIVATE-JOURNAL",
    "A-CLINICIAN-JOURNAL",
    "A-COUPLE-JOURNAL",
    "A-AGREEMENT-TEXT",
    "A-TURN",
    "A-REVIEW-FELT",
    "A-TRIGGER",
    "A-HOMEWORK",
    "A-GOAL",
    "A-HOPES",
    "2030-01-02T09:00:00+00:00",  # a time Ari picked for a first conversation
]
B_WORDS = [
    "B-PRIVATE-JOURNAL",
    "B-COUPLE-JOURNAL",
    "B-AGREEMENT-TITLE",
    "B-AGREEMENT-TEXT",
    "B-CONSENT-REASON",
    "B-COMMITMENT",
    "B-OCCURRENCE-NOTE",
    "B-BREACH",
    "B-TOPIC",
    "B-TURN",
    "B-REVIEW-FELT",
    "B-TRIGGER",
    "B-HOMEWORK",
    "B-GOAL",
    "B-APPRECIATION",
    "B-MEASURE-TEXT",
]
SAFETY = ["SAFETY-A-ANSWER", "SAFETY-B-ANSWER", "SAFETY-ALERT-SUMMARY"]


def measure(case: Any, author: Any, schedule: Any, **extra: Any) -> MeasureResponse:
    fields: dict[str, Any] = {
        "case": case,
        "author": author,
        "visibility": "clinician",
        "schedule": schedule,
        "instrument_id": "phq-9",
        "instrument_version": "1.0.0",
        "round_key": 0,
        "due_on": date.today(),
        "status": "submitted",
        "answers": {f"phq9-{i}": 1 for i in range(1, 10)},
        "scores": {"total": {"score": 9, "complete": True, "band": "Mild"}},
        "total": 9,
        "band": "Mild",
        "submitted_at": timezone.now(),
    }
    fields.update(extra)
    return MeasureResponse.objects.create(**fields)


def plant(case: Any, a: Any, b: Any, clinician: Any) -> dict[str, Any]:
    now = timezone.now()
    made: dict[str, Any] = {}
    for author, visibility, body in [
        (a, "private", "A-PRIVATE-JOURNAL"),
        (a, "clinician", "A-CLINICIAN-JOURNAL"),
        (a, "couple", "A-COUPLE-JOURNAL"),
        (b, "private", "B-PRIVATE-JOURNAL"),
        (b, "couple", "B-COUPLE-JOURNAL"),
    ]:
        JournalEntry.objects.create(case=case, author=author, visibility=visibility, body=body)

    # An agreement B proposed and A accepted; one A proposed.
    theirs = Agreement.objects.create(case=case, author=b, visibility="couple", category="other")
    v1 = AgreementVersion.objects.create(
        agreement=theirs,
        number=1,
        title="B-AGREEMENT-TITLE",
        text="B-AGREEMENT-TEXT",
        proposed_by=b,
    )
    Consent.objects.create(version=v1, partner=b, decision="accepted", reason="B-CONSENT-REASON")
    Consent.objects.create(version=v1, partner=a, decision="accepted")
    theirs.status = "active"
    theirs.active_version = v1
    theirs.save()
    mine = Agreement.objects.create(case=case, author=a, visibility="couple", category="money")
    AgreementVersion.objects.create(
        agreement=mine, number=1, title="Our budget", text="A-AGREEMENT-TEXT", proposed_by=a
    )
    made["their_agreement"] = theirs
    commitment = Commitment.objects.create(
        case=case,
        author=b,
        visibility="couple",
        agreement=theirs,
        action="B-COMMITMENT",
        schedule="daily",
        starts_on=date.today() - timedelta(days=3),
    )
    occurrence = Occurrence.objects.create(
        case=case,
        author=b,
        visibility="couple",
        commitment=commitment,
        due_on=date.today() - timedelta(days=1),
        outcome="kept",
        note="B-OCCURRENCE-NOTE",
    )
    Confirmation.objects.create(occurrence=occurrence, partner=a, verdict="confirmed")
    made["a_commitment"] = Commitment.objects.create(
        case=case,
        author=a,
        visibility="couple",
        action="Call at lunch",
        schedule="daily",
        starts_on=date.today(),
    )
    BreachReport.objects.create(
        case=case,
        author=b,
        visibility="couple",
        agreement=theirs,
        what_happened="B-BREACH",
        happened_on=date.today(),
    )

    conversation = Conversation.objects.create(
        case=case, author=b, visibility="couple", topic="B-TOPIC", speaker=b, listener=a
    )
    Turn.objects.create(
        case=case, author=b, visibility="couple", conversation=conversation, seq=1,
        kind="statement", body="B-TURN",
    )  # fmt: skip
    Turn.objects.create(
        case=case, author=a, visibility="couple", conversation=conversation, seq=2,
        kind="summary", body="A-TURN",
    )  # fmt: skip
    made["conversation"] = conversation
    review = HurtfulMomentReview.objects.create(
        case=case, author=b, visibility="couple", title="A hard evening", revealed_at=now
    )
    ReviewAnswer.objects.create(
        case=case, author=b, visibility="couple", review=review, felt="B-REVIEW-FELT", done_at=now
    )
    ReviewAnswer.objects.create(
        case=case, author=a, visibility="clinician", review=review, felt="A-REVIEW-FELT",
        done_at=now,
    )  # fmt: skip
    TriggerEntry.objects.create(
        case=case, author=a, visibility="private", what_happened="A-TRIGGER", intensity=4
    )
    TriggerEntry.objects.create(
        case=case, author=b, visibility="clinician", what_happened="B-TRIGGER", intensity=6
    )

    homework = Assignment.objects.create(
        case=case,
        exercise_id="x",
        title="Three appreciations",
        maximum_visibility="couple",
        due_on=date.today(),
    )
    ExerciseResponse.objects.create(
        case=case, author=a, visibility="couple", assignment=homework,
        answers={"one": "A-HOMEWORK"}, submitted_at=now,
    )  # fmt: skip
    ExerciseResponse.objects.create(
        case=case, author=b, visibility="couple", assignment=homework,
        answers={"one": "B-HOMEWORK"}, submitted_at=now,
    )  # fmt: skip
    draft_homework = Assignment.objects.create(
        case=case,
        exercise_id="y",
        title="A letter",
        maximum_visibility="couple",
        due_on=date.today() + timedelta(days=3),
    )
    ExerciseResponse.objects.create(
        case=case, author=a, visibility="private", assignment=draft_homework,
        answers={"one": "A-HOMEWORK-DRAFT"},
    )  # fmt: skip
    TrustGoal.objects.create(case=case, author=a, visibility="clinician", body="A-GOAL")
    TrustGoal.objects.create(case=case, author=b, visibility="couple", body="B-GOAL")
    AppreciationNote.objects.create(
        case=case, author=b, visibility="couple", milestone_key="first", body="B-APPRECIATION"
    )

    schedule = MeasureSchedule.objects.create(
        case=case, instrument_id="phq-9", kind="intake", starts_on=date.today()
    )
    made["a_response"] = measure(case, a, schedule)
    measure(case, a, schedule, status="draft", submitted_at=None, round_key=1)
    measure(case, b, schedule, answers={"phq9-1": 2, "note": "B-MEASURE-TEXT"})
    TotalsConsent.objects.create(case=case, partner=a, instrument_id="csi-4", wording="I agree")

    SafetyScreen.objects.create(
        case=case, respondent=a, answers={"q1": "SAFETY-A-ANSWER"}, submission_key="sa"
    )
    SafetyScreen.objects.create(
        case=case, respondent=b, answers={"q1": "SAFETY-B-ANSWER"}, submission_key="sb"
    )
    Alert.objects.create(
        case=case,
        partner=a,
        priority="high",
        source="safety_screen",
        summary="SAFETY-ALERT-SUMMARY",
        dedupe_key=f"plant-{case.pk}",
    )
    IndividualSession.objects.create(case=case, partner=a, seen_on=date.today())
    SessionNote.objects.create(case=case, author=clinician, session_date=date.today(), data="NOTE")
    Notification.objects.create(recipient=a, kind="homework", subject="program.assignment:1")
    Preference.objects.create(user=a, channel="in_app")
    ConsultationRequest.objects.create(
        practice=case.practice,
        name="Ari",
        contact_method="email",
        contact=a.email,
        leave_message="yes",
        hopes="A-HOPES",
        preferred_slots=["2030-01-02T09:00:00+00:00"],
        submission_key="k1",
        sender="s",
    )
    return made
