"""Journals, safety answers and session notes are unreadable in a copied database."""

from django.db import connection

from retrust.clinic.actions import add_addendum, save_note
from retrust.core.actions import write_journal_entry
from retrust.safety.actions import submit_screen


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - fixed names
        return [str(row[0]) for row in cursor.fetchall()]


def test_a_journal_entry_is_stored_encrypted_and_reads_back(case, partner_a):
    entry = write_journal_entry(
        partner_a, case, body="I was scared when the phone rang late.", visibility="private"
    )
    assert all("scared" not in value for value in raw("core_journalentry", "body"))
    entry.refresh_from_db()
    assert entry.body == "I was scared when the phone rang late."


def test_safety_answers_are_stored_encrypted(case, partner_a):
    answers = {q: "no" for q in ("fear", "hurt", "control", "sex", "threats")}
    answers["safe_messages"] = "yes"
    answers["fear"] = "yes"
    screen = submit_screen(partner_a, case, answers, "key-1")
    stored = raw("safety_safetyscreen", "answers")[0]
    assert '"yes"' not in stored and '"no"' not in stored
    screen.refresh_from_db()
    assert screen.answers["fear"] == "yes"


def test_session_notes_and_addenda_are_stored_encrypted(case, clinician):
    import datetime

    note = save_note(
        clinician,
        case,
        note=None,
        session_date=datetime.date(2026, 1, 5),
        data="Both described the weekend argument.",
        assessment="",
        plan="Practise the break signal.",
        sign=True,
    )
    add_addendum(clinician, note, "Correction: it was Saturday.")
    for column in ("data", "plan"):
        assert all(
            "weekend" not in v and "break" not in v for v in raw("clinic_sessionnote", column)
        )
    assert all("Saturday" not in v for v in raw("clinic_noteaddendum", "body"))
    note.refresh_from_db()
    assert note.plan == "Practise the break signal."
    assert not note.assessment
