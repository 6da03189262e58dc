"""The clinician's case timeline: what happened, a page at a time; reads merged per window."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from retrust.core import audit
from retrust.core.models import AuditEvent
from tests.conftest import signed_in_client
from tests.support.audit import ten_minutes_pass


def viewed(case) -> int:
    return AuditEvent.objects.filter(case=case, action=audit.CONTENT_VIEWED).count()


def test_a_clinicians_repeated_read_within_ten_minutes_adds_no_row(clinician, case, partner_a):
    client = signed_in_client(clinician)
    client.get(f"/api/v1/cases/{case.pk}/journal")
    client.get(f"/api/v1/cases/{case.pk}/journal")
    client.get(f"/api/v1/cases/{case.pk}/journal")
    assert viewed(case) == 1
    ten_minutes_pass()
    client.get(f"/api/v1/cases/{case.pk}/journal")
    assert viewed(case) == 2


def test_another_clinician_or_another_kind_of_content_gets_its_own_row(
    clinician, other_clinician, case, partner_a
):
    case.clinicians.add(other_clinician)
    audit.record_content_viewed(clinician, case, "journal_entries")
    audit.record_content_viewed(clinician, case, "agreements")
    audit.record_content_viewed(other_clinician, case, "journal_entries")
    audit.record_content_viewed(clinician, case, "journal_entries")
    assert viewed(case) == 3


def add_events(case, clinician, count: int) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=clinician,
            actor_email=clinician.email,
            action="retrust.session_note.signed" if n % 2 else audit.CONTENT_VIEWED,
            case=case,
            practice=case.practice,
        )
        for n in range(count)
    )


def timeline_rows(response) -> int:
    page = response.content.decode()
    return page[page.index('id="timeline-title"') :].split("</section>")[0].count("<li>")


def test_the_timeline_leaves_out_reads_and_pages_through_the_rest(clinician, case):
    add_events(case, clinician, 60)  # 30 notes written, 30 reads
    client = signed_in_client(clinician)
    first = client.get(f"/cases/{case.pk}/")
    body = first.content.decode()
    assert timeline_rows(first) == audit.TIMELINE_PAGE
    assert audit.CONTENT_VIEWED not in body.split('id="timeline-title"')[1]
    assert "Older events" in body
    second = client.get(f"/cases/{case.pk}/?timeline=2")
    assert timeline_rows(second) == 30 - audit.TIMELINE_PAGE
    assert "Newer events" in second.content.decode()


def test_the_case_page_runs_the_same_queries_with_a_long_timeline(clinician, case):
    client = signed_in_client(clinician)
    add_events(case, clinician, 10)
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as small:
        client.get(f"/cases/{case.pk}/")
    add_events(case, clinician, 2_000)
    with CaptureQueriesContext(connection) as large:
        client.get(f"/cases/{case.pk}/")
    assert len(large) == len(small)


def test_the_timeline_says_in_plain_words_who_did_what(clinician, case, partner_a):
    audit.record(clinician, "retrust.session_note.signed", case=case)
    audit.record(partner_a, "retrust.journal.written", case=case)
    audit.record(None, "retrust.alert.raised", case=case)
    AuditEvent.objects.create(
        actor=None, actor_email="gone@example.org", action="retrust.case.track.changed", case=case
    )
    audit.record(clinician, "retrust.something.new", case=case)
    body = signed_in_client(clinician).get(f"/cases/{case.pk}/").content.decode()
    timeline = body.split('id="timeline-title"')[1].split("</section>")[0]
    assert "Dana Clinician signed a session note" in timeline
    assert "Ari wrote a journal entry" in timeline
    assert "retrust raised an alert" in timeline
    assert "gone@example.org changed the case&#x27;s track" in timeline
    # An action without words yet is still listed, by its code.
    assert "Dana Clinician — <code>retrust.something.new</code>" in timeline
    assert timeline.count("<code>") == 1


# Actions never recorded on a case (accounts, the practice, visitors before a case exists), or
# recorded only as a partner's private activity, which the timeline never lists; and the front
# door's signing salts, which look like actions.
NOT_ON_THE_TIMELINE = (
    "retrust.user.",
    "retrust.api_token.",
    "retrust.practice.",
    "retrust.crisis_resource.",
    "retrust.availability.",
    "retrust.keys.",
    "retrust.demo.",
    "retrust.notifications.",
    "retrust.agreement_settings.",
    "retrust.frontdoor.",
    "retrust.consultation.requested",
    "retrust.consultation.moved",
    "retrust.program.response.draft_saved",
    "retrust.measure.draft.started",
    "retrust.case.content.viewed",
)
NOT_ACTIONS = ("retrust.audit.signed_in", "retrust.audit.signed_out")  # signal dispatch ids
DOTTED = re.compile(r"[\"'](retrust(?:\.[a-z_]+)+)[\"']")


def _is_code_path(name: str) -> bool:
    """A module, or an attribute of one ("retrust.program.urls", "retrust.wsgi.application")."""
    module, _, _ = name.rpartition(".")
    for candidate in (name, module):
        try:
            if importlib.util.find_spec(candidate) is not None:
                return True
        except ModuleNotFoundError:  # a parent is not a package: not a code path
            pass
    return False


def test_every_action_a_case_can_record_has_plain_words():
    source = Path(audit.__file__).resolve().parents[1]
    names = {
        match
        for path in source.rglob("*.py")
        if "migrations" not in path.parts
        for match in DOTTED.findall(path.read_text())
    }
    actions = {
        name
        for name in names
        if name.count(".") >= 2
        and name not in NOT_ACTIONS
        and not name.startswith(NOT_ON_THE_TIMELINE)
        and not _is_code_path(name)
    }
    assert len(actions) > 80  # the scan found the actions, not nothing
    assert sorted(actions - set(audit.TIMELINE_WORDS)) == []
