from django.apps import AppConfig


class DataRightsConfig(AppConfig):
    name = "retrust.datarights"
    label = "datarights"
    verbose_name = "Data rights"

    def ready(self) -> None:
        from retrust.core.datarights import register
        from retrust.core.registry import NavEntry, home_panel, nav_badge, nav_entry
        from retrust.datarights import datarights, notices, queries

        register(datarights)  # its own part of a person's export and of a deletion

        nav_entry(
            NavEntry(
                "Leaving",
                "datarights:leaving",
                "clinician",
                current=("leaving",),
                order=60,
            )
        )
        nav_badge("datarights:leaving", queries.leaving_count)
        home_panel(queries.home_panel)
        notices.register()
