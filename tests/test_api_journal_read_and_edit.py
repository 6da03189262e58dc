"""The JSON API for journal rewording and "I read this" (issue 17): the same actions as the
entry's page, so the author rewords only until the other partner has read it, a second "I read
this" is the same mark, both wait during a pause, nobody but the other partner marks an entry,
and the journal reads in constant queries however many marks it holds."""

from __future__ import annotations

from retrust.core import actions
from retrust.core import pause as core_pause
from retrust.core.models import AuditEvent, JournalEntry, JournalReadMark
from tests.conftest import pause_case
from tests.test_query_counts import assert_constant

PRIVATE = "Private-journal-marker: only for me"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_author_rewords_until_the_other_partner_says_they_read_it(
    case, partner_a, partner_b, client_for
):
    entry = actions.write_journal_entry(partner_a, case, body="Thank you", visibility="couple")
    a, b = client_for("partner_a"), client_for("partner_b")
    before = a.get(f"/api/v1/journal/{entry.pk}").json()
    assert before["can_edit"] is True and before["read_by"] == []

    edited = post(a, f"/api/v1/journal/{entry.pk}/edit", {"body": "Thank you for Sunday"})
    assert edited.status_code == 200 and edited.json()["body"] == "Thank you for Sunday"
    events = AuditEvent.objects.count()
    again = post(a, f"/api/v1/journal/{entry.pk}/edit", {"body": "Thank you for Sunday"})
    assert again.status_code == 200 and AuditEvent.objects.count() == events

    read = post(b, f"/api/v1/journal/{entry.pk}/read")
    assert read.status_code == 200
    assert [m["reader"] for m in read.json()["read_by"]] == ["Bo"]
    twice = post(b, f"/api/v1/journal/{entry.pk}/read")
    assert twice.status_code == 200 and twice.json() == read.json()
    assert JournalReadMark.objects.filter(entry=entry).count() == 1

    seen_by_author = a.get(f"/api/v1/journal/{entry.pk}").json()
    assert [m["reader"] for m in seen_by_author["read_by"]] == ["Bo"]
    assert seen_by_author["can_edit"] is False
    listed = a.get(f"/api/v1/cases/{case.pk}/journal").json()
    assert [m["reader"] for m in listed[0]["read_by"]] == ["Bo"]
    refused = post(a, f"/api/v1/journal/{entry.pk}/edit", {"body": "Something else"})
    assert refused.status_code == 400
    assert "already read this" in refused.json()["detail"][0]["msg"]
    assert JournalEntry.objects.get(pk=entry.pk).body == "Thank you for Sunday"
    assert post(a, f"/api/v1/journal/{entry.pk}/edit", {"body": ""}).status_code == 422


def test_only_the_other_partner_marks_and_only_the_author_rewords(
    case, partner_a, partner_b, client_for
):
    private = actions.write_journal_entry(partner_a, case, body=PRIVATE, visibility="private")
    shared = actions.write_journal_entry(partner_a, case, body="Shared", visibility="couple")
    b = client_for("partner_b")
    for response in (
        b.get(f"/api/v1/journal/{private.pk}"),
        post(b, f"/api/v1/journal/{private.pk}/read"),
        post(b, f"/api/v1/journal/{private.pk}/edit", {"body": "Mine now"}),
        post(b, f"/api/v1/journal/{shared.pk}/edit", {"body": "Mine now"}),
        post(client_for("partner_a"), f"/api/v1/journal/{shared.pk}/read"),
        post(client_for("clinician"), f"/api/v1/journal/{shared.pk}/read"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert PRIVATE not in b.get(f"/api/v1/cases/{case.pk}/journal").content.decode()
    assert not JournalReadMark.objects.exists()
    assert JournalEntry.objects.get(pk=shared.pk).body == "Shared"


def test_a_held_partner_can_neither_reword_a_shared_entry_nor_mark_one_read(
    case, partner_a, partner_b, client_for
):
    mine = actions.write_journal_entry(partner_a, case, body="Before", visibility="couple")
    theirs = actions.write_journal_entry(partner_b, case, body="Theirs", visibility="couple")
    private = actions.write_journal_entry(partner_a, case, body="Alone", visibility="private")
    pause_case(case, held_for=partner_a, shown=False)
    a = client_for("partner_a")
    for response in (
        post(a, f"/api/v1/journal/{mine.pk}/edit", {"body": "During"}),
        post(a, f"/api/v1/journal/{theirs.pk}/read"),
    ):
        assert response.status_code == 409
        assert response.json()["detail"][0]["msg"] == core_pause.HELD_MESSAGE
    assert JournalEntry.objects.get(pk=mine.pk).body == "Before"
    assert not JournalReadMark.objects.exists()
    # A private entry is no one else's: rewording it does not wait.
    assert post(a, f"/api/v1/journal/{private.pk}/edit", {"body": "Still mine"}).status_code == 200


def test_the_journal_reads_in_constant_queries_with_read_marks(
    case, partner_a, partner_b, client_for
):
    def write_and_read(n: int) -> None:
        for i in range(n):
            entry = actions.write_journal_entry(
                partner_a, case, body=f"Line {i}", visibility="couple"
            )
            actions.mark_journal_read(partner_b, entry)

    write_and_read(2)
    first = JournalEntry.objects.order_by("created_at").first()
    for persona in ("partner_a", "partner_b", "clinician"):
        client = client_for(persona)
        assert_constant(client, f"/api/v1/cases/{case.pk}/journal", lambda: write_and_read(15))
        assert_constant(client, f"/api/v1/journal/{first.pk}", lambda: write_and_read(3))
