"""Totals reach the other partner only with their author's consent (issue 11, hole 1).

Individual measures (PHQ-9, GAD-7, AUDIT-C, the intake) never reach the other partner. A
relationship measure's totals reach them only when the author has chosen to share that
measure, only for rounds both answered, and not while a pause holds the author. The page and
the API read the same rule (``queries.revealed_together``), and the words on every form say
what is true at that moment.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import yaml
from django.test import Client
from django.utils import timezone

from retrust.assessments import actions, registry
from retrust.assessments.definitions import BUNDLED_DIR
from retrust.assessments.models import (
    MeasureResponse,
    MeasureSchedule,
    TotalsConsent,
    TotalsSuggestion,
)
from retrust.core import pause
from retrust.core.exceptions import ActionError
from retrust.core.models import AuditEvent, Case, CaseMember, User
from tests.conftest import make_user, signed_in_client

PHQ9_CALM = {f"phq9-{i}": 0 for i in range(1, 10)}
PHQ9_LOW = {**PHQ9_CALM, "phq9-1": 3, "phq9-2": 3, "phq9-3": 3, "phq9-4": 3}  # 12, Moderate
CSI_8 = {"csi4-1": 2, "csi4-2": 2, "csi4-3": 2, "csi4-4": 2}  # Notable relationship dissatisfaction
CSI_16 = {"csi4-1": 4, "csi4-2": 4, "csi4-3": 4, "csi4-4": 4}  # No notable dissatisfaction
PULSE = {
    "pulse-safety": 3,
    "pulse-honesty": 3,
    "pulse-follow-through": 3,
    "pulse-closeness": 3,
    "pulse-hope": 3,
}


def schedule(case: Case, clinician: User, instrument_id: str) -> MeasureSchedule:
    made, _ = actions.schedule_measure(
        clinician, case, instrument_id=instrument_id, kind="intake", starts_on=timezone.localdate()
    )
    return made


@pytest.fixture
def csi(case, clinician, partner_a, partner_b) -> MeasureSchedule:
    return schedule(case, clinician, "csi-4")


def share_form(page: str, instrument_id: str) -> dict[str, str]:
    """The share form the page shows for one measure, as a browser would post it."""
    for form in re.findall(r"<form[^>]*/measures/share/.*?</form>", page, flags=re.S):
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
        if fields.get("instrument_id") == instrument_id and fields.get("share") == "yes":
            return {k: html.unescape(v) for k, v in fields.items() if k != "csrfmiddlewaretoken"}
    raise AssertionError(f"no share form for {instrument_id}")


def share_on_the_page(client: Client, case: Case, instrument_id: str) -> Any:
    form = share_form(client.get("/checkins/").content.decode(), instrument_id)
    return client.post(f"/cases/{case.pk}/measures/share/", form)


def stop_on_the_page(client: Client, case: Case, instrument_id: str) -> Any:
    return client.post(
        f"/cases/{case.pk}/measures/share/", {"instrument_id": instrument_id, "share": "no"}
    )


def revealed_on_page(client: Client) -> list[str]:
    """The "Side by side" rows, as the partner reads them."""
    page = client.get("/checkins/").content.decode()
    if "Side by side" not in page:
        return []
    table = page.split('id="together"', 1)[1]
    return re.findall(r"<td[^>]*>(\w[^<]*: [\d.]+[^<]*)</td></tr>", table)


def revealed_by_api(client: Client, case: Case) -> list[tuple[str, str, float]]:
    rows = client.get(f"/api/v1/cases/{case.pk}/measures/scores").json()
    return [(r["instrument_id"], r["partner_role"], r["total"]) for r in rows if not r["mine"]]


# --- the instrument files say which kind they are ------------------------------------------------


def test_every_bundled_instrument_says_whether_it_is_about_the_relationship():
    kinds = {}
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "kind" in raw, f"{path.name} must say kind: relationship or kind: individual"
        kinds[raw["id"]] = raw["kind"]
    assert kinds == {
        "csi-4": "relationship",
        "csi-16": "relationship",
        "trust-pulse": "relationship",
        "phq-9": "individual",
        "gad-7": "individual",
        "audit-c": "individual",
        "intake": "individual",
    }


# --- individual measures: never ------------------------------------------------------------------


def test_phq9_totals_never_reach_the_other_partner_whatever_anyone_chooses(
    case, clinician, partner_a, partner_b, client_for
):
    phq9 = schedule(case, clinician, "phq-9")
    actions.submit_response(partner_a, phq9, PHQ9_LOW)
    actions.submit_response(partner_b, phq9, {**PHQ9_CALM, "phq9-1": 1})  # 1, Minimal
    ari, bo = client_for("partner_a"), client_for("partner_b")
    # The clinician suggests sharing; Ari tries to share PHQ-9 by the action and by the page.
    assert (
        client_for("clinician")
        .post(f"/cases/{case.pk}/measures/sharing/", {"suggested": "yes"})
        .status_code
        == 302
    )
    with pytest.raises(ActionError) as refused:
        actions.set_totals_consent(partner_a, case, "phq-9", share=True, wording="anything")
    assert refused.value.field == "instrument_id"
    posted = ari.post(
        f"/cases/{case.pk}/measures/share/",
        {"instrument_id": "phq-9", "share": "yes", "wording": "anything"},
    )
    assert posted.status_code == 400
    assert "only you and your clinician ever see it" in posted.content.decode()
    assert not TotalsConsent.objects.exists()
    assert "Share my PHQ-9" not in ari.get("/checkins/").content.decode()
    # Even a consent row that should never exist (old data, a bug) reveals nothing.
    for author in (partner_a, partner_b):
        TotalsConsent.objects.create(case=case, partner=author, instrument_id="phq-9", wording="x")
    for client in (ari, bo):
        assert revealed_on_page(client) == []
        assert revealed_by_api(client, case) == []
    page = bo.get("/checkins/").content.decode()
    assert "Ari:" not in page and "12 (Moderate)" not in page
    # Nor does a milestone card speak of it to both partners.
    MeasureResponse.objects.filter(author=partner_a).update(round_key=-1)
    actions.submit_response(partner_a, phq9, PHQ9_CALM)
    from retrust.core.policy import case_access
    from retrust.program.queries import milestones_for

    seen_by_bo = milestones_for(case_access(partner_b, case.pk))
    assert not any(card.key.startswith("improved-") for card in seen_by_bo)


# --- relationship measures: only with the author's consent ---------------------------------------


def test_csi_totals_reach_the_other_partner_only_with_the_authors_consent(
    case, clinician, partner_a, partner_b, csi, client_for
):
    pulse = schedule(case, clinician, "trust-pulse")
    ari, bo = client_for("partner_a"), client_for("partner_b")
    actions.submit_response(partner_a, csi, CSI_8)
    actions.submit_response(partner_a, pulse, PULSE)
    assert revealed_on_page(bo) == []

    # Ari chooses to share CSI-4 (and only CSI-4); the exact words shown are stored, with when.
    page = ari.get("/checkins/").content.decode()
    shown = share_form(page, "csi-4")["wording"]
    assert shown.startswith("I choose to share my CSI-4 totals with Bo.")
    assert share_on_the_page(ari, case, "csi-4").status_code == 302
    [consent] = TotalsConsent.objects.all()
    assert (consent.partner_id, consent.instrument_id, consent.wording) == (
        partner_a.pk,
        "csi-4",
        shown,
    )
    assert consent.agreed_at is not None and consent.withdrawn_at is None
    assert AuditEvent.objects.filter(action="retrust.measure.totals.shared").count() == 1

    # Bo has not answered this round yet: nothing is revealed.
    assert revealed_on_page(bo) == [] and revealed_by_api(bo, case) == []

    actions.submit_response(partner_b, csi, CSI_16)
    actions.submit_response(partner_b, pulse, PULSE)
    # Now Bo sees Ari's CSI-4 total and band, and nothing of Ari's trust pulse.
    assert revealed_on_page(bo) == ["Ari: 8 (Notable relationship dissatisfaction)"]
    assert revealed_by_api(bo, case) == [("csi-4", "partner_a", 8)]
    raw = bo.get(f"/api/v1/cases/{case.pk}/measures/scores").content.decode()
    assert "csi4-" not in raw and "answers" not in raw
    # Bo has not chosen to share: Ari sees nothing of Bo's.
    assert revealed_on_page(ari) == [] and revealed_by_api(ari, case) == []

    # Ari stops sharing: from now on Bo sees nothing; choosing again makes a new record.
    assert stop_on_the_page(ari, case, "csi-4").status_code == 302
    assert revealed_on_page(bo) == [] and revealed_by_api(bo, case) == []
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert share_on_the_page(ari, case, "csi-4").status_code == 302
    assert TotalsConsent.objects.filter(partner=partner_a).count() == 2
    assert revealed_by_api(bo, case) == [("csi-4", "partner_a", 8)]


def test_the_words_agreed_to_must_be_the_words_the_page_showed(case, partner_a, partner_b, csi):
    wording = actions.consent_wording_for(partner_a, case, registry.get("csi-4"))
    partner_b.display_name = "Robin"
    partner_b.save()
    # The page showed "Bo"; Bo is now called Robin: the partner reads the new words first.
    with pytest.raises(ActionError) as changed:
        actions.set_totals_consent(partner_a, case, "csi-4", share=True, wording=wording)
    assert changed.value.status_code == 409
    assert not TotalsConsent.objects.exists()
    fresh = actions.consent_wording_for(partner_a, case, registry.get("csi-4"))
    consent = actions.set_totals_consent(partner_a, case, "csi-4", share=True, wording=fresh)
    assert consent is not None and "with Robin" in consent.wording
    # The same choice twice keeps one consent.
    again = actions.set_totals_consent(partner_a, case, "csi-4", share=True, wording=fresh)
    assert again == consent and TotalsConsent.objects.count() == 1


def test_the_clinician_may_suggest_but_only_a_partner_consents(
    case, clinician, partner_a, partner_b, csi, client_for
):
    staff = client_for("clinician")
    page = staff.get(f"/cases/{case.pk}/measures/").content.decode()
    assert "Suggest that partners share relationship totals" in page
    suggest = staff.post(f"/cases/{case.pk}/measures/sharing/", {"suggested": "yes"})
    assert suggest.status_code == 302
    assert TotalsSuggestion.objects.get(case=case).suggested
    assert not TotalsConsent.objects.exists()  # a suggestion shares nothing
    ari_page = client_for("partner_a").get("/checkins/").content.decode()
    assert "Dana Clinician suggests that you each share your totals" in ari_page
    # The clinician cannot choose for a partner.
    form = {"instrument_id": "csi-4", "share": "yes", "wording": "x"}
    assert staff.post(f"/cases/{case.pk}/measures/share/", form).status_code == 404
    actions.submit_response(partner_a, csi, CSI_8)
    actions.submit_response(partner_b, csi, CSI_16)
    assert revealed_on_page(client_for("partner_b")) == []
    page = staff.get(f"/cases/{case.pk}/measures/").content.decode()
    assert "Neither partner shares any totals." in page
    share_on_the_page(client_for("partner_a"), case, "csi-4")
    page = staff.get(f"/cases/{case.pk}/measures/").content.decode()
    assert "Ari shares CSI-4 totals" in page
    staff.post(f"/cases/{case.pk}/measures/sharing/", {"suggested": "no"})
    assert "suggests" not in client_for("partner_a").get("/checkins/").content.decode()
    assert revealed_on_page(client_for("partner_b")) == [
        "Ari: 8 (Notable relationship dissatisfaction)"
    ]


# --- the words tell the truth --------------------------------------------------------------------


def test_the_form_and_result_page_say_who_sees_this_in_each_state(
    case, clinician, partner_a, partner_b, csi, client_for
):
    phq9 = schedule(case, clinician, "phq-9")
    ari = client_for("partner_a")
    only = "Only you and Dana Clinician see this."
    assert (
        f"{only} Bo never sees your answers or your total here."
        in ari.get(f"/checkins/{phq9.pk}/").content.decode()
    )
    not_shared = f"{only} Bo will not see your total unless you choose to share it."
    assert not_shared in ari.get(f"/checkins/{csi.pk}/").content.decode()
    done = ari.post(f"/checkins/{csi.pk}/", {**CSI_8, "action": "submit"}, follow=True)
    assert not_shared in done.content.decode()

    share_on_the_page(ari, case, "csi-4")
    shared = (
        "Bo will see your total, because you chose to share it, for each round you have both "
        "answered."
    )
    assert shared in ari.get(f"/checkins/{csi.pk}/").content.decode()
    done = ari.post(f"/checkins/{csi.pk}/", {**CSI_16, "action": "submit"}, follow=True)
    assert shared in done.content.decode()
    # Sharing CSI-4 changes nothing for PHQ-9.
    assert "never sees" in ari.get(f"/checkins/{phq9.pk}/").content.decode()

    # While a pause holds Ari, new totals wait, and the form says so.
    pause.start(case, held_for=partner_a)
    held = ari.get(f"/checkins/{csi.pk}/").content.decode()
    assert f"{only} For now Bo does not see new totals" in held
    assert "Bo will see your total" not in held


def test_with_no_other_partner_nothing_is_addressed_to_one(practice, clinician):
    alone = Case.objects.create(practice=practice, label="Sol", status="active", track="individual")
    alone.clinicians.add(clinician)
    sol = make_user("sol@example.org", "Sol")
    CaseMember.objects.create(case=alone, user=sol, role="partner_a")
    csi = schedule(alone, clinician, "csi-4")
    client = signed_in_client(sol)
    form = client.get(f"/checkins/{csi.pk}/").content.decode()
    assert '<p class="muted" id="who-sees">Only you and Dana Clinician see this.</p>' in form
    page = client.get("/checkins/").content.decode()
    assert "What your partner sees" not in page and "Share my" not in page
    assert "partner" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    with pytest.raises(ActionError):
        actions.set_totals_consent(sol, alone, "csi-4", share=True, wording="")


# --- the pause: nothing new of a held partner's, and no visible change for the other -------------


def test_a_held_partners_new_totals_wait_and_the_other_partner_sees_no_change(
    case, clinician, partner_a, partner_b, csi, client_for
):
    bo = client_for("partner_b")
    actions.submit_response(partner_a, csi, CSI_8)
    actions.submit_response(partner_b, csi, CSI_16)
    share_on_the_page(client_for("partner_a"), case, "csi-4")
    before_page, before_api = revealed_on_page(bo), revealed_by_api(bo, case)
    assert before_api == [("csi-4", "partner_a", 8)]

    # Ari's private answer pauses the case: Ari is held, the clinician has not acted yet.
    pause.start(case, held_for=partner_a)
    actions.submit_response(partner_a, csi, CSI_16)  # a correction while held
    assert revealed_on_page(bo) == before_page
    assert revealed_by_api(bo, case) == before_api
    assert "in touch" not in bo.get("/checkins/").content.decode()

    pause.end(case)
    assert revealed_by_api(bo, case) == [("csi-4", "partner_a", 16)]


def test_a_held_partner_sees_sharing_as_paused_before_choosing(
    case, clinician, partner_a, partner_b, csi, client_for
):
    """Hole 7: the share form shows as paused, rather than refusing after the click."""
    ari, bo = client_for("partner_a"), client_for("partner_b")
    pulse = schedule(case, clinician, "trust-pulse")
    wording = share_form(ari.get("/checkins/").content.decode(), "trust-pulse")["wording"]
    share_on_the_page(ari, case, "csi-4")
    pause.start(case, held_for=partner_a)
    page = ari.get("/checkins/").content.decode()
    assert pause.HELD_MESSAGE.replace("'", "&#x27;") in page
    assert "Share my Trust pulse totals" not in page
    assert "Stop sharing" in page  # stopping always works
    form = {"instrument_id": pulse.instrument_id, "share": "yes", "wording": wording}
    assert ari.post(f"/cases/{case.pk}/measures/share/", form).status_code == 409
    assert not TotalsConsent.objects.filter(instrument_id="trust-pulse").exists()
    assert stop_on_the_page(ari, case, "csi-4").status_code == 302
    # Bo sees no change at all: the form is there, no pause message.
    bo_page = bo.get("/checkins/").content.decode()
    assert "Share my CSI-4 totals with Ari" in bo_page and "pause-banner" not in bo_page

    # Once the clinician has acted, suggesting waits on the clinician's page as well.
    pause.show(case)
    staff = client_for("clinician")
    page = staff.get(f"/cases/{case.pk}/measures/").content.decode()
    assert "suggesting that partners share totals waits" in page
    assert "Suggest that partners share relationship totals" not in page
    refused = staff.post(f"/cases/{case.pk}/measures/sharing/", {"suggested": "yes"})
    assert refused.status_code == 409


# --- the migration: existing switches become "not shared" ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_existing_sharing_switches_migrate_to_not_shared_for_everyone(
    practice, clinician, partner_a, partner_b, case
):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("assessments", "0001_initial")]
    after = [("assessments", "0002_totals_consent")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        old.get_model("assessments", "TotalsSharing").objects.create(
            case_id=case.pk, enabled=True, changed_by_id=clinician.pk
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        assert not new.get_model("assessments", "TotalsConsent").objects.exists()
        [suggestion] = new.get_model("assessments", "TotalsSuggestion").objects.all()
        assert (suggestion.case_id, suggestion.suggested) == (case.pk, True)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert TotalsSuggestion.objects.get(case=case).suggested
    assert not TotalsConsent.objects.exists()
