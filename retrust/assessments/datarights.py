"""Measures in a person's export (JSON and a FHIR R4B Bundle) and when they leave.

A person's copy holds their own answers and totals only, never the other partner's (not even
totals revealed together). When they leave, drafts go and their sharing choices are withdrawn
(nothing of theirs reaches the other partner any more); submitted responses and the record of
their sharing choices are held with the clinical record for the retention period.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient

from retrust.assessments import fhir, registry
from retrust.assessments.models import MeasureResponse, ResponseStatus, TotalsConsent
from retrust.core.datarights import Counts, Exporter, Leaving, Sections, Shredder, when
from retrust.core.models import CaseMember

PATIENT_ID = "me"
DRAFT = Q(status=ResponseStatus.DRAFT)


def _submitted(user: Any) -> Any:
    return (
        MeasureResponse.objects.filter(author=user)
        .exclude(status=ResponseStatus.DRAFT)
        .order_by("submitted_at", "id")
    )


def export(user: Any) -> Sections:
    responses = []
    for response in MeasureResponse.objects.filter(author=user).order_by("created_at", "id"):
        instrument = registry.get(response.instrument_id)
        responses.append(
            {
                "case": response.case_id,
                "questionnaire": instrument.title if instrument else response.instrument_id,
                "status": response.get_status_display(),
                "due": response.due_on.isoformat(),
                "sent": when(response.submitted_at),
                "answers": response.answers,
                "total": response.total,
                "band": response.band or None,
            }
        )
    consents = [
        {
            "case": c.case_id,
            "questionnaire": c.instrument_id,
            "you_agreed_to": c.wording,
            "agreed": when(c.agreed_at),
            "withdrawn": when(c.withdrawn_at),
        }
        for c in TotalsConsent.objects.filter(partner=user).order_by("agreed_at", "id")
    ]
    return {"questionnaires": responses, "sharing_choices": consents}


def _with_patient(resource: Any) -> Any:
    data = resource.model_dump(mode="json", exclude_none=True)
    data["subject"] = {"reference": f"Patient/{PATIENT_ID}"}
    return type(resource).model_validate(data)


def person_bundle(user: Any) -> Bundle:
    """The person's own record as FHIR R4B: a Patient, the Questionnaires they answered, their
    QuestionnaireResponses and the score Observations derived from them (type ``collection``).
    Validated by ``fhir.resources`` on the way out."""
    roles = dict(CaseMember.objects.filter(user=user).values_list("case_id", "role"))
    patient_data: dict[str, Any] = {"resourceType": "Patient", "id": PATIENT_ID, "active": True}
    if user.display_name:
        patient_data["name"] = [{"text": user.display_name}]
    patient_data["telecom"] = [{"system": "email", "value": user.email}]
    entries: list[dict[str, Any]] = [
        {"fullUrl": f"{fhir.BASE}/Patient/{PATIENT_ID}", "resource": Patient(**patient_data)}
    ]
    responses = list(_submitted(user))
    for instrument_id in sorted({r.instrument_id for r in responses}):
        instrument = registry.get(instrument_id)
        if instrument is not None:
            entries.append(
                {"fullUrl": fhir.canonical(instrument), "resource": fhir.questionnaire(instrument)}
            )
    for response in responses:
        instrument = registry.get(response.instrument_id)
        if instrument is None:
            continue
        role = roles.get(response.case_id, "partner")
        qr = _with_patient(
            fhir.questionnaire_response(instrument, response, response.case_id, role)
        )
        entries.append({"fullUrl": f"{fhir.BASE}/QuestionnaireResponse/{qr.id}", "resource": qr})
        for observation in fhir.observations(instrument, response, response.case_id, role):
            found = _with_patient(observation)
            entries.append({"fullUrl": f"{fhir.BASE}/Observation/{found.id}", "resource": found})
    return Bundle.model_validate({"resourceType": "Bundle", "type": "collection", "entry": entries})


def plan(leaving: Leaving) -> Counts:
    user = leaving.user
    return {
        "questionnaire drafts": MeasureResponse.objects.filter(DRAFT, author=user).count(),
        "sharing choices withdrawn": TotalsConsent.objects.active().filter(partner=user).count(),
    }


def shred(leaving: Leaving) -> Counts:
    from django.utils import timezone

    user = leaving.user
    done = plan(leaving)
    MeasureResponse.objects.filter(DRAFT, author=user).delete()
    TotalsConsent.objects.active().filter(partner=user).update(withdrawn_at=timezone.now())
    return done


def held(leaving: Leaving) -> Counts:
    user = leaving.user
    return {
        "questionnaire responses": _submitted(user).count(),
        "sharing choices": TotalsConsent.objects.filter(partner=user).count(),
    }


def shred_held(leaving: Leaving) -> Counts:
    user = leaving.user
    done = held(leaving)
    responses = MeasureResponse.objects.filter(author=user)
    # A correction points at what it corrected (PROTECT): undo the links, then remove them all.
    responses.exclude(supersedes=None).update(supersedes=None)
    responses.delete()
    TotalsConsent.objects.filter(partner=user).delete()
    return done


EXPORTER = Exporter("assessments", export)
SHREDDER = Shredder("assessments", plan=plan, shred=shred, held=held, shred_held=shred_held)
