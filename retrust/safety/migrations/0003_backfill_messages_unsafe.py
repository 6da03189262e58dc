# Screens answered before retrust read the messaging answer: everyone who has ever said that
# email isn't safe for them gets the flag, dated from the first time they said so. Only a
# clinician clears it afterwards, so going backwards would switch messages back on: the
# reverse step leaves the flags as they are.

from django.db import migrations
from django.db.models import Min


def flag_people_who_said_email_is_unsafe(apps, schema_editor):
    SafetyScreen = apps.get_model("safety", "SafetyScreen")
    User = apps.get_model("core", "User")
    first_said = (
        SafetyScreen.objects.filter(safe_to_message=False)
        .values("respondent_id")
        .annotate(first=Min("created_at"))
    )
    for row in first_said:
        User.objects.filter(pk=row["respondent_id"], messages_unsafe_since__isnull=True).update(
            messages_unsafe_since=row["first"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_user_messages_unsafe_since"),
        ("safety", "0002_crisisresource_individualsession_safetyscreen_and_more"),
    ]

    operations = [
        migrations.RunPython(flag_people_who_said_email_is_unsafe, migrations.RunPython.noop),
    ]
