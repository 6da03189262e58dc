from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "retrust.safety"
    label = "safety"
    verbose_name = "Safety and alerts"

    def ready(self) -> None:
        from retrust.core.datarights import register
        from retrust.safety import datarights

        register(datarights)  # its part of a person's export and of a deletion
        from retrust.core.registry import NavEntry, demo_seeder, home_panel, nav_entry
        from retrust.safety import demo, panels

        nav_entry(NavEntry("Crisis resources", "crisis_resources", "admin", order=80))
        home_panel(panels.partner_home)
        demo_seeder(demo.seed, order=20)
