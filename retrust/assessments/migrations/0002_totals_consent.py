"""Totals reach the other partner only with their author's consent (issue 11, hole 1).

The clinician's per-case switch ("partners see each other's totals") is gone. Where a
clinician had turned it on, it becomes a *suggestion* the partners see; nobody's totals are
shared until that partner chooses to share them, one relationship measure at a time. No
consent is created here: after this migration everyone is "not shared".

Going back never turns sharing on: the old switch comes back off for every case.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def switches_to_suggestions(apps, schema_editor):
    TotalsSharing = apps.get_model("assessments", "TotalsSharing")
    TotalsSuggestion = apps.get_model("assessments", "TotalsSuggestion")
    TotalsSuggestion.objects.bulk_create(
        TotalsSuggestion(
            case_id=old.case_id,
            suggested=True,
            changed_by_id=old.changed_by_id,
            changed_at=old.changed_at,
        )
        for old in TotalsSharing.objects.filter(enabled=True)
    )


def suggestions_to_switches_off(apps, schema_editor):
    TotalsSharing = apps.get_model("assessments", "TotalsSharing")
    TotalsSuggestion = apps.get_model("assessments", "TotalsSuggestion")
    TotalsSharing.objects.bulk_create(
        TotalsSharing(case_id=s.case_id, enabled=False, changed_by_id=s.changed_by_id)
        for s in TotalsSuggestion.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TotalsSuggestion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("suggested", models.BooleanField(default=False)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="totals_suggestion",
                        to="core.case",
                    ),
                ),
                (
                    "changed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="TotalsConsent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("instrument_id", models.CharField(max_length=60)),
                ("wording", models.TextField()),
                ("agreed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="totals_consents",
                        to="core.case",
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="totals_consents",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["agreed_at", "id"]},
        ),
        migrations.AddConstraint(
            model_name="totalsconsent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("withdrawn_at__isnull", True)),
                fields=("case", "partner", "instrument_id"),
                name="one_active_totals_consent",
            ),
        ),
        migrations.RunPython(switches_to_suggestions, suggestions_to_switches_off),
        migrations.DeleteModel(name="TotalsSharing"),
    ]
