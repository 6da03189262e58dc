"""FHIR R4B export: instruments as Questionnaires, responses as QuestionnaireResponses, scores
as Observations ``derivedFrom`` their response. Every resource is validated by the
``fhir.resources`` R4B models on the way out.

Partners appear only as "partner_a / partner_b of case N" identifiers: no names or emails leave
in an export. Scores carry their LOINC code where one exists (PHQ-9 44261-6, GAD-7 70274-6),
otherwise a code from retrust's own code system.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from retrust.assessments import registry
from retrust.assessments.definitions import Instrument

BASE = "https://retrust.example.org/fhir"
LOINC = "http://loinc.org"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
SCORES_SYSTEM = f"{BASE}/CodeSystem/retrust-scores"
MEMBER_SYSTEM = f"{BASE}/NamingSystem/case-member"


def answers_system(instrument: Instrument) -> str:
    return f"{BASE}/CodeSystem/{instrument.id}-answers"


def canonical(instrument: Instrument) -> str:
    return f"{BASE}/Questionnaire/{instrument.id}"


def _name(instrument: Instrument) -> str:
    return "".join(part.capitalize() for part in instrument.id.replace("-", " ").split())


def questionnaire(instrument: Instrument) -> Questionnaire:
    items = []
    for item in instrument.items:
        entry: dict[str, Any] = {
            "linkId": item.linkId,
            "text": item.text,
            "type": "text" if item.type == "text" else "choice",
            "required": item.required,
        }
        if item.type == "multi":
            entry["repeats"] = True
        if item.type != "text":
            entry["answerOption"] = [
                {
                    "valueCoding": {
                        "system": answers_system(instrument),
                        "code": str(option.value),
                        "display": option.label,
                    },
                    **(
                        {"extension": [{"url": ORDINAL, "valueDecimal": option.value}]}
                        if isinstance(option.value, int)
                        else {}
                    ),
                }
                for option in instrument.options_for(item.linkId)
            ]
        items.append(entry)
    data: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": instrument.id,
        "url": canonical(instrument),
        "version": instrument.version,
        "name": _name(instrument),
        "title": instrument.title,
        "status": "active",
        "copyright": instrument.licence,
        "description": instrument.citation,
        "item": items,
    }
    if instrument.loinc:
        data["code"] = [{"system": LOINC, "code": instrument.loinc}]
    return Questionnaire.model_validate(data)


def instrument_items_from(resource: Questionnaire) -> list[dict[str, Any]]:
    """Read a Questionnaire back into plain item data (for round-trip checks and imports)."""
    out = []
    for item in resource.item or []:
        options = []
        for option in item.answerOption or []:
            coding = option.valueCoding
            code = coding.code
            options.append((int(code) if code.lstrip("-").isdigit() else code, coding.display))
        kind = "text" if item.type == "text" else ("multi" if item.repeats else "choice")
        out.append({"linkId": item.linkId, "text": item.text, "type": kind, "options": options})
    return out


def _subject(case_id: int, role: str) -> dict[str, Any]:
    return {
        "identifier": {"system": MEMBER_SYSTEM, "value": f"case-{case_id}-{role}"},
        "display": f"{role.replace('_', ' ')} of case {case_id}",
    }


def questionnaire_response(
    instrument: Instrument, response: Any, case_id: int, role: str
) -> QuestionnaireResponse:
    items = []
    for item in instrument.items:
        value = response.answers.get(item.linkId)
        if value in (None, "", []):
            continue
        if item.type == "text":
            answer = [{"valueString": str(value)}]
        else:
            labels = {o.value: o.label for o in instrument.options_for(item.linkId)}
            chosen = value if isinstance(value, list) else [value]
            answer = [
                {
                    "valueCoding": {
                        "system": answers_system(instrument),
                        "code": str(v),
                        "display": labels.get(v, str(v)),
                    }
                }
                for v in chosen
            ]
        items.append({"linkId": item.linkId, "text": item.text, "answer": answer})
    status = "amended" if response.supersedes_id else "completed"
    return QuestionnaireResponse.model_validate(
        {
            "resourceType": "QuestionnaireResponse",
            "id": f"mr-{response.pk}",
            "questionnaire": f"{canonical(instrument)}|{response.instrument_version}",
            "status": status,
            "subject": _subject(case_id, role),
            "authored": response.submitted_at.isoformat(),
            "item": items,
        }
    )


def answers_from(resource: QuestionnaireResponse) -> dict[str, Any]:
    """Read a QuestionnaireResponse back into ``{linkId: printed value}``."""
    answers: dict[str, Any] = {}
    for item in resource.item or []:
        values: list[Any] = []
        for answer in item.answer or []:
            if answer.valueString is not None:
                values.append(answer.valueString)
            elif answer.valueCoding is not None:
                code = answer.valueCoding.code
                values.append(int(code) if code.lstrip("-").isdigit() else code)
        answers[item.linkId] = values if len(values) > 1 else values[0]
    return answers


def observations(
    instrument: Instrument, response: Any, case_id: int, role: str
) -> list[Observation]:
    found = []
    for scale in instrument.scales:
        result = response.scores.get(scale.id) or {}
        if result.get("score") is None:
            continue
        coding = (
            {
                "system": LOINC,
                "code": scale.loinc,
                "display": f"{instrument.short_title} {scale.title}",
            }
            if scale.loinc
            else {
                "system": SCORES_SYSTEM,
                "code": f"{instrument.id}.{scale.id}",
                "display": f"{instrument.short_title} {scale.title}",
            }
        )
        data: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"mr-{response.pk}-{scale.id}",
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "survey",
                        }
                    ]
                }
            ],
            "code": {"coding": [coding], "text": f"{instrument.short_title} {scale.title}"},
            "subject": _subject(case_id, role),
            "effectiveDateTime": response.submitted_at.isoformat(),
            "valueQuantity": {
                "value": result["score"],
                "unit": "{score}",
                "system": "http://unitsofmeasure.org",
                "code": "{score}",
            },
            "derivedFrom": [{"reference": f"QuestionnaireResponse/mr-{response.pk}"}],
        }
        if result.get("band"):
            data["interpretation"] = [{"text": result["band"]}]
        found.append(Observation.model_validate(data))
    return found


def case_bundle(case_id: int, responses: Iterable[Any], roles: dict[int, str]) -> Bundle:
    """One Bundle (type ``collection``) for a case: each instrument used, then each response
    with its score Observations."""
    responses = list(responses)
    entries: list[dict[str, Any]] = []
    used = sorted({r.instrument_id for r in responses})
    for instrument_id in used:
        instrument = registry.get(instrument_id)
        if instrument is not None:
            resource = questionnaire(instrument)
            entries.append({"fullUrl": canonical(instrument), "resource": resource})
    for response in responses:
        instrument = registry.get(response.instrument_id)
        if instrument is None:
            continue
        role = roles.get(response.author_id, "partner")
        qr = questionnaire_response(instrument, response, case_id, role)
        entries.append({"fullUrl": f"{BASE}/QuestionnaireResponse/{qr.id}", "resource": qr})
        for observation in observations(instrument, response, case_id, role):
            entries.append(
                {"fullUrl": f"{BASE}/Observation/{observation.id}", "resource": observation}
            )
    return Bundle.model_validate({"resourceType": "Bundle", "type": "collection", "entry": entries})
