# Audit rows learn to say "this was a partner's private activity". Rows written before then are
# marked from what they recorded: a private record written, a draft saved, a record made
# private; a deleted journal entry's visibility is gone with it, so its deletion counts as
# private. (The historical model has a plain manager, so this one update is allowed; the app's
# own manager refuses updates to keep the log append-only.)

from django.db import migrations, models

WRITTEN_WITH_VISIBILITY = [
    "retrust.journal.written",
    "retrust.trigger.logged",
    "retrust.program.response.submitted",
    "retrust.program.response.draft_saved",
    "retrust.program.trust_goal.written",
]
VISIBILITY_CHANGED = [
    "retrust.journal.visibility_changed",
    "retrust.program.response.visibility_changed",
]
ALWAYS_PRIVATE = [
    "retrust.program.response.draft_saved",
    "retrust.review.answer.saved",
    "retrust.measure.draft.started",
    "retrust.journal.deleted",
]


def mark_private_activity(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditEvent.objects.filter(
        models.Q(action__in=WRITTEN_WITH_VISIBILITY, details__visibility="private")
        | models.Q(action__in=VISIBILITY_CHANGED, details__new="private")
        | models.Q(action__in=ALWAYS_PRIVATE)
    ).update(private=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_user_messages_unsafe_since"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="private",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_private_activity, migrations.RunPython.noop),
    ]
