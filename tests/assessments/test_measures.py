"""Scheduling, answering, correcting and reading measures, and who may do each."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from retrust.assessments import actions, registry
from retrust.assessments.fhir import (
    answers_from,
    instrument_items_from,
    questionnaire,
    questionnaire_response,
)
from retrust.assessments.models import (
    MeasureResponse,
    MeasureSchedule,
    ResponseStatus,
    TotalsConsent,
    TotalsSuggestion,
)
from retrust.core.exceptions import ActionError
from retrust.core.models import AuditEvent, Case, User
from retrust.safety.models import Alert, CrisisResource
from tests.conftest import PERSONAS
from tests.support.matrix import IN_CASE, PARTNERS, Redirect, Route, api, check, matrix, pages

PHQ9_CALM = {f"phq9-{i}": 0 for i in range(1, 10)}
PHQ9_LOW = {**PHQ9_CALM, "phq9-1": 3, "phq9-2": 3, "phq9-3": 3, "phq9-4": 3}  # 12, Moderate


def phq9(**changes: int) -> dict[str, int]:
    return {**PHQ9_CALM, **{k.replace("_", "-"): v for k, v in changes.items()}}


@pytest.fixture
def phq9_schedule(case: Case, clinician: User, partner_a: User, partner_b: User) -> MeasureSchedule:
    schedule, _ = actions.schedule_measure(
        clinician,
        case,
        instrument_id="phq-9",
        kind="every_n_weeks",
        every_weeks=2,
        starts_on=timezone.localdate(),
    )
    return schedule


@pytest.fixture
def csi_schedule(case: Case, clinician: User, partner_a: User, partner_b: User) -> MeasureSchedule:
    schedule, _ = actions.schedule_measure(
        clinician, case, instrument_id="csi-4", kind="intake", starts_on=timezone.localdate()
    )
    return schedule


def submitted(user: User) -> list[MeasureResponse]:
    return list(
        MeasureResponse.objects.filter(author=user, status=ResponseStatus.SUBMITTED).order_by("id")
    )


# --- scheduling -----------------------------------------------------------------------------


def test_scheduling_twice_keeps_one_schedule(case, clinician, phq9_schedule):
    again, created = actions.schedule_measure(
        clinician, case, instrument_id="phq-9", kind="intake", starts_on=timezone.localdate()
    )
    assert (again.pk, created) == (phq9_schedule.pk, False)
    assert MeasureSchedule.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action="retrust.measure.schedule.created").count() == 1


def test_scheduling_refuses_bad_input_by_field(case, clinician, partner_a):
    with pytest.raises(ActionError) as err:
        actions.schedule_measure(
            clinician, case, instrument_id="csi-32", kind="intake", starts_on=timezone.localdate()
        )
    assert err.value.field == "instrument_id"
    with pytest.raises(ActionError) as err:
        actions.schedule_measure(
            clinician,
            case,
            instrument_id="gad-7",
            kind="every_n_weeks",
            starts_on=timezone.localdate(),
        )
    assert err.value.field == "every_weeks"
    assert not MeasureSchedule.objects.exists()


def test_clinician_schedules_from_the_measures_page(case, clinician, partner_a, client_for):
    client = client_for("clinician")
    form = {"instrument_id": "gad-7", "kind": "every_n_weeks", "every_weeks": "3"}
    response = client.post(f"/cases/{case.pk}/measures/", form)
    assert response.status_code == 302
    again = client.post(f"/cases/{case.pk}/measures/", form, follow=True)
    assert "already scheduled" in again.content.decode()
    assert MeasureSchedule.objects.filter(case=case, instrument_id="gad-7").count() == 1
    bad = client.post(f"/cases/{case.pk}/measures/", {**form, "every_weeks": ""})
    assert bad.status_code == 400
    assert "how many weeks apart" in bad.content.decode()


# --- answering ------------------------------------------------------------------------------


def test_partner_sees_what_is_due_and_answers_it(phq9_schedule, partner_a, client_for):
    client = client_for("partner_a")
    page = client.get("/checkins/").content.decode()
    assert "Patient Health Questionnaire" in page
    form = client.get(f"/checkins/{phq9_schedule.pk}/").content.decode()
    assert "Little interest or pleasure in doing things" in form
    assert "If you are struggling right now" in form  # crisis resources on a mood form
    key = "k-1"
    response = client.post(
        f"/checkins/{phq9_schedule.pk}/", {**PHQ9_LOW, "submission_key": key, "action": "submit"}
    )
    assert response.status_code == 302
    [stored] = submitted(partner_a)
    assert (stored.total, stored.band) == (12, "Moderate")
    # The same form sent again (a double click) stores nothing new.
    client.post(
        f"/checkins/{phq9_schedule.pk}/", {**PHQ9_LOW, "submission_key": key, "action": "submit"}
    )
    assert len(submitted(partner_a)) == 1
    assert MeasureResponse.objects.filter(author=partner_a).count() == 1
    after = client.get("/checkins/").content.decode()
    assert "Nothing is waiting for you right now." in after
    assert "Latest: 12 — Moderate." in after


def test_autosave_keeps_a_draft_and_a_missing_answer_names_the_item(
    phq9_schedule, partner_a, client_for
):
    client = client_for("partner_a")
    partial = {"phq9-1": "2", "phq9-2": "1"}
    saved = client.post(f"/checkins/{phq9_schedule.pk}/draft/", partial, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    assert "Saved as a draft" in saved.content.decode()
    draft = MeasureResponse.objects.get(author=partner_a, status=ResponseStatus.DRAFT)
    assert draft.answers == {"phq9-1": 2, "phq9-2": 1}
    # Coming back shows the draft answers checked.
    form = client.get(f"/checkins/{phq9_schedule.pk}/").content.decode()
    assert 'name="phq9-1" value="2" checked' in form
    incomplete = client.post(
        f"/checkins/{phq9_schedule.pk}/", {**partial, "submission_key": "k2", "action": "submit"}
    )
    assert incomplete.status_code == 400
    assert "Questions 3, 4, 5, 6, 7, 8 and 9 have no answer yet" in incomplete.content.decode()
    assert incomplete.content.decode().count("Choose an answer here.") == 7
    assert submitted(partner_a) == []
    assert MeasureResponse.objects.filter(author=partner_a).count() == 1  # still one draft


def test_a_value_outside_the_printed_options_saves_nothing(phq9_schedule, partner_a, client_for):
    client = client_for("partner_a")
    response = client.post(
        f"/checkins/{phq9_schedule.pk}/",
        {**PHQ9_CALM, "phq9-4": "7", "submission_key": "k3", "action": "submit"},
    )
    assert response.status_code == 400
    assert "Question 4" in response.content.decode()
    assert not MeasureResponse.objects.filter(author=partner_a).exists()


def test_correcting_from_the_page_prefills_the_sent_answers(phq9_schedule, partner_a, client_for):
    client = client_for("partner_a")
    url = f"/checkins/{phq9_schedule.pk}/"
    client.post(url, {**PHQ9_LOW, "submission_key": "first", "action": "submit"})
    form = client.get(url).content.decode()
    assert "You sent this check-in on" in form
    assert 'name="phq9-1" value="3" checked' in form
    client.post(url, {**PHQ9_CALM, "submission_key": "second", "action": "submit"})
    statuses = sorted(
        MeasureResponse.objects.filter(author=partner_a).values_list("status", "total")
    )
    assert statuses == [("submitted", 0), ("superseded", 12)]


def test_the_same_answers_twice_without_a_key_store_one_response(phq9_schedule, partner_a):
    first = actions.submit_response(partner_a, phq9_schedule, PHQ9_LOW)
    again = actions.submit_response(partner_a, phq9_schedule, dict(PHQ9_LOW))
    assert (first.created, again.created) == (True, False)
    assert again.response.pk == first.response.pk
    assert MeasureResponse.objects.filter(author=partner_a).count() == 1


def test_intake_free_text_reaches_the_clinician_only(
    case, clinician, partner_a, partner_b, client_for
):
    schedule, _ = actions.schedule_measure(
        clinician, case, instrument_id="intake", kind="intake", starts_on=timezone.localdate()
    )
    story = "We met at a choir rehearsal twelve years ago"
    response = client_for("partner_a").post(
        f"/api/v1/measures/schedules/{schedule.pk}/responses",
        {
            "answers": {
                "intake-history": story,
                "intake-causes": ["broken-promises", "communication"],
            }
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["total"] is None
    page = client_for("clinician").get(f"/cases/{case.pk}/measures/").content.decode()
    assert story in page
    assert "Small promises that were broken again and again; Talking past each other" in page
    for persona in ["partner_b", "other_clinician", "admin"]:
        for url in ["/checkins/", f"/api/v1/cases/{case.pk}/measures/scores", "/home/"]:
            assert story not in client_for(persona).get(url, follow=True).content.decode()
    bad = client_for("partner_a").post(
        f"/api/v1/measures/schedules/{schedule.pk}/responses",
        {"answers": {"intake-causes": ["astrology"]}},
        content_type="application/json",
    )
    # A refusal by the action is a 400 naming the item (issue 11: 422 is for schema errors).
    assert bad.status_code == 400
    assert bad.json()["detail"][0]["loc"] == ["body", "intake-causes"]


def test_answers_are_encrypted_at_rest(phq9_schedule, partner_a):
    from django.db import connection

    response = actions.submit_response(partner_a, phq9_schedule, PHQ9_LOW).response
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT answers FROM assessments_measureresponse WHERE id = %s", [response.pk]
        )
        raw = cursor.fetchone()[0]
    assert "phq9-1" not in str(raw)
    response.refresh_from_db()
    assert response.answers == PHQ9_LOW


def test_a_correction_supersedes_and_never_edits(phq9_schedule, partner_a):
    first = actions.submit_response(partner_a, phq9_schedule, PHQ9_LOW, submission_key="a").response
    second = actions.submit_response(
        partner_a, phq9_schedule, PHQ9_CALM, submission_key="b"
    ).response
    first.refresh_from_db()
    assert first.status == ResponseStatus.SUPERSEDED
    assert first.answers == PHQ9_LOW and first.total == 12  # what was sent stays as sent
    assert second.supersedes_id == first.pk and second.total == 0
    assert AuditEvent.objects.filter(
        action="retrust.measure.response.superseded", target_id=str(first.pk)
    ).exists()


# --- alerts ---------------------------------------------------------------------------------


def test_phq9_item_9_raises_one_high_alert_the_other_partner_never_sees(
    phq9_schedule, partner_a, partner_b, client_for
):
    CrisisResource.objects.create(
        practice=phq9_schedule.case.practice, name="Harbour night line", phone="0800 000 000"
    )
    client = client_for("partner_a")
    response = client.post(
        f"/checkins/{phq9_schedule.pk}/",
        {**phq9(phq9_9=1), "submission_key": "k9", "action": "submit"},
        follow=True,
    )
    assert "If you are struggling right now" in response.content.decode()
    assert "Harbour night line" in response.content.decode()  # the practice's own resources
    [alert] = Alert.objects.all()
    assert (alert.priority, alert.source, alert.partner_id) == ("high", "phq9_item9", partner_a.pk)
    # Submitting the same form again raises nothing new.
    client.post(
        f"/checkins/{phq9_schedule.pk}/",
        {**phq9(phq9_9=1), "submission_key": "k9", "action": "submit"},
    )
    assert Alert.objects.count() == 1
    other = client_for("partner_b")
    for url in ["/checkins/", "/home/", f"/api/v1/cases/{phq9_schedule.case_id}/measures/scores"]:
        text = other.get(url).content.decode()
        assert "item 9" not in text and "Thoughts that you would be better off" not in text


def test_item_9_above_zero_leads_the_partners_own_result_with_help(
    phq9_schedule, partner_a, client_for
):
    """Hole 8: a total of 1 ("Minimal") never speaks first when item 9 is above 0."""
    CrisisResource.objects.create(
        practice=phq9_schedule.case.practice, name="Harbour night line", phone="0800 000 000"
    )
    client = client_for("partner_a")
    done = client.post(
        f"/checkins/{phq9_schedule.pk}/",
        {**phq9(phq9_9=1), "submission_key": "k8", "action": "submit"},
        follow=True,
    ).content.decode()
    main = done.split("<main", 1)[1]
    assert "Thank you for telling us" in main and "Your answer to question 9 matters" in main
    assert main.index("If you are struggling right now") < main.index("Minimal")
    assert main.index("Harbour night line") < main.index("Minimal")
    page = client.get("/checkins/").content.decode()
    card = page.split("Patient Health Questionnaire (PHQ-9)</h3>", 1)[1].split("</table>", 1)[0]
    assert card.index("If you are struggling right now") < card.index("Minimal")
    assert "Harbour night line" in card
    assert "Few or no signs of low mood" not in card
    # Without item 9 the card reads as before.
    actions.submit_response(partner_a, phq9_schedule, PHQ9_CALM, submission_key="k8b")
    calm = client.get("/checkins/").content.decode()
    assert "Latest: 0 — Minimal.</strong> Few or no signs of low mood" in calm
    assert "If you are struggling right now" not in calm


def test_reliable_deterioration_raises_a_normal_alert(phq9_schedule, partner_a):
    actions.submit_response(partner_a, phq9_schedule, PHQ9_CALM, submission_key="base")
    MeasureResponse.objects.filter(author=partner_a).update(round_key=-1)  # an earlier round
    actions.submit_response(partner_a, phq9_schedule, PHQ9_LOW, submission_key="later")  # +12
    [alert] = Alert.objects.all()
    assert (alert.source, alert.priority) == ("reliable_deterioration", "normal")
    assert "0 to 12" in alert.summary


# --- the clinician's page -------------------------------------------------------------------


def test_clinician_sees_both_partners_side_by_side(
    phq9_schedule, csi_schedule, partner_a, partner_b, client_for
):
    actions.submit_response(partner_a, phq9_schedule, PHQ9_LOW, submission_key="a1")
    MeasureResponse.objects.filter(author=partner_a).update(round_key=-1)
    actions.submit_response(partner_a, phq9_schedule, PHQ9_CALM, submission_key="a2")
    actions.submit_response(partner_b, phq9_schedule, phq9(phq9_1=1), submission_key="b1")
    actions.submit_response(
        partner_b, csi_schedule, {"csi4-1": 3, "csi4-2": 3, "csi4-3": 3, "csi4-4": 3}
    )
    page = client_for("clinician").get(f"/cases/{phq9_schedule.case_id}/measures/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("<svg") == 2
    assert "style=" not in text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Ari" in text and "Bo" in text
    assert "Reliable recovery" in text  # Ari 12 → 0
    assert "Gap between partners' latest scores: <strong>1</strong> point." in text
    assert "1</strong> points" not in text  # one point is a point (issue 11)
    assert "reliable at 6 points" in text
    assert "no published reliable-change figure" in text  # CSI-4
    # Item answers of each partner's latest response, as printed on the form.
    assert "1 — Several days" in text and "0 — Not at all" in text
    assert "3 — Nearly every day" not in text  # Ari's earlier answers are not the latest
    assert AuditEvent.objects.filter(
        action="retrust.case.content.viewed", details__what="measure_responses"
    ).exists()


def test_partners_never_see_each_others_scores(phq9_schedule, partner_a, partner_b, client_for):
    actions.submit_response(partner_a, phq9_schedule, PHQ9_LOW, submission_key="a1")
    text = client_for("partner_b").get("/checkins/").content.decode()
    assert "Moderate" not in text
    scores = client_for("partner_b").get(f"/api/v1/cases/{phq9_schedule.case_id}/measures/scores")
    assert scores.json() == []


def test_a_partner_answers_the_csi16_lines_between_their_two_printed_words(
    case, clinician, partner_a, partner_b, client_for
):
    schedule, _ = actions.schedule_measure(
        clinician, case, instrument_id="csi-16", kind="intake", starts_on=timezone.localdate()
    )
    ari = client_for("partner_a")
    form = ari.get(f"/checkins/{schedule.pk}/").content.decode()
    # The instruction is printed once, just before the first line.
    assert form.count("Base your responses on your first impressions") == 1
    assert form.index("Base your responses") < form.index("11. INTERESTING — BORING")
    assert form.index("In general, how satisfied") < form.index("Base your responses")
    line = form[form.index('id="item-csi16-11"') : form.index('id="item-csi16-12"')]
    assert '<div class="differential-poles" aria-hidden="true"><span>INTERESTING</span>' in line
    # Six points, printed 5 to 0 from INTERESTING to BORING; the ends are named for screen readers.
    assert [int(v) for v in re.findall(r'name="csi16-11" value="(\d)"', line)] == [5, 4, 3, 2, 1, 0]
    assert '5<span class="visually-hidden">, at INTERESTING</span>' in line
    assert '0<span class="visually-hidden">, at BORING</span>' in line
    hopeful = form[form.index('id="item-csi16-15"') : form.index('id="item-csi16-16"')]
    assert [int(v) for v in re.findall(r'value="(\d)"', hopeful)] == [0, 1, 2, 3, 4, 5]

    answers = {f"csi16-{n}": 3 for n in range(1, 17)}
    incomplete = ari.post(
        f"/checkins/{schedule.pk}/", {**answers, "csi16-14": "", "action": "submit"}
    )
    assert incomplete.status_code == 400
    assert 'id="item-csi16-14"' in incomplete.content.decode()
    assert not submitted(partner_a)
    done = ari.post(f"/checkins/{schedule.pk}/", {**answers, "action": "submit"})
    assert done.status_code == 302
    (response,) = submitted(partner_a)
    assert (response.total, response.band) == (48, "Notable relationship dissatisfaction")
    page = client_for("clinician").get(f"/cases/{case.pk}/measures/").content.decode()
    assert "3 (STURDY 5 4 3 2 1 0 FRAGILE)" in page
    assert "3 (DISCOURAGING 0 1 2 3 4 5 HOPEFUL)" in page
    assert "No reliable-change badge: no published reliable-change figure" in page


def test_auditc_keeps_the_sex_dependent_note_below_the_higher_cutoff(
    case, clinician, partner_a, client_for
):
    schedule, _ = actions.schedule_measure(
        clinician, case, instrument_id="audit-c", kind="intake", starts_on=timezone.localdate()
    )
    actions.submit_response(partner_a, schedule, {"auditc-1": 1, "auditc-2": 1, "auditc-3": 1})
    why = "depends on sex (4 or more for men, 3 or more for women), which retrust does not ask"
    mine = client_for("partner_a").get("/checkins/").content.decode()
    assert "Latest: 3." in mine and why in mine
    theirs = client_for("clinician").get(f"/cases/{case.pk}/measures/").content.decode()
    assert why in theirs
    assert "Flagged" not in theirs


def test_auditc_at_or_above_the_higher_cutoff_is_flagged_for_the_clinician(
    case, clinician, partner_a, client_for
):
    """Hole 9: 4 or more (the higher of the men's 4 and the women's 3) is flagged."""
    schedule, _ = actions.schedule_measure(
        clinician, case, instrument_id="audit-c", kind="intake", starts_on=timezone.localdate()
    )
    assert "Bradley" in registry.get("audit-c").scales[0].cutoff.source  # cited in the file
    actions.submit_response(partner_a, schedule, {"auditc-1": 2, "auditc-2": 1, "auditc-3": 1})
    theirs = client_for("clinician").get(f"/cases/{case.pk}/measures/").content.decode()
    assert "Flagged</span> at or above 4, the higher of the published screening cut-offs" in theirs
    mine = client_for("partner_a").get("/checkins/").content.decode()
    assert "Latest: 4." in mine
    assert "This total is at or above 4" in mine and "Your clinician sees that too" in mine
    caseload = client_for("clinician").get("/caseload/").content.decode()
    assert "AUDIT-C Ari: 4 (first answer)" in caseload


# --- the API --------------------------------------------------------------------------------


def test_api_submit_names_the_bad_item_with_400(phq9_schedule, partner_a, client_for):
    # Refusals are 400 everywhere (issue 11); a body the schema cannot parse stays 422.
    client = client_for("partner_a")
    url = f"/api/v1/measures/schedules/{phq9_schedule.pk}/responses"
    bad = client.post(url, {"answers": {**PHQ9_CALM, "phq9-5": 9}}, content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["detail"][0]["loc"] == ["body", "phq9-5"]
    missing = client.post(url, {"answers": {"phq9-1": 1}}, content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["detail"][0]["loc"] == ["body", "phq9-2"]
    unparsable = client.post(url, {"answers": "all fine"}, content_type="application/json")
    assert unparsable.status_code == 422
    good = {"answers": PHQ9_LOW, "submission_key": "api-1"}
    first = client.post(url, good, content_type="application/json")
    again = client.post(url, good, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["total"] == 12 and first.json()["band"] == "Moderate"
    assert len(submitted(partner_a)) == 1


def test_api_schedule_and_due(case, partner_a, partner_b, client_for):
    clinician = client_for("clinician")
    url = f"/api/v1/cases/{case.pk}/measures/schedules"
    made = clinician.post(
        url,
        {"instrument_id": "trust-pulse", "kind": "every_n_weeks", "every_weeks": 1},
        content_type="application/json",
    )
    assert made.status_code == 201
    bad = clinician.post(
        url, {"instrument_id": "nope", "kind": "intake"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["detail"][0]["loc"] == ["body", "instrument_id"]
    due = client_for("partner_a").get("/api/v1/measures/due").json()
    assert [d["instrument_id"] for d in due] == ["trust-pulse"]


# --- FHIR -----------------------------------------------------------------------------------


@pytest.mark.parametrize("instrument_id", sorted(registry.instruments()))
def test_every_shipped_instrument_round_trips_through_fhir(instrument_id):
    instrument = registry.get(instrument_id)
    resource = questionnaire(instrument)
    parsed = type(resource).model_validate_json(resource.model_dump_json())
    items = instrument_items_from(parsed)
    assert [i["linkId"] for i in items] == [i.linkId for i in instrument.items]
    assert [i["text"] for i in items] == [i.text for i in instrument.items]
    for item, read in zip(instrument.items, items, strict=True):
        assert read["type"] == item.type
        expected = [] if item.type == "text" else instrument.options_for(item.linkId)
        assert read["options"] == [(o.value, o.label) for o in expected]


def test_responses_and_scores_round_trip_and_export_as_a_bundle(phq9_schedule, partner_a, tmp_path):
    response = actions.submit_response(partner_a, phq9_schedule, PHQ9_LOW).response
    instrument = registry.get("phq-9")
    qr = questionnaire_response(instrument, response, phq9_schedule.case_id, "partner_a")
    assert answers_from(type(qr).model_validate_json(qr.model_dump_json())) == PHQ9_LOW
    out = tmp_path / "bundle.json"
    call_command("fhir", "export", "--case", str(phq9_schedule.case_id), "--output", str(out))
    bundle = json.loads(out.read_text())
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["Questionnaire", "QuestionnaireResponse", "Observation"]
    observation = bundle["entry"][2]["resource"]
    assert observation["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "44261-6",
        "display": "PHQ-9 Total score",
    }
    assert observation["valueQuantity"]["value"] == 12
    assert observation["derivedFrom"] == [{"reference": f"QuestionnaireResponse/mr-{response.pk}"}]
    assert "ari@example.org" not in out.read_text()


# --- who may do what: every route, every persona -----------------------------------------


@dataclass
class MeasuresWorld:
    ids: dict[str, int]


@pytest.fixture
def measures_world(
    phq9_schedule, csi_schedule, partner_a, partner_b, other_practice_case
) -> MeasuresWorld:
    answered = actions.submit_response(partner_a, phq9_schedule, PHQ9_LOW, submission_key="w")
    case = phq9_schedule.case
    # Both partners share their CSI-4 totals, so that stopping changes something for each.
    for partner in (partner_a, partner_b):
        TotalsConsent.objects.create(
            case=case, partner=partner, instrument_id="csi-4", wording="(as shown)"
        )
    return MeasuresWorld(
        ids={
            "case": case.pk,
            "schedule": phq9_schedule.pk,
            "response": answered.response.pk,
            "other_case": other_practice_case.pk,
        }
    )


def response_rows(world: MeasuresWorld) -> Any:
    return sorted(MeasureResponse.objects.values_list("id", "author_id", "status"))


def suggestion_rows(world: MeasuresWorld) -> Any:
    return sorted(TotalsSuggestion.objects.values_list("case_id", "suggested"))


def consent_rows(world: MeasuresWorld) -> Any:
    return sorted(TotalsConsent.objects.values_list("partner_id", "withdrawn_at"))


def schedule_rows(world: MeasuresWorld) -> Any:
    return sorted(MeasureSchedule.objects.values_list("id", "instrument_id", "ended_at"))


STAFF_HOME = {
    p: Redirect("/start/")
    for p in ["clinician", "other_clinician", "other_practice_clinician", "admin"]
}
TO_CASE = Redirect("/cases/")
DONE = Redirect("/checkins/done/")

MEASURES: list[Route] = [
    Route("my_checkins", "GET", "/checkins/", pages(**PARTNERS, **STAFF_HOME)),
    Route("answer_checkin", "GET", "/checkins/{schedule}/", pages(**PARTNERS)),
    Route(
        "answer_checkin",
        "POST",
        "/checkins/{schedule}/",
        pages(partner_a=DONE, partner_b=DONE),
        data={**PHQ9_CALM, "action": "submit"},
        state=response_rows,
    ),
    Route(
        "save_checkin_draft",
        "POST",
        "/checkins/{schedule}/draft/",
        pages(partner_a=Redirect("/checkins/"), partner_b=Redirect("/checkins/")),
        data={"phq9-1": "1"},
        state=response_rows,
    ),
    Route("checkin_done", "GET", "/checkins/done/{response}/", pages(partner_a=200)),
    Route(
        "share_totals",
        "POST",
        "/cases/{case}/measures/share/",
        pages(partner_a=Redirect("/checkins/"), partner_b=Redirect("/checkins/")),
        data={"instrument_id": "csi-4", "share": "no"},
        state=consent_rows,
    ),
    Route(
        "share_totals",
        "POST",
        "/cases/{other_case}/measures/share/",
        pages(),
        data={"instrument_id": "csi-4", "share": "no"},
        state=consent_rows,
    ),
    Route("case_measures", "GET", "/cases/{case}/measures/", pages(clinician=200)),
    Route(
        "case_measures",
        "POST",
        "/cases/{case}/measures/",
        pages(clinician=TO_CASE),
        data={"instrument_id": "gad-7", "kind": "intake"},
        state=schedule_rows,
    ),
    Route(
        "totals_sharing",
        "POST",
        "/cases/{case}/measures/sharing/",
        pages(clinician=TO_CASE),
        data={"suggested": "yes"},
        state=suggestion_rows,
    ),
    Route(
        "totals_sharing",
        "POST",
        "/cases/{other_case}/measures/sharing/",
        pages(other_practice_clinician=TO_CASE),
        data={"suggested": "yes"},
        state=suggestion_rows,
    ),
    Route(
        "end_measure",
        "POST",
        "/cases/{case}/measures/{schedule}/end/",
        pages(clinician=TO_CASE),
        state=schedule_rows,
    ),
    Route(
        "end_measure",
        "POST",
        "/cases/{other_case}/measures/{schedule}/end/",
        pages(),
        state=schedule_rows,
    ),
    Route("api list_schedules", "GET", "/api/v1/cases/{case}/measures/schedules", api(**IN_CASE)),
    Route(
        "api create_schedule",
        "POST",
        "/api/v1/cases/{case}/measures/schedules",
        api(clinician=201),
        data={"instrument_id": "gad-7", "kind": "intake"},
        state=schedule_rows,
    ),
    Route(
        "api list_due",
        "GET",
        "/api/v1/measures/due",
        api(**{p: 200 for p in PERSONAS if p != "anonymous"}),
    ),
    Route(
        "api submit",
        "POST",
        "/api/v1/measures/schedules/{schedule}/responses",
        api(partner_a=201, partner_b=201),
        data={"answers": PHQ9_CALM},
        state=response_rows,
    ),
    Route("api list_scores", "GET", "/api/v1/cases/{case}/measures/scores", api(**IN_CASE)),
    Route("api case_fhir", "GET", "/api/v1/cases/{case}/measures/fhir", api(clinician=200)),
]


@pytest.mark.parametrize(("route", "persona"), matrix(MEASURES))
def test_measures_access(route, persona, measures_world, client_for: Callable[[str], Client]):
    is_api = route.url.startswith("/api/")
    response = check(route, persona, measures_world, client_for(persona), json_body=is_api)
    body = response.content.decode()
    if persona not in ("partner_a", "clinician"):
        # partner_a's answers (four items at 3, total 12) reach only partner_a and the clinician.
        assert "Moderate" not in body, (route.url, persona)
    if is_api and response.status_code == 404:
        assert response.json() == {"detail": "Not found."}


# --- constant queries -----------------------------------------------------------------------


def test_measures_page_queries_do_not_grow_with_administrations(
    phq9_schedule, csi_schedule, clinician, partner_a, partner_b, client_for
):
    from tests.test_query_counts import assert_constant

    def add(n: int) -> None:
        now = timezone.now()
        rows = []
        for author in (partner_a, partner_b):
            for i in range(n):
                rows.append(
                    MeasureResponse(
                        case_id=phq9_schedule.case_id,
                        author=author,
                        visibility="clinician",
                        schedule=phq9_schedule if i % 2 else csi_schedule,
                        instrument_id="phq-9" if i % 2 else "csi-4",
                        instrument_version="1.0.0",
                        round_key=-(i + 1) - 1000 * (MeasureResponse.objects.count() + 1),
                        due_on=now.date(),
                        status=ResponseStatus.SUBMITTED,
                        answers=PHQ9_LOW if i % 2 else {"csi4-1": 2},
                        scores={"total": {"score": 12, "band": "Moderate"}},
                        total=12 if i % 2 else 15,
                        band="Moderate" if i % 2 else "",
                        submitted_at=now - timedelta(days=n - i),
                    )
                )
        MeasureResponse.objects.bulk_create(rows)

    add(10)
    client = client_for("clinician")
    assert_constant(client, f"/cases/{phq9_schedule.case_id}/measures/", lambda: add(190))
    partner = client_for("partner_a")
    assert_constant(partner, "/checkins/", lambda: add(50))
    # With CSI-4 totals shared, every CSI-4 round both answered is revealed (never a PHQ-9
    # one): still the same queries.
    for author in (partner_a, partner_b):
        TotalsConsent.objects.create(
            case=phq9_schedule.case, partner=author, instrument_id="csi-4", wording="(as shown)"
        )
    scores = f"/api/v1/cases/{phq9_schedule.case_id}/measures/scores"
    assert_constant(partner, "/checkins/", lambda: add(50))
    assert_constant(partner, scores, lambda: add(50))
    revealed = [r for r in partner.get(scores).json() if not r["mine"]]
    assert len(revealed) > 50
    assert {r["instrument_id"] for r in revealed} == {"csi-4"}


def test_openapi_lists_the_measures_routes_with_summaries(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    measures = {p: ops for p, ops in paths.items() if "measures" in p}
    assert set(measures) == {
        "/api/v1/cases/{case_id}/measures/schedules",
        "/api/v1/measures/due",
        "/api/v1/measures/schedules/{schedule_id}/responses",
        "/api/v1/cases/{case_id}/measures/scores",
        "/api/v1/cases/{case_id}/measures/fhir",
    }
    for ops in measures.values():
        for operation in ops.values():
            assert operation.get("summary") and operation.get("security")


def test_the_demo_seeds_measures_once(db):
    from io import StringIO

    from retrust.core.demo import email_for

    call_command("demo", no_serve=True, stdout=StringIO())
    first = sorted(MeasureResponse.objects.values_list("id", flat=True))
    call_command("demo", no_serve=True, stdout=StringIO())
    assert sorted(MeasureResponse.objects.values_list("id", flat=True)) == first
    assert len(first) == 12
    priya = User.objects.get(email=email_for("priya"))
    client = Client()
    client.force_login(priya, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/checkins/").content.decode()
    assert "Patient Health Questionnaire" in page  # the next round is open
    assert "Latest: 3 — Minimal." in page  # 1+0+1+0+0+1+0+0+0
    # 3 × 8 + 2 + 3 × 2 + 4 + 3 × 3 + 4 = 49, below the CSI-16 cut-off of 51.5.
    assert "Latest: 49 — Notable relationship dissatisfaction." in page
