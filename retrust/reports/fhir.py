"""A closed case as one FHIR R4B Bundle, for the practice's own records.

Patient for each partner, an Encounter per attended session (when an app records sessions),
the instruments as Questionnaires, every sent response as a QuestionnaireResponse with its
score Observations (``assessments.fhir`` builds those), and a CarePlan holding the case's goals.
The whole Bundle is validated by the ``fhir.resources`` R4B models on the way out.

Who may take it: the case's clinician, and the admin of its practice, once the case is closed
(``closed_case_for_export``); every export is audited. Partners are named in it (it is the
practice's record of care), never with an email address.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404
from fhir.resources.R4B.bundle import Bundle

from retrust.assessments import fhir as measure_fhir
from retrust.assessments import registry
from retrust.assessments.models import MeasureResponse, ResponseStatus
from retrust.core import audit, policy
from retrust.core.models import Case, CaseMember, CaseStatus, ClinicianMembership, PracticeRole
from retrust.program.models import CaseGoal, GoalStatus

BASE = measure_fhir.BASE

# CarePlan.activity goal status in FHIR's words, from the goal's status in ours.
GOAL_STATUS = {
    GoalStatus.OPEN: "in-progress",
    GoalStatus.PROGRESSING: "in-progress",
    GoalStatus.REACHED: "completed",
    GoalStatus.SET_ASIDE: "on-hold",
}


def closed_case_for_export(user: Any, case_id: Any) -> Case:
    """The closed case this person may export: its clinician or its practice's admin; else 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such case.")
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise Http404("No such case.") from None
    admin_of = ClinicianMembership.objects.filter(user=user, role=PracticeRole.ADMIN).values(
        "practice_id"
    )
    case = (
        Case.objects.select_related("practice")
        .filter(Q(pk__in=policy.clinician_case_ids(user)) | Q(practice_id__in=admin_of), pk=pk)
        .first()
    )
    if case is None or case.status != CaseStatus.CLOSED:
        raise Http404("No such case.")
    return case


def patient_id(case_id: int, role: str) -> str:
    return f"case-{case_id}-{role.replace('_', '-')}"


def _patient(case_id: int, member: CaseMember) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": patient_id(case_id, member.role),
        "identifier": [
            {"system": measure_fhir.MEMBER_SYSTEM, "value": f"case-{case_id}-{member.role}"}
        ],
        "name": [{"text": member.user.name}],
    }


def _about(resource: dict[str, Any], case_id: int, role: str) -> dict[str, Any]:
    resource["subject"] = {
        "reference": f"Patient/{patient_id(case_id, role)}",
        "display": f"{role.replace('_', ' ')} of case {case_id}",
    }
    return resource


def _encounters(user: Any, case: Case, members: list[CaseMember]) -> list[dict[str, Any]]:
    """One finished Encounter per attended session."""
    from retrust.reports.content import attended_sessions

    if not members:
        return []
    # The export reads the case as its clinician would, under the exporter's own name (what
    # it reads is audited as theirs); ``closed_case_for_export`` has already let them in.
    access = policy.CaseAccess(user=user, case=case, member=None, is_clinician=True)
    return [
        {
            "resourceType": "Encounter",
            "id": f"session-{session.id}",
            "status": "finished",
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB",
                "display": "ambulatory",
            },
            "type": [{"text": session.label}],
            "subject": {"reference": f"Patient/{patient_id(case.pk, members[0].role)}"},
            "participant": [
                {"individual": {"display": f"{m.role.replace('_', ' ')} of case {case.pk}"}}
                for m in members
            ],
            "period": {"start": session.starts_at.isoformat()},
        }
        for session in attended_sessions(access)
    ]


def _care_plan(case: Case, members: list[CaseMember], goals: list[CaseGoal]) -> dict[str, Any]:
    return {
        "resourceType": "CarePlan",
        "id": f"case-{case.pk}-goals",
        "status": "completed",
        "intent": "plan",
        "title": "Goals agreed in couples work",
        "subject": {"reference": f"Patient/{patient_id(case.pk, members[0].role)}"},
        "created": case.created_at.isoformat(),
        "activity": [
            {
                "detail": {
                    "status": GOAL_STATUS.get(goal.status, "unknown"),
                    "description": goal.title,
                    **({"scheduledString": f"review {goal.review_on}"} if goal.review_on else {}),
                },
                "progress": [{"text": f"{goal.get_status_display()}. {goal.how_noticed}"}],
            }
            for goal in goals
        ],
    }


def case_bundle(user: Any, case: Case) -> Bundle:
    members = list(CaseMember.objects.filter(case=case).select_related("user").order_by("role"))
    roles = {m.user_id: m.role for m in members}
    responses = list(
        MeasureResponse.objects.filter(
            case=case, status__in=[ResponseStatus.SUBMITTED, ResponseStatus.SUPERSEDED]
        ).order_by("submitted_at", "id")
    )
    goals = list(CaseGoal.objects.filter(case=case).order_by("created_at", "id"))
    entries: list[dict[str, Any]] = []

    def add(kind: str, resource: dict[str, Any]) -> None:
        entries.append({"fullUrl": f"{BASE}/{kind}/{resource['id']}", "resource": resource})

    for member in members:
        add("Patient", _patient(case.pk, member))
    for encounter in _encounters(user, case, members):
        add("Encounter", encounter)
    for instrument_id in sorted({r.instrument_id for r in responses}):
        instrument = registry.get(instrument_id)
        if instrument is not None:
            entries.append(
                {
                    "fullUrl": measure_fhir.canonical(instrument),
                    "resource": measure_fhir.questionnaire(instrument).model_dump(
                        mode="json", exclude_none=True
                    ),
                }
            )
    for response in responses:
        instrument = registry.get(response.instrument_id)
        role = roles.get(response.author_id)
        if instrument is None or role is None:
            continue
        qr = measure_fhir.questionnaire_response(instrument, response, case.pk, role)
        add(
            "QuestionnaireResponse",
            _about(qr.model_dump(mode="json", exclude_none=True), case.pk, role),
        )
        for observation in measure_fhir.observations(instrument, response, case.pk, role):
            add(
                "Observation",
                _about(observation.model_dump(mode="json", exclude_none=True), case.pk, role),
            )
    if goals and members:
        add("CarePlan", _care_plan(case, members, goals))
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": f"case-{case.pk}",
            "type": "collection",
            "entry": entries,
        }
    )


def export(user: Any, case: Case) -> str:
    """The Bundle as JSON, with the export audited under the person who took it."""
    bundle = case_bundle(user, case)
    kinds: dict[str, int] = {}
    for entry in bundle.entry or []:
        name = entry.resource.get_resource_type()
        kinds[name] = kinds.get(name, 0) + 1
    audit.record(
        user,
        "retrust.report.fhir.exported",
        case=case,
        details={"resources": kinds},
    )
    return bundle.model_dump_json(indent=2, exclude_none=True)
