"""Every clinician note in the clinic and safety apps is unreadable in a copied database (issue
11, hole 5): alert summaries and acknowledgement notes, the reasons for lifting a pause, for a
track switch and for a status move, session notes and addenda. Same method as
``test_encryption_at_rest``: read the raw column with SQL and look for the planted text.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from django.db import connection
from django.utils import timezone

from retrust.clinic import actions as clinic_actions
from retrust.core.models import Case, User
from retrust.safety import actions as safety
from retrust.safety import screen
from retrust.safety.models import Alert, CasePause

PLANTED = "Marigold"  # a word no ciphertext contains by chance
POSITIVE = {q.id: screen.NO for q in screen.QUESTIONS} | {"hurt": screen.YES}


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - fixed names
        return [str(row[0]) for row in cursor.fetchall()]


def test_every_clinician_note_is_stored_encrypted_and_reads_back(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    alert = safety.raise_alert(
        case,
        source="inactivity",
        priority="normal",
        summary=f"No activity from {PLANTED} for 14 days or more.",
        dedupe_key="at-rest",
        partner=partner_a,
    )
    safety.acknowledge_alert(clinician, alert, f"Called {PLANTED}; all well.")
    safety.submit_screen(partner_b, case, POSITIVE, "at-rest-screen")
    for partner in (partner_a, partner_b):
        safety.record_individual_session(clinician, case, partner, timezone.localdate())
    safety.lift_pause(clinician, case, f"{PLANTED}: seen alone, no current danger.")
    clinic_actions.switch_track(clinician, case, "discernment", f"{PLANTED} asked for clarity.")
    clinic_actions.change_status(clinician, case, "maintain", f"{PLANTED} keeps every promise.")
    columns = [
        ("safety_alert", "summary"),
        ("safety_alert", "acknowledgement_note"),
        ("safety_casepause", "lift_reason"),
        ("clinic_trackchange", "reason"),
        ("clinic_casestatuschange", "reason"),
    ]
    for table, column in columns:
        stored = raw(table, column)
        assert stored, (table, column)
        assert all(PLANTED not in value for value in stored), (table, column)
    alert.refresh_from_db()
    assert alert.acknowledgement_note == f"Called {PLANTED}; all well."
    assert PLANTED in alert.summary
    assert CasePause.objects.get().lift_reason.startswith(PLANTED)


def test_the_migration_encrypts_notes_written_before_it(case: Case, clinician: User) -> None:
    """Rows written in plain text before the upgrade are re-saved, encrypted, and read back."""
    alert = safety.raise_alert(
        case, source="inactivity", priority="normal", summary="x", dedupe_key="old"
    )
    record = CasePause.objects.create(case=case, lifted_at=timezone.now())
    with connection.cursor() as cursor:  # what the old, plain columns held
        cursor.execute(
            "UPDATE safety_alert SET summary = %s, acknowledgement_note = %s WHERE id = %s",
            [f"Old summary {PLANTED}", f"Old note {PLANTED}", alert.pk],
        )
        cursor.execute(
            "UPDATE safety_casepause SET lift_reason = %s WHERE id = %s",
            [f"Old reason {PLANTED}", record.pk],
        )
    assert any(PLANTED in value for value in raw("safety_alert", "acknowledgement_note"))

    migration = importlib.import_module("retrust.safety.migrations.0005_clinician_notes_encrypted")
    migration.encrypt_existing(apps, None)

    for table, column in [
        ("safety_alert", "summary"),
        ("safety_alert", "acknowledgement_note"),
        ("safety_casepause", "lift_reason"),
    ]:
        assert all(PLANTED not in value for value in raw(table, column)), (table, column)
    alert = Alert.objects.get(pk=alert.pk)
    assert (alert.summary, alert.acknowledgement_note) == (
        f"Old summary {PLANTED}",
        f"Old note {PLANTED}",
    )
    assert CasePause.objects.get(pk=record.pk).lift_reason == f"Old reason {PLANTED}"

    # And back: going down a migration leaves plain text the old fields can read.
    migration.decrypt_existing(apps, None)
    assert f"Old note {PLANTED}" in raw("safety_alert", "acknowledgement_note")
