"""Session notes: the clinician's own structured record (data, assessment, plan).

A draft can change; signing locks it, and corrections are appended as addenda. Notes are
clinician-only: partners, other clinicians and the practice admin get 404 and never meet the
text anywhere else either. Every read of a note is itself audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from retrust.clinic import actions as clinic_actions
from retrust.clinic.models import NoteAddendum, SessionNote
from retrust.core.actions import ActionError
from retrust.core.models import AuditEvent, Case, User

DATA = "Ari described the night of the phone call in detail"
ASSESSMENT = "Withdrawal-pursuit cycle, both flooding quickly"
PLAN = "Time-out practice twice this week"
ADDENDUM = "Correction: the phone call was in March, not April"


def note_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "session_date": timezone.localdate().isoformat(),
        "data": DATA,
        "assessment": ASSESSMENT,
        "plan": PLAN,
    }
    data.update(overrides)
    return data


def text(response: Any) -> str:
    return response.content.decode()


def note_state(note: SessionNote) -> tuple[Any, ...]:
    return tuple(
        SessionNote.objects.filter(pk=note.pk)
        .values_list("session_date", "data", "assessment", "plan", "signed_at")
        .get()
    )


@pytest.fixture
def draft(case: Case, clinician: User) -> SessionNote:
    return clinic_actions.save_note(
        clinician,
        case,
        note=None,
        session_date=timezone.localdate(),
        data=DATA,
        assessment=ASSESSMENT,
        plan=PLAN,
    )


@pytest.fixture
def signed(case: Case, clinician: User) -> SessionNote:
    note = clinic_actions.save_note(
        clinician,
        case,
        note=None,
        session_date=timezone.localdate() - timedelta(days=1),
        data=DATA,
        assessment=ASSESSMENT,
        plan=PLAN,
        sign=True,
    )
    clinic_actions.add_addendum(clinician, note, ADDENDUM)
    return note


def test_a_draft_is_created_and_updated(
    case: Case, partner_a: User, clinician: User, client_for: Callable[[str], Client]
) -> None:
    client = client_for("clinician")
    page = client.get(f"/cases/{case.pk}/notes/new/")
    assert page.status_code == 200
    assert "Session note" in text(page)

    response = client.post(f"/cases/{case.pk}/notes/new/", note_form(save=""))
    assert response.status_code == 302
    note = SessionNote.objects.get()
    assert response["Location"] == f"/cases/{case.pk}/notes/{note.pk}/"
    assert (note.case, note.author, note.data, note.is_signed) == (case, clinician, DATA, False)

    response = client.post(
        f"/cases/{case.pk}/notes/{note.pk}/", note_form(plan="A changed plan", save="")
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.plan, note.is_signed) == ("A changed plan", False)
    assert SessionNote.objects.count() == 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="retrust.session_note").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["retrust.session_note.created", "retrust.session_note.updated"]
    # The note's text never goes into the audit log.
    for event in AuditEvent.objects.all():
        assert DATA not in str(event.details) and "A changed plan" not in str(event.details)

    page = text(client.get(f"/cases/{case.pk}/"))
    assert f'href="/cases/{case.pk}/notes/{note.pk}/"' in page
    assert '<span class="badge">Draft</span>' in page


def test_signing_locks_the_note(
    draft: SessionNote, case: Case, client_for: Callable[[str], Client]
) -> None:
    client = client_for("clinician")
    response = client.post(f"/cases/{case.pk}/notes/{draft.pk}/", note_form(sign=""))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed
    assert AuditEvent.objects.filter(action="retrust.session_note.signed").count() == 1
    before = note_state(draft)

    page = client.get(f"/cases/{case.pk}/notes/{draft.pk}/")
    assert "A signed note can't change" in text(page)
    assert 'name="sign"' not in text(page)

    for attempt in [note_form(data="Rewritten", save=""), note_form(data="Rewritten", sign="")]:
        response = client.post(f"/cases/{case.pk}/notes/{draft.pk}/", attempt)
        assert response.status_code == 400
        assert "This note is signed and can&#x27;t change." in text(response)
        assert note_state(draft) == before
    with pytest.raises(ActionError):
        clinic_actions.save_note(
            case.clinicians.get(),
            case,
            note=draft,
            session_date=draft.session_date,
            data="Rewritten",
            assessment="",
            plan="",
        )
    assert note_state(draft) == before
    assert AuditEvent.objects.filter(action="retrust.session_note.signed").count() == 1


def test_signing_an_empty_note_is_refused(
    case: Case, clinician: User, client_for: Callable[[str], Client]
) -> None:
    response = client_for("clinician").post(
        f"/cases/{case.pk}/notes/new/", note_form(data="", assessment=" ", plan="", sign="")
    )
    assert response.status_code == 400
    assert "Write something before signing the note." in text(response)
    assert not SessionNote.objects.exists()


def test_addenda_only_on_signed_notes(
    draft: SessionNote,
    signed: SessionNote,
    case: Case,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("clinician")
    response = client.post(
        f"/cases/{case.pk}/notes/{signed.pk}/addenda/", {"body": "And one more thing"}
    )
    assert response.status_code == 302
    assert list(signed.addenda.values_list("body", flat=True)) == [ADDENDUM, "And one more thing"]
    page = text(client.get(f"/cases/{case.pk}/notes/{signed.pk}/"))
    assert ADDENDUM in page and "And one more thing" in page and DATA in page

    # An empty addendum: a clear message, nothing added.
    response = client.post(f"/cases/{case.pk}/notes/{signed.pk}/addenda/", {"body": "  "})
    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert signed.addenda.count() == 2

    # A draft is edited directly: the addendum is refused with a message, the draft kept.
    before = note_state(draft)
    response = client.post(f"/cases/{case.pk}/notes/{draft.pk}/addenda/", {"body": "Not here"})
    assert response.status_code == 400
    assert "This note is still a draft: edit it directly." in text(response)
    # The draft's own form comes back filled in, not empty.
    assert DATA in text(response)
    assert not draft.addenda.exists()
    assert note_state(draft) == before
    with pytest.raises(ActionError):
        clinic_actions.add_addendum(case.clinicians.get(), draft, "Not here either")
    assert not NoteAddendum.objects.filter(note=draft).exists()


def test_addendum_is_audited_without_its_text(
    signed: SessionNote,
) -> None:
    event = AuditEvent.objects.get(action="retrust.session_note.addendum_added")
    assert event.case_id == signed.case_id
    assert ADDENDUM not in str(event.details)


@pytest.mark.parametrize("days_ahead", [1, 30])
def test_future_session_dates_are_refused(
    days_ahead: int, case: Case, clinician: User, client_for: Callable[[str], Client]
) -> None:
    future = (timezone.localdate() + timedelta(days=days_ahead)).isoformat()
    response = client_for("clinician").post(
        f"/cases/{case.pk}/notes/new/", note_form(session_date=future, save="")
    )
    assert response.status_code == 400
    assert "The session date can&#x27;t be in the future." in text(response)
    assert not SessionNote.objects.exists()


def test_a_missing_date_is_refused(
    case: Case, clinician: User, client_for: Callable[[str], Client]
) -> None:
    response = client_for("clinician").post(
        f"/cases/{case.pk}/notes/new/", note_form(session_date="", save="")
    )
    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert not SessionNote.objects.exists()


def test_a_note_of_another_case_is_not_found_through_this_one(
    signed: SessionNote,
    practice: Any,
    clinician: User,
    client_for: Callable[[str], Client],
) -> None:
    mine_too = Case.objects.create(practice=practice, label="Also mine")
    mine_too.clinicians.add(clinician)
    client = client_for("clinician")
    assert client.get(f"/cases/{mine_too.pk}/notes/{signed.pk}/").status_code == 404
    response = client.post(f"/cases/{mine_too.pk}/notes/{signed.pk}/addenda/", {"body": "x"})
    assert response.status_code == 404
    assert signed.addenda.count() == 1


def test_reading_a_note_is_audited(
    signed: SessionNote, case: Case, clinician: User, client_for: Callable[[str], Client]
) -> None:
    before = AuditEvent.objects.filter(action="retrust.case.content.viewed").count()
    client_for("clinician").get(f"/cases/{case.pk}/notes/{signed.pk}/")
    events = AuditEvent.objects.filter(action="retrust.case.content.viewed").order_by("-id")
    assert events.count() == before + 1
    event = events.first()
    assert event is not None
    assert (event.actor, event.case) == (clinician, case)
    # Written by the access object (one row per kind of read per request), which counts none.
    assert event.details == {"what": "session_note"}


# --- nobody else reads notes ----------------------------------------------------------------

OUTSIDERS = ["partner_a", "partner_b", "other_clinician", "other_practice_clinician", "admin"]


@pytest.mark.parametrize("persona", [*OUTSIDERS, "anonymous"])
def test_notes_are_not_found_by_anyone_but_the_case_clinician(
    persona: str,
    draft: SessionNote,
    signed: SessionNote,
    case: Case,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for(persona)
    expected = 302 if persona == "anonymous" else 404
    before = {n.pk: note_state(n) for n in (draft, signed)}
    for note in (draft, signed):
        assert client.get(f"/cases/{case.pk}/notes/{note.pk}/").status_code == expected
        response = client.post(f"/cases/{case.pk}/notes/{note.pk}/", note_form(data="Mine now"))
        assert response.status_code == expected
        response = client.post(f"/cases/{case.pk}/notes/{note.pk}/addenda/", {"body": "Mine"})
        assert response.status_code == expected
    assert client.get(f"/cases/{case.pk}/notes/new/").status_code == expected
    response = client.post(f"/cases/{case.pk}/notes/new/", note_form(save=""))
    assert response.status_code == expected
    assert {n.pk: note_state(n) for n in (draft, signed)} == before
    assert SessionNote.objects.count() == 2
    assert NoteAddendum.objects.count() == 1


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_note_text_reaches_no_page_an_outsider_can_open(
    persona: str,
    draft: SessionNote,
    signed: SessionNote,
    case: Case,
    other_practice_case: Case,
    client_for: Callable[[str], Client],
) -> None:
    client = client_for(persona)
    urls = [
        "/home/",
        "/account/",
        "/help/",
        "/caseload/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/notes/{draft.pk}/",
        f"/cases/{case.pk}/notes/{signed.pk}/",
        f"/cases/{case.pk}/safety-check/",
        "/practice/",
        "/practice/audit/",
        f"/practice/audit/?case={case.pk}",
        "/practice/audit/?action=retrust.session_note",
        "/practice/crisis-resources/",
        "/api/v1/me",
        "/api/v1/cases",
        f"/api/v1/cases/{case.pk}",
        f"/api/v1/cases/{case.pk}/members",
        f"/api/v1/cases/{case.pk}/journal",
    ]
    seen = "\n".join(text(client.get(url, follow=True)) for url in urls)
    for secret in [DATA, ASSESSMENT, PLAN, ADDENDUM, "Session notes", "Write a session note"]:
        assert secret not in seen, (persona, secret)


def test_the_case_clinician_sees_the_notes_listed(
    draft: SessionNote, signed: SessionNote, case: Case, client_for: Callable[[str], Client]
) -> None:
    page = text(client_for("clinician").get(f"/cases/{case.pk}/"))
    assert page.count('<span class="badge">Signed</span>') == 1
    assert page.count('<span class="badge">Draft</span>') == 1
