"""Copy each open pause onto its case, where the core's gate reads it.

Pauses already open were shown to both partners under the old rule, so they stay shown.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    CasePause = apps.get_model("safety", "CasePause")
    Case = apps.get_model("core", "Case")
    for pause in CasePause.objects.filter(lifted_at__isnull=True).select_related("alert"):
        Case.objects.filter(pk=pause.case_id).update(
            paused_since=pause.started_at,
            pause_shown_at=pause.started_at,
            pause_held_for_id=pause.alert.partner_id if pause.alert else None,
        )


def backwards(apps, schema_editor):
    apps.get_model("core", "Case").objects.update(
        paused_since=None, pause_shown_at=None, pause_held_for=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_case_pause"),
        ("safety", "0003_backfill_messages_unsafe"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
