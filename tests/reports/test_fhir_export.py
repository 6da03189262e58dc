"""A closed case as one FHIR R4B Bundle, validated by fhir.resources, audited when taken."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fhir.resources.R4B.bundle import Bundle

from retrust.core import policy
from retrust.core.models import AuditEvent, CaseStatus
from retrust.reports import content, fhir
from retrust.sessions.models import Appointment, Kind, Status
from tests.conftest import signed_in_client
from tests.reports.conftest import SHARED_GOAL, World


def close(world: World) -> None:
    type(world.case).objects.filter(pk=world.case.pk).update(status=CaseStatus.CLOSED)
    world.case.refresh_from_db()


def test_the_clinician_takes_a_closed_case_as_one_valid_bundle(world: World) -> None:
    close(world)
    response = signed_in_client(world.clinician).get(f"/cases/{world.case.pk}/export/fhir/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate(json.loads(response.content))  # valid R4B on the way in too
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds.count("Patient") == 2
    assert kinds.count("QuestionnaireResponse") == 3  # PHQ-9 and two CSI-4
    assert kinds.count("Observation") >= 3
    assert kinds.count("CarePlan") == 1
    assert "Encounter" not in kinds  # no app records sessions yet
    patients = {e.resource.id for e in bundle.entry if e.resource.get_resource_type() == "Patient"}
    for entry in bundle.entry:
        if entry.resource.get_resource_type() in ("QuestionnaireResponse", "Observation"):
            assert entry.resource.subject.reference.removeprefix("Patient/") in patients
    plan = next(e.resource for e in bundle.entry if e.resource.get_resource_type() == "CarePlan")
    assert plan.activity[0].detail.description == SHARED_GOAL
    # Names, never email addresses.
    text = response.content.decode()
    assert world.partner_a.name in text and world.partner_a.email not in text
    exported = AuditEvent.objects.get(action="retrust.report.fhir.exported")
    assert exported.actor == world.clinician
    assert exported.details["resources"]["Patient"] == 2


def test_the_practice_admin_may_take_it_too(world: World, admin: object) -> None:
    close(world)
    response = signed_in_client(admin).get(f"/cases/{world.case.pk}/export/fhir/")  # type: ignore[arg-type]
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="retrust.report.fhir.exported", actor=admin).exists()
    page = signed_in_client(admin).get("/practice/exports/").content.decode()  # type: ignore[arg-type]
    assert f"/cases/{world.case.pk}/export/fhir/" in page


def test_a_case_still_open_cannot_be_exported(world: World) -> None:
    response = signed_in_client(world.clinician).get(f"/cases/{world.case.pk}/export/fhir/")
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="retrust.report.fhir.exported").exists()


def attended(world: World, kind: str, day: int, *people: object) -> Appointment:
    appointment = Appointment.objects.create(
        case=world.case,
        clinician=world.clinician,
        kind=kind,
        start=datetime(2026, 11, day, 17, 0, tzinfo=UTC),
        status=Status.ATTENDED,
    )
    appointment.participants.set([world.clinician, *people])
    return appointment


def test_attended_sessions_become_encounters(world: World) -> None:
    attended(world, Kind.CONJOINT, 3, world.partner_a, world.partner_b)
    attended(world, Kind.INDIVIDUAL, 5, world.partner_a)
    close(world)
    bundle = fhir.case_bundle(world.clinician, world.case)
    encounters = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Encounter"]
    assert len(encounters) == 2
    assert {e.status for e in encounters} == {"finished"}
    assert {e.type[0].text for e in encounters} == {
        "Together (both partners)",
        "One partner on their own",
    }


def test_the_couples_report_lists_only_the_sessions_both_attended(world: World) -> None:
    attended(world, Kind.CONJOINT, 3, world.partner_a, world.partner_b)
    attended(world, Kind.INDIVIDUAL, 5, world.partner_a)
    couple = content.report_context(policy.case_access(world.partner_b, world.case.pk), "couple")
    clinician = content.report_context(
        policy.case_access(world.clinician, world.case.pk), "clinician"
    )
    assert [s.label for s in couple["sessions"]] == ["Together (both partners)"]
    assert len(clinician["sessions"]) == 2
