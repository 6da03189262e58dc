"""Trigger entries and review answers are encrypted at rest (issue 11, hole 5).

The field type reads a plain-text value as it is, so re-saving every existing row through the
encrypted fields is enough to encrypt what was written before. Backwards, the rows are written
out as plain text again before the columns turn back into plain text fields.
"""

import encrypted_fields.fields
from django.db import migrations

ENCRYPTED = {
    "TriggerEntry": ("what_happened", "what_helped"),
    "ReviewAnswer": ("felt", "my_view", "your_view", "past", "my_part", "differently"),
}


def encrypt_existing_rows(apps, schema_editor):
    for model_name, fields in ENCRYPTED.items():
        model = apps.get_model("conversations", model_name)
        rows = model.objects.using(schema_editor.connection.alias).values_list("pk", *fields)
        for pk, *values in rows.iterator():
            model.objects.using(schema_editor.connection.alias).filter(pk=pk).update(
                **dict(zip(fields, values, strict=True))
            )


def decrypt_existing_rows(apps, schema_editor):
    connection = schema_editor.connection
    for model_name, fields in ENCRYPTED.items():
        model = apps.get_model("conversations", model_name)
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
        rows = model.objects.using(connection.alias).values_list("pk", *fields)
        with connection.cursor() as cursor:
            for pk, *values in rows.iterator():
                cursor.execute(
                    f"UPDATE {table} SET {columns} WHERE id = %s",  # noqa: S608 - fixed names
                    [value or "" for value in values] + [pk],
                )


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='reviewanswer',
            name='differently',
            field=encrypted_fields.fields.EncryptedTextField(blank=True, max_length=3000, null=True, verbose_name='One thing I will do differently'),
        ),
        migrations.AlterField(
            model_name='reviewanswer',
            name='felt',
            field=encrypted_fields.fields.EncryptedTextField(blank=True, max_length=3000, null=True, verbose_name='What I felt'),
        ),
        migrations.AlterField(
            model_name='reviewanswer',
            name='my_part',
            field=encrypted_fields.fields.EncryptedTextField(blank=True, max_length=3000, null=True, verbose_name='My part, and my apology'),
        ),
        migrations.AlterField(
            model_name='reviewanswer',
            name='my_view',
            field=encrypted_fields.fields.EncryptedTextField(blank=True, max_length=3000, null=True, verbose_name='My view of what happened'),
        ),
        migrations.AlterField(
            model_name='reviewanswer',
            name='past',
            field=encrypted_fields.fields.EncryptedTextField(blank=True, max_length=3000, null=True, verbose_name='What it touched from my past'),
        ),
        migrations.AlterField(
            model_name='reviewanswer',
            name='your_view',
            field=encrypted_fields.fields.EncryptedTextField(blank=True, max_length=3000, null=True, verbose_name='A fair summary of your view'),
        ),
        migrations.AlterField(
            model_name='triggerentry',
            name='what_happened',
            field=encrypted_fields.fields.EncryptedTextField(max_length=3000),
        ),
        migrations.AlterField(
            model_name='triggerentry',
            name='what_helped',
            field=encrypted_fields.fields.EncryptedTextField(blank=True, max_length=3000, null=True),
        ),
        migrations.RunPython(encrypt_existing_rows, decrypt_existing_rows),
    ]
