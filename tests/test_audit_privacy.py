"""Hole 13: the audit log tells the admin who did what kind of thing, never clinical detail,
and the clinician's case timeline never lists a partner's private activity.

Today a PHQ-9 answer, ``alert.raised`` and ``case.pause.started`` in the same second tell the
admin that someone reported thoughts of self-harm. Now clinical rows are one generic line per
person, case and day, with the date only; filtering by an action name never finds them.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from retrust.assessments import actions as measures
from retrust.conversations import actions as conversations
from retrust.core import actions, audit
from retrust.core.models import AuditEvent, Case, User
from retrust.safety.models import Alert, CasePause
from tests.conftest import signed_in_client

PHQ9_ITEM9 = {f"phq9-{i}": 0 for i in range(1, 9)} | {"phq9-9": 1}
REVEALING = [
    "phq",
    "PHQ",
    "alert",
    "pause",
    "intensity",
    "visibility",
    "trigger",
    "journal",
    "measure",
    "discernment",
    "decision",
    "separate",
    "Ari and Bo",
]


def text(response) -> str:
    return html.unescape(response.content.decode())


def table_rows(response) -> list[list[str]]:
    """The audit table's rows, each as its cells' text."""
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", text(response), flags=re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in row.split("</td><td")] for row in rows
    ]


def cells(row: list[str]) -> list[str]:
    return [re.sub(r"^[^>]*>", "", cell) for cell in row]


@pytest.fixture
def therapy(case: Case, partner_a: User, partner_b: User, clinician: User, admin: User) -> Case:
    """A day in the case: a PHQ-9 answer that raises an alert and pauses the case, private and
    shared entries, a check-in draft, a discernment decision and a clinician reading."""
    schedule, _ = measures.schedule_measure(
        clinician,
        case,
        instrument_id="phq-9",
        kind="every_n_weeks",
        every_weeks=2,
        starts_on=timezone.localdate(),
    )
    measures.submit_response(partner_a, schedule, PHQ9_ITEM9, submission_key="k9")
    assert Alert.objects.exists() and CasePause.objects.exists()
    measures.save_draft(partner_b, schedule, {"phq9-1": 1})
    conversations.log_trigger(
        partner_a, case, what_happened="The phone lit up", intensity=9, visibility="private"
    )
    conversations.log_trigger(
        partner_b, case, what_happened="A late text", intensity=4, visibility="clinician"
    )
    actions.write_journal_entry(partner_a, case, body="Only for me", visibility="private")
    actions.write_journal_entry(partner_b, case, body="For Dana", visibility="clinician")
    audit.record(
        clinician,
        "retrust.program.decision.recorded",
        case=case,
        details={"old": "", "new": "separate", "closing_plan": True},
    )
    audit.record(
        clinician,
        "retrust.case.content.viewed",
        case=case,
        details={"what": "safety_screen", "count": 1},
    )
    return case


# --- one classification -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("retrust.user.signed_in", "account"),
        ("retrust.user.password_reset", "account"),
        ("retrust.api_token.all_revoked", "security"),
        ("retrust.case.content.viewed", "access"),
        ("retrust.case.member.joined", "access"),
        ("retrust.measure.fhir.exported", "access"),
        ("retrust.invitation.created", "invitation"),
        ("retrust.practice.member.joined", "practice"),
        ("retrust.crisis_resource.added", "practice"),
        ("retrust.measure.response.submitted", "clinical"),
        ("retrust.alert.raised", "clinical"),
        ("retrust.case.pause.started", "clinical"),
        ("retrust.case.track.changed", "clinical"),
        ("retrust.trigger.logged", "clinical"),
        ("retrust.program.decision.recorded", "clinical"),
        ("retrust.contact.messages_unsafe.marked", "clinical"),
        ("retrust.case.createdish", "clinical"),  # exact names don't match longer ones
        ("retrust.something.new", "clinical"),  # unknown means clinical
    ],
)
def test_every_action_has_one_kind(action, kind):
    assert audit.kind_of(action) == kind


def test_every_action_in_the_code_is_classified_and_the_query_agrees(db):
    names = set()
    for path in Path(audit.__file__).resolve().parents[1].rglob("*.py"):
        names |= set(re.findall(r'"(retrust\.[a-z_]+(?:\.[a-z_]+)+)"', path.read_text()))
    assert len(names) > 40
    for name in names:
        AuditEvent.objects.create(action=name)
    for kind in audit.KIND_LABELS:
        listed = set(audit.of_kind(AuditEvent.objects.all(), kind).values_list("action", flat=1))
        assert listed == {name for name in names if audit.kind_of(name) == kind}, kind


# --- the admin's view -------------------------------------------------------------------------


def test_the_admin_sees_no_clinical_detail_and_no_clinical_name(therapy, admin):
    response = signed_in_client(admin).get("/practice/audit/")
    assert response.status_code == 200
    rows = table_rows(response)
    table = "\n".join(" | ".join(row) for row in rows)
    for word in REVEALING:
        assert word not in table, word
    for name in re.findall(r"retrust\.[a-z_.]+", table):
        assert audit.kind_of(name) != audit.CLINICAL, name


def test_clinical_activity_is_one_dated_line_per_person_and_case(therapy, admin):
    rows = [cells(row) for row in table_rows(signed_in_client(admin).get("/practice/audit/"))]
    clinical = [row for row in rows if row[2] == "Clinical record changed"]
    # Ari (answers, entries), Bo (entries) and Dana (the decision): one line each, no time.
    assert sorted(row[1] for row in clinical) == [
        "ari@example.org",
        "bo@example.org",
        "clinician@example.org",
    ]
    today = timezone.localdate().isoformat()
    for row in clinical:
        assert row[0] == today
        assert row[3] == "" and row[5] == ""
    # Rows the system wrote by itself (the alert, the pause) are not shown at all.
    assert not [row for row in clinical if row[1] == "system"]
    # Non-clinical rows keep their exact time and action.
    access = [row for row in rows if row[3] == "retrust.case.content.viewed"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", access[0][0])
    assert access[0][5] == "count=1"  # what was read stays in the database


@pytest.mark.parametrize(
    "prefix",
    [
        "retrust.alert",
        "retrust.case.pause",
        "retrust.measure",
        "retrust.measure.response",
        "retrust.trigger",
        "retrust.program",
        "retrust.case",
        "retrust.",
        "r",
    ],
)
def test_no_action_prefix_recovers_a_clinical_kind(therapy, admin, prefix):
    rows = table_rows(signed_in_client(admin).get(f"/practice/audit/?action={prefix}"))
    for row in rows:
        assert "Clinical record changed" not in row
        for name in re.findall(r"retrust\.[a-z_.]+", " ".join(row)):
            assert audit.kind_of(name) != audit.CLINICAL


def test_the_admin_can_list_clinical_activity_by_kind_only(therapy, admin):
    client = signed_in_client(admin)
    clinical = [cells(row) for row in table_rows(client.get("/practice/audit/?kind=clinical"))]
    assert clinical and all(row[2] == "Clinical record changed" for row in clinical)
    account = [cells(row) for row in table_rows(client.get("/practice/audit/?kind=access"))]
    assert account and all(row[2] == "Access to a case" for row in account)


# --- the clinician's case timeline ------------------------------------------------------------


def timeline(response) -> str:
    page = text(response)
    return page[page.index('id="timeline-title"') :].split("</section>")[0]


def test_the_case_timeline_leaves_out_private_activity(therapy, clinician, partner_a, partner_b):
    shown = timeline(signed_in_client(clinician).get(f"/cases/{therapy.pk}/"))
    words = audit.TIMELINE_WORDS
    # Bo's entry for Dana and Bo's trigger shared with Dana; not Ari's own private ones.
    assert shown.count(words["retrust.journal.written"]) == 1
    assert shown.count(words["retrust.trigger.logged"]) == 1
    assert "<code>" not in shown  # a draft is its author's alone (it has no words: its code)
    assert words["retrust.measure.response.submitted"] in shown
    private = AuditEvent.objects.filter(case=therapy, private=True)
    assert set(private.values_list("action", flat=True)) == {
        "retrust.journal.written",
        "retrust.trigger.logged",
        "retrust.measure.draft.started",
    }
    assert set(private.values_list("actor", flat=True)) <= {partner_a.pk, partner_b.pk}


def test_changing_a_record_to_private_is_private_and_sharing_it_is_not(case, partner_a, clinician):
    entry = actions.write_journal_entry(partner_a, case, body="Not yet", visibility="private")
    actions.change_journal_visibility(partner_a, entry, "clinician")
    actions.change_journal_visibility(partner_a, entry, "private")
    actions.delete_journal_entry(partner_a, entry, confirmed=True)
    rows = AuditEvent.objects.filter(case=case).order_by("id")
    assert [(row.action, row.private) for row in rows] == [
        ("retrust.journal.written", True),
        ("retrust.journal.visibility_changed", False),
        ("retrust.journal.visibility_changed", True),
        ("retrust.journal.deleted", True),
    ]
    shown = timeline(signed_in_client(clinician).get(f"/cases/{case.pk}/"))
    assert shown.count("journal entry") == 1


# --- rows written before the private flag -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_earlier_private_activity():
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0004_user_messages_unsafe_since")])
    old = executor.loader.project_state(("core", "0004_user_messages_unsafe_since")).apps
    Event = old.get_model("core", "AuditEvent")
    for action, details in [
        ("retrust.journal.written", {"visibility": "private"}),
        ("retrust.journal.written", {"visibility": "couple"}),
        ("retrust.trigger.logged", {"intensity": 8, "visibility": "private"}),
        ("retrust.journal.visibility_changed", {"old": "couple", "new": "private"}),
        ("retrust.journal.visibility_changed", {"old": "private", "new": "couple"}),
        ("retrust.program.response.draft_saved", {"visibility": "couple"}),
        ("retrust.measure.draft.started", {"instrument": "phq-9"}),
        ("retrust.alert.raised", {}),
    ]:
        Event.objects.create(action=action, details=details)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    marked = [(event.action, event.private) for event in AuditEvent.objects.order_by("id")]
    assert marked == [
        ("retrust.journal.written", True),
        ("retrust.journal.written", False),
        ("retrust.trigger.logged", True),
        ("retrust.journal.visibility_changed", True),
        ("retrust.journal.visibility_changed", False),
        ("retrust.program.response.draft_saved", True),
        ("retrust.measure.draft.started", True),
        ("retrust.alert.raised", False),
    ]
