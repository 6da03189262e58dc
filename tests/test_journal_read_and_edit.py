"""The journal, second pass: the author can reword an entry until the other partner says
"I read this"; the other partner says so in one tap (from the home page too); deleting still
asks first. A pause holds all of it for the held partner."""

from __future__ import annotations

import html
import re

import pytest

from retrust.core import actions
from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import JournalEntry, JournalReadMark
from tests.conftest import pause_case


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def shared(case, partner_a, partner_b):
    return actions.write_journal_entry(
        partner_a, case, body="I felt close to you on Sunday.", visibility="couple"
    )


def test_the_author_rewords_an_entry_and_a_double_submit_changes_nothing(shared, client_for):
    client = client_for("partner_a")
    assert "Change what you wrote" in text(client.get(f"/journal/{shared.pk}/"))
    for _ in range(2):
        response = client.post(f"/journal/{shared.pk}/edit/", {"body": "Sunday felt close."})
        assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.body == "Sunday felt close."
    empty = client.post(f"/journal/{shared.pk}/edit/", {"body": " "})
    assert empty.status_code == 400
    shared.refresh_from_db()
    assert shared.body == "Sunday felt close."


def test_i_read_this_from_the_home_page_and_the_author_sees_it(shared, client_for):
    bo = client_for("partner_b")
    assert "I read this" in text(bo.get("/home/"))
    for _ in range(2):
        response = bo.post(f"/journal/{shared.pk}/read/", {"from": "home"})
        assert response.status_code == 302 and response.url == "/home/"
    assert JournalReadMark.objects.count() == 1
    assert "You read this" in text(bo.get("/home/"))
    ari = client_for("partner_a")
    assert "Bo read this" in text(ari.get("/home/"))
    page = text(ari.get(f"/journal/{shared.pk}/"))
    assert "Bo read this" in page and "Change what you wrote" not in page
    # Once read, the words stay as they were read.
    refused = ari.post(f"/journal/{shared.pk}/edit/", {"body": "Something else"})
    assert refused.status_code == 400 and "stays as they read it" in text(refused)


def test_only_the_other_partner_marks_a_shared_entry_read(case, shared, partner_a, partner_b):
    with pytest.raises(ActionError):
        actions.mark_journal_read(partner_a, shared)
    private = actions.write_journal_entry(partner_b, case, body="Mine", visibility="clinician")
    with pytest.raises(ActionError):
        actions.mark_journal_read(partner_a, private)
    assert not JournalReadMark.objects.exists()


def test_a_held_partner_can_neither_reword_a_shared_entry_nor_mark_one_read(
    case, shared, partner_a, partner_b
):
    theirs = actions.write_journal_entry(partner_b, case, body="Yours", visibility="couple")
    pause_case(case, held_for=partner_a, shown=False)
    with pytest.raises(ActionConflict):
        actions.edit_journal_entry(partner_a, JournalEntry.objects.get(pk=shared.pk), body="New")
    with pytest.raises(ActionConflict):
        actions.mark_journal_read(partner_a, theirs)
    assert JournalEntry.objects.get(pk=shared.pk).body == "I felt close to you on Sunday."


def test_deleting_still_asks_first(shared, client_for):
    client = client_for("partner_a")
    assert "Delete this entry" in text(client.get(f"/journal/{shared.pk}/"))
    assert client.post(f"/journal/{shared.pk}/delete/", {}).status_code == 400
    assert JournalEntry.objects.filter(pk=shared.pk).exists()
