"""Who may open and change what in agreements: every page and API route, every persona.

Same table style as ``tests/test_access_matrix.py``: one row per route, saying what each
persona gets; everyone not named gets 404 (JSON 404 on the API), anonymous visitors are sent
to sign in (401 on the API). POST rows name the state they would change: it changes for the
people allowed and stays exactly as it was for everyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from retrust.agreements import actions
from retrust.agreements.models import (
    Agreement,
    AgreementNote,
    AgreementSettings,
    AgreementVersion,
    BreachReport,
    Commitment,
    Confirmation,
    Consent,
    DisputeReply,
    Occurrence,
)
from retrust.core.models import Case, User
from tests.conftest import PERSONAS
from tests.support.audit import ten_minutes_pass
from tests.support.matrix import (
    IN_CASE,
    Redirect,
    Route,
    api,
    check,
    matrix,
    pages,
)

SECRET_TEXT = "Phones-face-up-marker: we keep phones face up after dinner"
SECRET_ACTION = "Commitment-marker: text if I am more than fifteen minutes late"
SECRET_BREACH = "Breach-marker: phone face down during dinner on Tuesday"
OTHER_TEXT = "Other-practice-marker: their own agreement"


@dataclass
class World:
    case: Case
    other_case: Case
    active: Agreement
    proposed: Agreement
    other_agreement: Agreement
    commitment: Commitment
    occurrence: Occurrence
    breach: BreachReport
    disputed: Occurrence

    @property
    def ids(self) -> dict[str, int]:
        return {
            "case": self.case.pk,
            "other_case": self.other_case.pk,
            "active": self.active.pk,
            "proposed": self.proposed.pk,
            "other_agreement": self.other_agreement.pk,
            "commitment": self.commitment.pk,
            "occurrence": self.occurrence.pk,
            "breach": self.breach.pk,
            "disputed": self.disputed.pk,
        }


@pytest.fixture
def world(
    personas: dict[str, User | None],
    case: Case,
    other_practice_case: Case,
    partner_a: User,
    partner_b: User,
) -> World:
    from retrust.core.models import CaseMember
    from tests.conftest import make_user

    active = actions.propose_agreement(
        partner_a, case, category="transparency", title="Phones", text=SECRET_TEXT
    )
    active = actions.accept_version(partner_b, active, version_number=1)
    proposed = actions.propose_agreement(
        partner_a, case, category="money", title="Spending", text="Ask before big purchases."
    )
    commitment = actions.make_commitment(
        partner_a,
        case,
        action=SECRET_ACTION,
        schedule="daily",
        starts_on=timezone.localdate() - timedelta(days=10),
        agreement=active,
    )
    occurrence = actions.record_occurrence(
        partner_a, commitment, due_on=timezone.localdate() - timedelta(days=1), outcome="kept"
    )
    breach = actions.report_breach(
        partner_a, active, what_happened=SECRET_BREACH, happened_on=timezone.localdate()
    )
    disputed = actions.record_occurrence(
        partner_a, commitment, due_on=timezone.localdate() - timedelta(days=3), outcome="kept"
    )
    actions.answer_occurrence(partner_b, disputed, verdict="disputed", note="Not how I saw it")
    cy = make_user("cy@example.org", "Cy")
    di = make_user("di@example.org", "Di")
    CaseMember.objects.create(case=other_practice_case, user=cy, role="partner_a")
    CaseMember.objects.create(case=other_practice_case, user=di, role="partner_b")
    other = actions.propose_agreement(
        cy, other_practice_case, category="other", title="Theirs", text=OTHER_TEXT
    )
    return World(
        case=case,
        other_case=other_practice_case,
        active=active,
        proposed=proposed,
        other_agreement=other,
        commitment=commitment,
        occurrence=occurrence,
        breach=breach,
        disputed=disputed,
    )


# --- state snapshots ------------------------------------------------------------------------


def agreements_state(world: World) -> Any:
    return sorted(Agreement.objects.values_list("id", "status", "latest_number"))


def versions_state(world: World) -> Any:
    return (
        sorted(AgreementVersion.objects.values_list("id", "number", "text")),
        sorted(Consent.objects.values_list("id", "decision")),
        agreements_state(world),
    )


def renegotiation_state(world: World) -> Any:
    return Agreement.objects.filter(pk=world.active.pk).values_list(
        "renegotiation_requested_at", flat=True
    )[0]


def notes_state(world: World) -> Any:
    return sorted(AgreementNote.objects.values_list("id", "author_id"))


def commitments_state(world: World) -> Any:
    return sorted(Commitment.objects.values_list("id", "author_id"))


def ended_state(world: World) -> Any:
    return Commitment.objects.filter(pk=world.commitment.pk).values_list("ended_at", flat=True)[0]


def occurrences_state(world: World) -> Any:
    return sorted(Occurrence.objects.values_list("id", "due_on", "outcome"))


def confirmations_state(world: World) -> Any:
    return sorted(Confirmation.objects.values_list("id", "verdict"))


def replies_state(world: World) -> Any:
    return sorted(DisputeReply.objects.values_list("id", "author_id"))


def breaches_state(world: World) -> Any:
    return sorted(BreachReport.objects.values_list("id", "response", "response_text"))


def settings_state(world: World) -> Any:
    return list(AgreementSettings.objects.values_list("breach_threshold", "breach_period_days"))


TODAY = timezone.localdate().isoformat()
READERS = IN_CASE

PAGE_ROUTES = [
    Route(
        "agreements nav",
        "GET",
        "/agreements/",
        pages(
            partner_a=Redirect("/cases/{case}/agreements/"),
            partner_b=Redirect("/cases/{case}/agreements/"),
        ),
    ),
    Route("case agreements", "GET", "/cases/{case}/agreements/", pages(**READERS)),
    Route(
        "other practice agreements",
        "GET",
        "/cases/{other_case}/agreements/",
        pages(other_practice_clinician=200),
    ),
    Route("case ledger", "GET", "/cases/{case}/ledger/", pages(**READERS)),
    Route("agreement", "GET", "/agreements/{active}/", pages(**READERS)),
    Route("proposed agreement", "GET", "/agreements/{proposed}/", pages(**READERS)),
    Route(
        "other practice agreement",
        "GET",
        "/agreements/{other_agreement}/",
        pages(other_practice_clinician=200),
    ),
    Route("commitment", "GET", "/commitments/{commitment}/", pages(**READERS)),
    Route(
        "propose",
        "POST",
        "/cases/{case}/agreements/new/",
        pages(partner_a=Redirect("/agreements/"), partner_b=Redirect("/agreements/")),
        data={"category": "communication", "title": "Check-ins", "text": "A daily check-in."},
        state=agreements_state,
    ),
    Route(
        "propose in other practice case",
        "POST",
        "/cases/{other_case}/agreements/new/",
        pages(),
        data={"category": "communication", "title": "Sneak", "text": "Sneaking in."},
        state=agreements_state,
    ),
    Route(
        "accept",
        "POST",
        "/agreements/{proposed}/accept/",
        pages(
            partner_a=Redirect("/agreements/{proposed}/"),
            partner_b=Redirect("/agreements/{proposed}/"),
        ),
        data={"version": 1},
        state=versions_state,
        unchanged=frozenset({"partner_a"}),  # proposing it already was partner_a's consent
    ),
    Route(
        "decline",
        "POST",
        "/agreements/{proposed}/decline/",
        pages(partner_a=400, partner_b=Redirect("/agreements/{proposed}/")),
        data={"version": 1, "reason": "Not yet."},
        state=versions_state,
    ),
    Route(
        "amend",
        "POST",
        "/agreements/{proposed}/amend/",
        pages(
            partner_a=Redirect("/agreements/{proposed}/"),
            partner_b=Redirect("/agreements/{proposed}/"),
        ),
        data={"based_on": 1, "title": "Spending", "text": "Ask before anything over 100."},
        state=versions_state,
    ),
    Route(
        "renegotiate",
        "POST",
        "/agreements/{active}/renegotiate/",
        pages(
            partner_a=Redirect("/agreements/{active}/"),
            partner_b=Redirect("/agreements/{active}/"),
        ),
        state=renegotiation_state,
    ),
    Route(
        "annotate",
        "POST",
        "/agreements/{active}/notes/",
        pages(clinician=Redirect("/agreements/{active}/")),
        data={"text": "Let's revisit this next session."},
        state=notes_state,
    ),
    Route(
        "report breach",
        "POST",
        "/agreements/{active}/breaches/",
        pages(
            partner_a=Redirect("/agreements/{active}/"),
            partner_b=Redirect("/agreements/{active}/"),
        ),
        data={"what_happened": "Again at dinner", "happened_on": TODAY},
        state=breaches_state,
    ),
    Route(
        "respond to breach",
        "POST",
        "/breaches/{breach}/respond/",
        pages(partner_b=Redirect("/agreements/{active}/")),
        data={"response": "responsibility", "text": ""},
        state=breaches_state,
    ),
    Route(
        "make commitment",
        "POST",
        "/cases/{case}/commitments/new/",
        pages(partner_a=Redirect("/commitments/"), partner_b=Redirect("/commitments/")),
        data={"action": "Say goodnight", "schedule": "daily"},
        state=commitments_state,
    ),
    Route(
        "record occurrence",
        "POST",
        "/commitments/{commitment}/record/",
        pages(partner_a=Redirect("/commitments/{commitment}/")),
        data={"due_on": TODAY, "outcome": "kept"},
        state=occurrences_state,
    ),
    Route(
        "record several days",
        "POST",
        "/commitments/{commitment}/days/",
        pages(partner_a=Redirect("/commitments/{commitment}/")),
        data={f"day_{TODAY}": "kept"},
        state=occurrences_state,
    ),
    Route(
        "confirm several days",
        "POST",
        "/commitments/{commitment}/confirmations/",
        pages(partner_b=Redirect("/commitments/{commitment}/")),
        data={"occurrences": "{occurrence}"},
        state=confirmations_state,
    ),
    Route(
        "reply under a day seen differently",
        "POST",
        "/occurrences/{disputed}/replies/",
        pages(
            partner_a=Redirect("/commitments/{commitment}/"),
            partner_b=Redirect("/commitments/{commitment}/"),
        ),
        data={"body": "Can we talk about Tuesday?"},
        state=replies_state,
    ),
    Route(
        "stop commitment",
        "POST",
        "/commitments/{commitment}/end/",
        pages(partner_a=Redirect("/cases/{case}/agreements/")),
        data={"confirm": "on"},
        state=ended_state,
    ),
    Route(
        "confirm occurrence",
        "POST",
        "/occurrences/{occurrence}/answer/",
        pages(partner_b=Redirect("/commitments/{commitment}/")),
        data={"verdict": "confirmed"},
        state=confirmations_state,
    ),
    Route("practice settings", "GET", "/practice/agreements/", pages(admin=200)),
    Route(
        "change practice settings",
        "POST",
        "/practice/agreements/",
        pages(admin=Redirect("/practice/agreements/")),
        data={"breach_threshold": 2, "breach_period_days": 14},
        state=settings_state,
    ),
]

API_ROUTES = [
    Route("agreements", "GET", "/api/v1/cases/{case}/agreements", api(**READERS)),
    Route("agreement", "GET", "/api/v1/agreements/{active}", api(**READERS)),
    Route("commitments", "GET", "/api/v1/cases/{case}/commitments", api(**READERS)),
    Route("occurrences", "GET", "/api/v1/commitments/{commitment}/occurrences", api(**READERS)),
    Route("ledger", "GET", "/api/v1/commitments/{commitment}/ledger", api(**READERS)),
    Route(
        "propose",
        "POST",
        "/api/v1/cases/{case}/agreements",
        api(partner_a=201, partner_b=201),
        data={"category": "communication", "title": "Check-ins", "text": "A daily check-in."},
        state=agreements_state,
    ),
    Route(
        "accept",
        "POST",
        "/api/v1/agreements/{proposed}/accept",
        api(partner_a=200, partner_b=200),
        data={"version": 1},
        state=versions_state,
        unchanged=frozenset({"partner_a"}),
    ),
    Route(
        "decline",
        "POST",
        "/api/v1/agreements/{proposed}/decline",
        api(partner_a=400, partner_b=200),
        data={"version": 1, "reason": "Not yet."},
        state=versions_state,
    ),
    Route(
        "amend",
        "POST",
        "/api/v1/agreements/{proposed}/versions",
        api(partner_a=201, partner_b=201),
        data={"based_on": 1, "title": "Spending", "text": "Ask before anything over 100."},
        state=versions_state,
    ),
    Route(
        "renegotiate",
        "POST",
        "/api/v1/agreements/{active}/renegotiation",
        api(partner_a=200, partner_b=200),
        state=renegotiation_state,
    ),
    Route(
        "annotate",
        "POST",
        "/api/v1/agreements/{active}/notes",
        api(clinician=201),
        data={"text": "Let's revisit this next session."},
        state=notes_state,
    ),
    Route(
        "stop commitment",
        "POST",
        "/api/v1/commitments/{commitment}/end",
        api(partner_a=200),
        data={"confirm": True},
        state=ended_state,
    ),
    Route(
        "report breach",
        "POST",
        "/api/v1/agreements/{active}/breaches",
        api(partner_a=201, partner_b=201),
        data={"what_happened": "Again", "happened_on": TODAY},
        state=breaches_state,
    ),
    Route(
        "respond to breach",
        "POST",
        "/api/v1/breaches/{breach}/response",
        api(partner_b=200),
        data={"response": "view", "text": "I saw it another way."},
        state=breaches_state,
    ),
    Route(
        "make commitment",
        "POST",
        "/api/v1/cases/{case}/commitments",
        api(partner_a=201, partner_b=201),
        data={"action": "Say goodnight", "schedule": "daily"},
        state=commitments_state,
    ),
    Route(
        "record occurrence",
        "POST",
        "/api/v1/commitments/{commitment}/occurrences",
        api(partner_a=201),
        data={"due_on": TODAY, "outcome": "kept"},
        state=occurrences_state,
    ),
    Route(
        "confirm occurrence",
        "POST",
        "/api/v1/occurrences/{occurrence}/answer",
        api(partner_b=200),
        data={"verdict": "confirmed"},
        state=confirmations_state,
    ),
    Route(
        "days not yet recorded",
        "GET",
        "/api/v1/commitments/{commitment}/unrecorded",
        api(partner_a=200),
    ),
    Route(
        "record several days",
        "POST",
        "/api/v1/commitments/{commitment}/days",
        api(partner_a=201),
        data={"days": [{"due_on": TODAY, "outcome": "kept"}]},
        state=occurrences_state,
    ),
    Route(
        "confirm several days",
        "POST",
        "/api/v1/commitments/{commitment}/confirmations",
        api(partner_b=200),
        data={"occurrences": ["{occurrence}"]},
        state=confirmations_state,
    ),
    Route(
        "replies under a day seen differently",
        "GET",
        "/api/v1/occurrences/{disputed}/replies",
        api(**READERS),
    ),
    Route(
        "reply under a day seen differently",
        "POST",
        "/api/v1/occurrences/{disputed}/replies",
        api(partner_a=201, partner_b=201),
        data={"body": "Can we talk about Tuesday?"},
        state=replies_state,
    ),
]


MARKERS = [SECRET_TEXT, SECRET_ACTION, SECRET_BREACH, OTHER_TEXT]


@pytest.mark.parametrize(("route", "persona"), matrix(PAGE_ROUTES))
def test_page_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, world, client_for(persona), json_body=False)
    if response.status_code == 404:
        assert "text/html" in response["Content-Type"]
        text = response.content.decode()
        assert not any(marker in text for marker in MARKERS)


@pytest.mark.parametrize(("route", "persona"), matrix(API_ROUTES))
def test_api_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, world, client_for(persona), json_body=True)
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 404:
        assert response.json() == {"detail": "Not found."}


SEEN_URLS = [
    "/agreements/",
    "/cases/{case}/agreements/",
    "/cases/{case}/ledger/",
    "/agreements/{active}/",
    "/commitments/{commitment}/",
    "/api/v1/cases/{case}/agreements",
    "/api/v1/agreements/{active}",
    "/api/v1/cases/{case}/commitments",
    "/api/v1/commitments/{commitment}/occurrences",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_shared_content_reaches_exactly_the_couple_and_their_clinician(
    persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for(persona)
    seen = "\n".join(
        client.get(url.format(**world.ids), follow=True).content.decode() for url in SEEN_URLS
    )
    for marker in (SECRET_TEXT, SECRET_ACTION, SECRET_BREACH):
        assert (marker in seen) == (persona in READERS), marker
    assert OTHER_TEXT not in seen


def test_partners_see_the_agreement_detail_the_clinician_sees_no_consent_buttons(
    world: World, client_for: Callable[[str], Client]
) -> None:
    b_page = client_for("partner_b").get(f"/agreements/{world.proposed.pk}/").content.decode()
    assert "Accept version 1" in b_page
    clinician_page = client_for("clinician").get(f"/agreements/{world.proposed.pk}/")
    text = clinician_page.content.decode()
    assert "Accept version 1" not in text and "Add the note" in text


# What a clinician's read of each page and route is recorded as: one row per kind of content
# per request, the same kind for a page and the API route that show the same content.
CLINICAL_READS = [
    ("/cases/{case}/agreements/", ["agreements", "commitments"]),
    ("/agreements/{active}/", ["agreement"]),
    ("/commitments/{commitment}/", ["commitment"]),
    ("/cases/{case}/ledger/", ["ledger"]),
    ("/api/v1/cases/{case}/agreements", ["agreements"]),
    ("/api/v1/agreements/{active}", ["agreement"]),
    ("/api/v1/cases/{case}/commitments", ["commitments"]),
    ("/api/v1/commitments/{commitment}/occurrences", ["commitment"]),
    ("/api/v1/commitments/{commitment}/ledger", ["commitment"]),
]


def viewed_since(last_id: int) -> list[str]:
    from retrust.core.models import AuditEvent

    events = AuditEvent.objects.filter(action="retrust.case.content.viewed", id__gt=last_id)
    return sorted(event.details["what"] for event in events)


def last_audit_id() -> int:
    from retrust.core.models import AuditEvent

    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize("persona", ["clinician", "partner_a", "partner_b"])
@pytest.mark.parametrize(("url", "whats"), CLINICAL_READS)
def test_a_clinicians_reads_are_audited_once_per_request_and_partners_reads_never(
    url: str,
    whats: list[str],
    persona: str,
    world: World,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for(persona)
    for _ in range(2):  # every request is its own read (ten minutes apart: one row per window)
        ten_minutes_pass()
        since = last_audit_id()
        assert client.get(url.format(**world.ids)).status_code == 200
        assert viewed_since(since) == (sorted(whats) if persona == "clinician" else [])


def test_occurrence_notes_read_by_page_or_api_are_audited_alike(
    world: World, client_for: Callable[[str], Client]
) -> None:
    note = "Occurrence-note-marker: stuck on the train, texted at 18:05"
    actions.record_occurrence(
        world.commitment.author,
        world.commitment,
        due_on=timezone.localdate() - timedelta(days=2),
        outcome="kept",
        note=note,
    )
    page = f"/commitments/{world.commitment.pk}/"
    route = f"/api/v1/commitments/{world.commitment.pk}/occurrences"
    seen = {}
    for persona in ("clinician", "partner_a", "partner_b"):
        client = client_for(persona)
        for url in (page, route):
            ten_minutes_pass()
            since = last_audit_id()
            response = client.get(url)
            assert note in response.content.decode()
            seen[persona, url] = viewed_since(since)
    assert seen["clinician", page] == seen["clinician", route] == ["commitment"]
    for partner in ("partner_a", "partner_b"):
        assert seen[partner, page] == seen[partner, route] == []
