from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured

# The partner's pages under "Program" in the menu, so the entry is marked on each of them.
PARTNER_PAGES = (
    "program_partner",
    "program_trust_goal",
    "program_appreciation",
    "program_confirm",
    "program_homework",
    "program_draft",
    "program_edit",
    "program_sharing",
    "daily_question",
)


class ProgramConfig(AppConfig):
    name = "retrust.program"
    label = "program"
    verbose_name = "Trust-repair program"

    def ready(self) -> None:
        from retrust.core.datarights import register
        from retrust.core.registry import NavEntry, home_panel, nav_entry
        from retrust.program import datarights, panels

        register(datarights)  # its part of a person's export and of a deletion

        nav_entry(NavEntry("Exercises", "program_library", "clinician", order=20))
        nav_entry(
            NavEntry(
                "Program",
                "program_home",
                "partner",
                current=PARTNER_PAGES,
                order=20,
            )
        )
        home_panel(panels.journey_panel)
        home_panel(panels.daily_panel)
        home_panel(panels.activity_panel)
        # A malformed exercise file stops start-up here, naming the file and the field.
        from retrust.program import content

        try:
            content.library()
        except content.ExerciseFileError as exc:
            raise ImproperlyConfigured(f"Exercise library: {exc}") from exc
