"""What partners and clinicians see and do on the agreements pages and API."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from retrust.agreements import actions
from retrust.agreements.models import Agreement, AgreementVersion, Commitment, Occurrence
from tests.agreements.conftest import PHONE_TEXT


def test_a_stale_amendment_shows_the_newer_text_and_keeps_mine(
    partner_a, partner_b, case, client_for
):
    agreement = actions.propose_agreement(
        partner_a, case, category="transparency", title="Phones", text=PHONE_TEXT
    )
    # B opens the page (version 1), A amends meanwhile, then B submits based on version 1.
    actions.amend_agreement(partner_a, agreement, based_on=1, title="Phones", text="A's newer.")
    response = client_for("partner_b").post(
        f"/agreements/{agreement.pk}/amend/",
        {"based_on": 1, "title": "Phones", "text": "B's careful wording."},
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "proposed a newer version" in text
    assert "A&#x27;s newer." in text or "A's newer." in text
    assert "B&#x27;s careful wording." in text or "B's careful wording." in text
    assert 'name="based_on" value="2"' in text
    assert AgreementVersion.objects.count() == 2


def test_api_conflict_is_409_with_the_newer_version(partner_a, partner_b, case, client_for):
    agreement = actions.propose_agreement(
        partner_a, case, category="transparency", title="Phones", text=PHONE_TEXT
    )
    client = client_for("partner_b")
    url = f"/api/v1/agreements/{agreement.pk}/versions"
    first = client.post(
        url, {"based_on": 1, "title": "P", "text": "One."}, content_type="application/json"
    )
    assert first.status_code == 201
    second = client_for("partner_a").post(
        url, {"based_on": 1, "title": "P", "text": "Two."}, content_type="application/json"
    )
    assert second.status_code == 409
    assert second.json()["newer"]["text"] == "One."
    assert second.json()["newer"]["number"] == 2


def test_api_bad_input_names_the_field_and_saves_nothing(partner_a, partner_b, case, client_for):
    client = client_for("partner_a")
    url = f"/api/v1/cases/{case.pk}/agreements"
    bad = client.post(
        url, {"category": "nope", "title": "", "text": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422
    fields = {tuple(d["loc"])[-1] for d in bad.json()["detail"]}
    assert {"category", "title"} <= fields
    past = client.post(
        url,
        {
            "category": "money",
            "title": "T",
            "text": "x",
            "review_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        },
        content_type="application/json",
    )
    assert past.status_code == 400
    assert past.json()["detail"][0]["loc"] == ["body", "review_on"]
    assert not Agreement.objects.exists()


def test_bad_form_input_is_explained_on_the_page(partner_a, partner_b, case, client_for):
    response = client_for("partner_a").post(
        f"/cases/{case.pk}/agreements/new/", {"category": "money", "title": "", "text": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Agreement.objects.exists()


def test_double_submitted_forms_are_idempotent(partner_a, partner_b, case, client_for):
    client = client_for("partner_a")
    data = {"category": "money", "title": "T", "text": "Ask first.", "creation_key": "abc"}
    for _ in range(2):
        assert client.post(f"/cases/{case.pk}/agreements/new/", data).status_code == 302
    assert Agreement.objects.count() == 1
    commit = {"action": "Say goodnight", "schedule": "daily", "creation_key": "def"}
    for _ in range(2):
        assert client.post(f"/cases/{case.pk}/commitments/new/", commit).status_code == 302
    assert Commitment.objects.count() == 1
    commitment = Commitment.objects.get()
    record = {"due_on": timezone.localdate().isoformat(), "outcome": "kept", "submission_key": "g"}
    for _ in range(2):
        assert client.post(f"/commitments/{commitment.pk}/record/", record).status_code == 302
    assert Occurrence.objects.count() == 1


def test_the_ledger_page_says_not_enough_data_then_a_number(
    commitment, partner_a, partner_b, case, client_for
):
    client = client_for("partner_b")
    clinician = client_for("clinician")
    assert "Nothing recorded yet" in client.get(f"/cases/{case.pk}/ledger/").content.decode()
    assert "Not enough data yet" in clinician.get(f"/cases/{case.pk}/ledger/").content.decode()
    today = timezone.localdate()
    for i in range(6):
        occurrence = actions.record_occurrence(
            partner_a, commitment, due_on=today - timedelta(days=i), outcome="kept"
        )
        actions.answer_occurrence(partner_b, occurrence, verdict="confirmed")
    text = client.get(f"/cases/{case.pk}/ledger/").content.decode()
    # Partners read the plain count first, then the estimate, and no interval jargon.
    assert text.index("Kept 6 of the last 6 recorded") < text.index("Careful estimate: about")
    assert "Kept 6 of the last 6 days recorded" in text  # the commitment's own row
    assert "likely between" in text and "80%" not in text and "interval" not in text
    assert "more careful than the count" in text
    text = clinician.get(f"/cases/{case.pk}/ledger/").content.decode()
    assert "% kept (likely" in text and "80% interval" in text
    assert "<svg" in text and "<polyline" in text and "<table" in text
    assert 'style="' not in text


def test_disputes_are_shown_to_the_clinician(commitment, partner_a, partner_b, client_for):
    occurrence = actions.record_occurrence(
        partner_a, commitment, due_on=timezone.localdate(), outcome="kept"
    )
    actions.answer_occurrence(
        partner_b, occurrence, verdict="disputed", note="I didn't get a text that evening."
    )
    text = client_for("clinician").get(f"/commitments/{commitment.pk}/").content.decode()
    assert "Seen differently" in text
    assert "get a text that evening." in text


def test_openapi_lists_the_agreement_routes_with_summaries(db):
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    mine = {path for path in paths if "agreement" in path or "commitment" in path}
    mine |= {path for path in paths if "occurrence" in path or "breach" in path}
    assert mine == {
        "/api/v1/cases/{case_id}/agreements",
        "/api/v1/agreements/{agreement_id}",
        "/api/v1/agreements/{agreement_id}/accept",
        "/api/v1/agreements/{agreement_id}/decline",
        "/api/v1/agreements/{agreement_id}/versions",
        "/api/v1/agreements/{agreement_id}/breaches",
        "/api/v1/agreements/{agreement_id}/renegotiation",
        "/api/v1/agreements/{agreement_id}/notes",
        "/api/v1/commitments/{commitment_id}/end",
        "/api/v1/breaches/{breach_id}/response",
        "/api/v1/cases/{case_id}/commitments",
        "/api/v1/commitments/{commitment_id}/occurrences",
        "/api/v1/commitments/{commitment_id}/ledger",
        "/api/v1/occurrences/{occurrence_id}/answer",
        "/api/v1/commitments/{commitment_id}/unrecorded",
        "/api/v1/commitments/{commitment_id}/days",
        "/api/v1/commitments/{commitment_id}/confirmations",
        "/api/v1/occurrences/{occurrence_id}/replies",
    }
    for path in mine:
        for method, operation in paths[path].items():
            assert operation.get("summary"), (method, path)
            assert operation.get("security"), (method, path)


# --- what the clinician reads: the partners in the third person ------------------------------


def test_the_clinician_reads_about_the_partners_not_to_them(
    agreement, commitment, partner_a, partner_b, case, client_for
):
    occurrence = actions.record_occurrence(
        partner_a, commitment, due_on=timezone.localdate(), outcome="kept"
    )
    actions.answer_occurrence(partner_b, occurrence, verdict="disputed", note="No text came.")
    actions.amend_agreement(partner_a, agreement, based_on=1, title="Phones", text="Newer.")
    clinician = client_for("clinician")
    detail = clinician.get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Version 1 stays in force until both partners accept a new one" in detail
    assert "you both" not in detail.lower()
    listing = clinician.get(f"/cases/{case.pk}/agreements/").content.decode()
    assert "once both partners have accepted" in listing and "you have both" not in listing
    day = clinician.get(f"/commitments/{commitment.pk}/").content.decode()
    assert "Bo: No text came." in day and "You:" not in day
    # The partners themselves are spoken to.
    actions.accept_version(partner_b, agreement, version_number=2)
    mine = client_for("partner_b").get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Active: you have both accepted version 2" in mine
    theirs = clinician.get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Active: both partners have accepted version 2" in theirs


# --- stopping a commitment takes a confirmation ---------------------------------------------


def test_stopping_a_commitment_asks_first_on_the_page_and_in_the_api(
    commitment, partner_a, case, client_for
):
    client = client_for("partner_a")
    page = client.get(f"/commitments/{commitment.pk}/").content.decode()
    assert 'name="confirm"' in page and "Yes, stop this commitment" in page

    one_tap = client.post(f"/commitments/{commitment.pk}/end/")
    assert one_tap.status_code == 400
    assert "Tick “Yes, stop this commitment”" in one_tap.content.decode()
    api = client.post(
        f"/api/v1/commitments/{commitment.pk}/end", {}, content_type="application/json"
    )
    assert api.status_code == 400
    assert api.json()["detail"][0]["loc"] == ["body", "confirm"]
    commitment.refresh_from_db()
    assert commitment.ended_at is None

    confirmed = client.post(f"/commitments/{commitment.pk}/end/", {"confirm": "on"})
    assert confirmed.status_code == 302
    commitment.refresh_from_db()
    assert commitment.ended_at is not None
    after = client.get(f"/commitments/{commitment.pk}/").content.decode()
    assert "Stop this commitment" not in after and "Record how it went" not in after


# --- recording a day again is an explicit change ---------------------------------------------


def test_recording_a_day_again_differently_asks_before_changing_it(
    commitment, partner_a, client_for
):
    client = client_for("partner_a")
    url = f"/commitments/{commitment.pk}/record/"
    day = timezone.localdate() - timedelta(days=1)
    kept = {"due_on": day.isoformat(), "outcome": "kept", "submission_key": "first"}
    assert client.post(url, kept).status_code == 302
    # The same answer again, from a fresh form: nothing to ask, nothing changes.
    assert client.post(url, {**kept, "submission_key": "again"}).status_code == 302

    missed = {"due_on": day.isoformat(), "outcome": "missed", "submission_key": "second"}
    asked = client.post(url, missed)
    assert asked.status_code == 409
    text = asked.content.decode()
    label = f"Yes, change {day:%a} {day.day} {day:%b} to “missed”"
    assert f"You already recorded {day:%a} {day.day} {day:%b} as kept." in text
    assert label in text and 'type="checkbox" name="change"' in text
    assert Occurrence.objects.get().outcome == "kept"

    changed = client.post(url, {**missed, "change": "on"}, follow=True)
    assert f"Changed {day.day} {day:%b} to missed." in changed.content.decode()
    assert Occurrence.objects.get().outcome == "missed"


def test_the_api_refuses_an_unconfirmed_change_of_a_recorded_day(commitment, partner_a, client_for):
    client = client_for("partner_a")
    url = f"/api/v1/commitments/{commitment.pk}/occurrences"
    day = timezone.localdate().isoformat()
    first = client.post(url, {"due_on": day, "outcome": "kept"}, content_type="application/json")
    assert first.status_code == 201
    repeat = client.post(url, {"due_on": day, "outcome": "kept"}, content_type="application/json")
    assert repeat.status_code == 201 and repeat.json()["id"] == first.json()["id"]
    other = client.post(url, {"due_on": day, "outcome": "missed"}, content_type="application/json")
    assert other.status_code == 409
    assert other.json()["detail"][0]["loc"] == ["body", "change"]
    assert Occurrence.objects.get().outcome == "kept"
    change = {"due_on": day, "outcome": "missed", "change": True}
    assert client.post(url, change, content_type="application/json").status_code == 201
    assert Occurrence.objects.get().outcome == "missed"


def test_a_refused_answer_is_explained_beside_its_day(commitment, partner_a, partner_b, client_for):
    occurrence = actions.record_occurrence(
        partner_a, commitment, due_on=timezone.localdate(), outcome="kept"
    )
    response = client_for("partner_b").post(
        f"/occurrences/{occurrence.pk}/answer/", {"verdict": "disputed", "note": ""}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Say briefly how you saw it." in text
    assert "<details open>" in text
