"""Alert summaries, acknowledgement notes and pause-lift reasons are encrypted at rest.

The columns stay text; every existing row is read (plain text passes through the encrypted
field unchanged) and saved again, which encrypts it. Going back writes plain text again.
"""

import encrypted_fields.fields
from django.db import migrations, models
from django.db.models import Value

FIELDS = {
    "Alert": ("summary", "acknowledgement_note"),
    "CasePause": ("lift_reason",),
}


def encrypt_existing(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("safety", model_name)
        for row in model.objects.only("pk", *fields).iterator():
            row.save(update_fields=list(fields))


def decrypt_existing(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("safety", model_name)
        for row in model.objects.only("pk", *fields).iterator():
            plain = {
                name: Value(getattr(row, name) or "", output_field=models.TextField())
                for name in fields
            }
            model.objects.filter(pk=row.pk).update(**plain)


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0004_case_pause_fields"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="acknowledgement_note",
            field=encrypted_fields.fields.EncryptedTextField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="alert",
            name="summary",
            field=encrypted_fields.fields.EncryptedCharField(max_length=240),
        ),
        migrations.AlterField(
            model_name="casepause",
            name="lift_reason",
            field=encrypted_fields.fields.EncryptedTextField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
