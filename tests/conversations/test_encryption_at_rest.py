"""Trigger entries and hurtful-moment answers are unreadable in a copied database.

What a partner writes here that the other partner may not read (the whole trigger log, review
drafts and finished answers) is encrypted like journals. Each test plants recognisable words,
reads the raw columns with SQL, and finds none of them; the application still reads them back.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from retrust.conversations import actions
from retrust.conversations.models import ReviewAnswer, TriggerEntry
from retrust.core.models import Case, User

MIGRATION = importlib.import_module("retrust.conversations.migrations.0002_encrypt_private_text")

PARTS = ("felt", "my_view", "your_view", "past", "my_part", "differently")


def raw(table: str, *columns: str) -> str:
    """Every value of ``columns`` as the database holds it, in one string."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608 - fixed names
        return "\n".join(str(value) for row in cursor.fetchall() for value in row)


def test_private_and_shared_trigger_entries_are_stored_encrypted(
    case: Case, partner_a: User
) -> None:
    private = actions.log_trigger(
        partner_a,
        case,
        what_happened="Planted-private: his car outside the gym",
        intensity=7,
        what_helped="Planted-helped: calling my sister",
    )
    shared = actions.log_trigger(
        partner_a,
        case,
        what_happened="Planted-shared: the old ringtone",
        intensity=4,
        visibility="clinician",
    )
    stored = raw("conversations_triggerentry", "what_happened", "what_helped")
    assert "Planted" not in stored and "gym" not in stored and "sister" not in stored
    private.refresh_from_db()
    shared.refresh_from_db()
    assert private.what_happened == "Planted-private: his car outside the gym"
    assert private.what_helped == "Planted-helped: calling my sister"
    assert shared.what_happened == "Planted-shared: the old ringtone"
    assert not shared.what_helped


def test_review_drafts_and_answers_are_stored_encrypted(
    case: Case, partner_a: User, partner_b: User
) -> None:
    review = actions.open_review(partner_a, case, title="The night of the party")
    finished = {name: f"Planted-done-{name}" for name in PARTS}
    actions.save_review_answer(partner_a, review, parts=finished, done=True)
    actions.save_review_answer(
        partner_b, review, parts={"felt": "Planted-draft: cornered"}, done=False
    )
    assert "Planted" not in raw("conversations_reviewanswer", *PARTS)
    answer = ReviewAnswer.objects.get(author=partner_a)
    assert {name: getattr(answer, name) for name in PARTS} == finished
    assert ReviewAnswer.objects.get(author=partner_b).felt == "Planted-draft: cornered"


def test_the_migration_encrypts_rows_written_before_it(
    case: Case, partner_a: User, partner_b: User
) -> None:
    entry = actions.log_trigger(partner_a, case, what_happened="x", intensity=3)
    review = actions.open_review(partner_a, case, title="The party")
    answer = actions.save_review_answer(partner_a, review, parts={"felt": "x"}, done=False)
    # Put the rows back the way the old, plain-text columns held them.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE conversations_triggerentry SET what_happened = %s, what_helped = %s "
            "WHERE id = %s",
            ["Old-plain: a song on the radio", "", entry.pk],
        )
        cursor.execute(
            "UPDATE conversations_reviewanswer SET felt = %s, past = %s WHERE id = %s",
            ["Old-plain: small", "", answer.pk],
        )
    assert "Old-plain" in raw("conversations_triggerentry", "what_happened")

    editor = SimpleNamespace(connection=connection)
    MIGRATION.encrypt_existing_rows(apps, editor)

    assert "Old-plain" not in raw("conversations_triggerentry", "what_happened", "what_helped")
    assert "Old-plain" not in raw("conversations_reviewanswer", *PARTS)
    assert TriggerEntry.objects.get().what_happened == "Old-plain: a song on the radio"
    assert ReviewAnswer.objects.get().felt == "Old-plain: small"

    # Backwards, the text is plain again (and an empty part is an empty string, not NULL).
    MIGRATION.decrypt_existing_rows(apps, editor)
    assert "Old-plain: a song on the radio" in raw("conversations_triggerentry", "what_happened")
    assert raw("conversations_reviewanswer", "past") == ""
