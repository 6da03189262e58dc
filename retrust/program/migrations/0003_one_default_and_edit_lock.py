"""One default visibility rule for every exercise (no per-assignment default any more), and the
moment sent answers first opened to the other partner, after which they can't be changed."""

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def mark_answers_already_open(apps: Any, schema_editor: Any) -> None:
    """Answers sent before this migration that the other partner could already read."""
    response_model = apps.get_model("program", "ExerciseResponse")
    assignment_model = apps.get_model("program", "Assignment")
    sent_to_both = response_model.objects.filter(
        visibility="couple", submitted_at__isnull=False, open_to_partner_at__isnull=True
    )
    sent_to_both.filter(assignment__reveal_together=False).update(
        open_to_partner_at=models.F("submitted_at")
    )
    revealed = assignment_model.objects.filter(pk=OuterRef("assignment_id")).values("revealed_at")
    sent_to_both.filter(
        assignment__reveal_together=True, assignment__revealed_at__isnull=False
    ).update(open_to_partner_at=Subquery(revealed[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("program", "0002_daily_question"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="assignment",
            name="default_visibility",
        ),
        migrations.AddField(
            model_name="exerciseresponse",
            name="open_to_partner_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_answers_already_open, migrations.RunPython.noop),
    ]
