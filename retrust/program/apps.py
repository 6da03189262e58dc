from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class ProgramConfig(AppConfig):
    name = "retrust.program"
    label = "program"
    verbose_name = "Trust-repair program"

    def ready(self) -> None:
        from retrust.core.datarights import register
        from retrust.program import datarights

        register(datarights)  # its part of a person's export and of a deletion
        from retrust.core.registry import NavEntry, nav_entry

        nav_entry(NavEntry("Exercises", "program_library", "clinician", order=20))
        # A malformed exercise file stops start-up here, naming the file and the field.
        from retrust.program import content

        try:
            content.library()
        except content.ExerciseFileError as exc:
            raise ImproperlyConfigured(f"Exercise library: {exc}") from exc
