"""A case with something of every kind in it, including text that must never reach the couple.

Each planted line is unique, so a search of the PDF's text for it can only find that record.
"""

from __future__ import annotations

import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from retrust.agreements import actions as agreement_actions
from retrust.assessments import actions as measure_actions
from retrust.assessments import registry
from retrust.clinic import actions as clinic_actions
from retrust.core import actions as core_actions
from retrust.core.models import Case, User
from retrust.program import actions as program_actions
from retrust.safety import actions as safety_actions
from retrust.safety import screen

PHQ9_HIGH = {f"phq9-{i}": 2 for i in range(1, 10)} | {"phq9-9": 0, "phq9-1": 3}  # 17
CSI = {"csi4-1": 3, "csi4-2": 3, "csi4-3": 3, "csi4-4": 3}  # 12

SHARED_GOAL = "Evenings that feel calm again"
SHARED_TRUST = "Trust looks like plans we both keep, said out loud."
AGREEMENT_TITLE = "Phones face up in the evening"
AGREEMENT_TEXT = "We leave our phones face up on the kitchen table after dinner."
COMMITMENT = "Text when I will be more than 15 minutes late"
JOINT_HOMEWORK = "What trust would look like"

PRIVATE_JOURNAL = "PLANTED private journal line about the old apartment"
CLINICIAN_TRUST = "PLANTED clinician-only picture of trust with the lighthouse"
SESSION_NOTE = "PLANTED session note about the brother's wedding"
PRIVATE_ANSWER = "PLANTED private homework answer about the red bicycle"
SAFETY_QUESTION = screen.QUESTIONS[0].text
PHQ9_TITLE = "Patient Health Questionnaire"


@dataclass
class World:
    case: Case
    clinician: User
    partner_a: User
    partner_b: User
    b_only_homework: str


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as ``pdftotext`` reads it, with line breaks folded into spaces."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(  # noqa: S603 - our own file
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return " ".join(out.split())


def build_world(case: Case, clinician: User, partner_a: User, partner_b: User) -> World:
    today = timezone.localdate()
    # Measures: PHQ-9 (individual, never shared) and CSI-4 (shared by both, by consent).
    phq9, _ = measure_actions.schedule_measure(
        clinician, case, instrument_id="phq-9", kind="intake", starts_on=today
    )
    csi, _ = measure_actions.schedule_measure(
        clinician, case, instrument_id="csi-4", kind="intake", starts_on=today
    )
    measure_actions.submit_response(partner_a, phq9, PHQ9_HIGH)
    measure_actions.submit_response(partner_a, csi, CSI)
    measure_actions.submit_response(partner_b, csi, CSI | {"csi4-1": 5})
    instrument = registry.get("csi-4")
    assert instrument is not None
    for partner in (partner_a, partner_b):
        measure_actions.set_totals_consent(
            partner,
            case,
            "csi-4",
            share=True,
            wording=measure_actions.consent_wording_for(partner, case, instrument),
        )
    # Goals: the case's, one trust picture for both, one for the clinician only.
    program_actions.add_case_goal(
        clinician, case, title=SHARED_GOAL, how_noticed="Fewer late-night arguments", review_on=None
    )
    program_actions.write_trust_goal(partner_a, case, body=SHARED_TRUST, visibility="couple")
    program_actions.write_trust_goal(partner_b, case, body=CLINICIAN_TRUST, visibility="clinician")
    # Homework: one for both (B's answer private), one for B alone.
    due = today + timedelta(days=7)
    joint = program_actions.assign_homework(
        clinician, case, exercise_id="what-trust-looks-like", due_on=due
    )
    answers = {"ordinary_day": "Breakfast", "small_sign": "Phone face up", "hope": "Home"}
    program_actions.submit_response(partner_a, joint, answers=answers, visibility="couple")
    program_actions.submit_response(
        partner_b, joint, answers={**answers, "hope": PRIVATE_ANSWER}, visibility="private"
    )
    b_only = program_actions.assign_homework(
        clinician, case, exercise_id="telling-the-hurt", due_on=due, for_role="partner_b"
    )
    # An agreement both accepted, a commitment with a few recorded days.
    agreement = agreement_actions.propose_agreement(
        partner_a, case, category="transparency", title=AGREEMENT_TITLE, text=AGREEMENT_TEXT
    )
    agreement = agreement_actions.accept_version(partner_b, agreement, version_number=1)
    commitment = agreement_actions.make_commitment(
        partner_a,
        case,
        action=COMMITMENT,
        schedule="daily",
        starts_on=today - timedelta(days=10),
        agreement=agreement,
    )
    for days_ago in range(1, 8):
        agreement_actions.record_occurrence(
            partner_a,
            commitment,
            due_on=today - timedelta(days=days_ago),
            outcome="kept" if days_ago % 3 else "missed",
        )
    # What the couple must never read: a private journal line, a session note, a safety answer.
    core_actions.write_journal_entry(partner_a, case, body=PRIVATE_JOURNAL, visibility="private")
    clinic_actions.save_note(
        clinician,
        case,
        note=None,
        session_date=today,
        data=SESSION_NOTE,
        assessment="Steady",
        plan="Continue",
    )
    safety_actions.submit_screen(
        partner_b,
        case,
        {q.id: screen.NO for q in screen.QUESTIONS},
        key=uuid.uuid4().hex,
    )
    return World(case, clinician, partner_a, partner_b, b_only.title)


@pytest.fixture
def world(case: Case, clinician: User, partner_a: User, partner_b: User) -> World:
    return build_world(case, clinician, partner_a, partner_b)


def run_everything_queued() -> None:
    from tests.support.mail import run_queued_tasks

    run_queued_tasks()


__all__ = ["Any", "World", "build_world", "pdf_text", "run_everything_queued"]
