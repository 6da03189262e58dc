"""A partner's copy of their data: their own words, none of the other partner's, no safety
screen, a valid FHIR Bundle; prepared in the queue and downloaded once through a short-lived
link that only its owner can use."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from retrust.datarights import actions
from retrust.datarights.models import DataExport, ExportStatus
from retrust.datarights.package import DATA_NAME, FHIR_NAME
from retrust.notifications.models import Notification
from retrust.notifications.tick import run_tick
from tests.conftest import signed_in_client
from tests.datarights.plant import A_OWN, B_WORDS, SAFETY, plant
from tests.support.mail import run_queued_tasks


@pytest.fixture
def planted(case: Any, partner_a: Any, partner_b: Any, clinician: Any) -> dict[str, Any]:
    return plant(case, partner_a, partner_b, clinician)


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def prepared_copy(user: Any, capture: Any) -> bytes:
    with capture(execute=True):
        export = actions.request_export(user)
    run_queued_tasks()
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    return base64.b64decode(export.content)


def test_a_copy_holds_the_persons_own_words_and_none_of_the_other_partners(
    planted: dict[str, Any], partner_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    files = unzip(prepared_copy(partner_a, django_capture_on_commit_callbacks))
    everything = "\n".join(files.values())
    for marker in A_OWN:
        assert marker in everything, marker
    for marker in B_WORDS + SAFETY:
        assert marker not in everything, marker
    data = json.loads(files[DATA_NAME])
    # Joint records are there, with the other partner's part marked rather than dropped.
    agreement = data["agreements"]["agreements"][0]
    assert agreement["versions"][0]["proposed_by"] == "your partner"
    assert "not in your copy" in agreement["versions"][0]["text"]
    turns = data["conversations"]["conversations"][0]["turns"]
    assert [t["by"] for t in turns] == ["your partner", "you"]
    assert data["safety"] == {} and data["clinic"] == {}
    # Nothing in the copy says a safety screen, an alert or a pause ever happened.
    assert not re.search(r"safety|alert|pause", json.dumps(data["core"]["your_activity"]))


def test_the_fhir_bundle_is_valid_r4b_with_the_person_as_patient(
    planted: dict[str, Any], partner_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    files = unzip(prepared_copy(partner_a, django_capture_on_commit_callbacks))
    bundle = Bundle.model_validate_json(files[FHIR_NAME])
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds.count("Patient") == 1
    assert kinds.count("QuestionnaireResponse") == 1  # A's one sent response; not B's, no draft
    assert "Observation" in kinds and "Questionnaire" in kinds
    for entry in bundle.entry:
        resource = entry.resource
        if resource.get_resource_type() in ("QuestionnaireResponse", "Observation"):
            assert resource.subject.reference == "Patient/me"
    patient = bundle.entry[0].resource
    assert patient.telecom[0].value == partner_a.email


def test_the_copy_downloads_once_for_its_owner_only(
    planted: dict[str, Any],
    partner_a: Any,
    partner_b: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ari, bo = signed_in_client(partner_a), signed_in_client(partner_b)
    with django_capture_on_commit_callbacks(execute=True):
        assert ari.post("/account/data/copy/").status_code == 302
        ari.post("/account/data/copy/")  # a double click
    assert DataExport.objects.filter(user=partner_a).count() == 1
    assert "being prepared" in ari.get("/account/data/").content.decode()
    run_queued_tasks()
    export = DataExport.objects.get(user=partner_a)
    page = ari.get("/account/data/").content.decode()
    assert "Your copy is ready" in page

    # The other partner can neither make a link for it nor use one.
    assert bo.post(f"/account/data/copy/{export.pk}/link/").status_code == 302
    assert DataExport.objects.get(pk=export.pk).token_hash == ""
    link = ari.post(f"/account/data/copy/{export.pk}/link/")["Location"]
    assert link.startswith("/account/data/download/")
    assert bo.get(link).status_code == 404
    assert Client().get(link).status_code == 302  # to sign in

    response = ari.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "A-PRIVATE-JOURNAL" in unzip(response.content)[DATA_NAME]
    again = ari.get(link)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    export.refresh_from_db()
    assert export.status == ExportStatus.DOWNLOADED and export.content is None
    assert "You downloaded a copy" in ari.get("/account/data/").content.decode()


def test_a_link_runs_out_after_a_few_minutes(
    partner_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    prepared_copy(partner_a, django_capture_on_commit_callbacks)
    export = DataExport.objects.get(user=partner_a)
    ari = signed_in_client(partner_a)
    link = ari.post(f"/account/data/copy/{export.pk}/link/")["Location"]
    # Ten minutes later (the stored time moved back rather than the clock forward).
    DataExport.objects.filter(pk=export.pk).update(
        link_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert ari.get(link).status_code == 410
    # A new link for the same copy works (the copy itself waits for days).
    fresh = ari.post(f"/account/data/copy/{export.pk}/link/")["Location"]
    assert ari.get(fresh).status_code == 200


def test_the_tick_says_a_copy_is_ready_and_removes_it_after_a_week(
    partner_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    prepared_copy(partner_a, django_capture_on_commit_callbacks)
    run_tick()
    assert Notification.objects.filter(recipient=partner_a, kind="data_copy_ready").count() == 1
    run_tick(timezone.now() + actions.EXPORT_KEEP + timedelta(minutes=1))
    export = DataExport.objects.get(user=partner_a)
    assert export.status == ExportStatus.EXPIRED and export.content is None
    page = signed_in_client(partner_a).get("/account/data/").content.decode()
    assert "wasn't downloaded in time" in page


def test_a_copy_past_its_time_is_not_offered_even_before_the_tick_runs(
    partner_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    prepared_copy(partner_a, django_capture_on_commit_callbacks)
    DataExport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = signed_in_client(partner_a)
    page = client.get("/account/data/").content.decode()
    assert "wasn't downloaded in time" in page and "Prepare a new copy" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/data/copy/")
    assert DataExport.objects.filter(user=partner_a).count() == 2


def test_the_data_page_runs_the_same_queries_whatever_the_history(
    partner_a: Any, case: Any
) -> None:
    client = signed_in_client(partner_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/account/data/").status_code == 200
        return len(queries)

    small = count()
    now = timezone.now()
    for n in range(30):
        DataExport.objects.create(
            user=partner_a, status=ExportStatus.DOWNLOADED, created_at=now - timedelta(days=n)
        )
    actions.request_departure(partner_a)
    assert count() == small
