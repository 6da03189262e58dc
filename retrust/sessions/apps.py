from django.apps import AppConfig


class SessionsConfig(AppConfig):
    name = "retrust.sessions"
    label = "appointments"
    verbose_name = "Sessions"

    def ready(self) -> None:
        from retrust.core import registry
        from retrust.core.datarights import register
        from retrust.sessions import actions, datarights, demo, notify, panels  # noqa: F401

        register(datarights)  # its part of a person's copy and of a deletion
        registry.nav_entry(
            registry.NavEntry(
                "My sessions", "sessions:mine", "partner", current=("mine",), order=30
            )
        )
        registry.nav_entry(
            registry.NavEntry(
                "Week",
                "sessions:week",
                "clinician",
                current=("week", "availability", "book"),
                order=12,
            )
        )
        registry.nav_entry(registry.NavEntry("Sessions", "sessions:practice", "admin", order=70))
        registry.home_panel(panels.partner_home)
        registry.case_panel(panels.case_page)
        registry.today_section(panels.today)
        registry.next_session(actions.next_session_on)
        registry.on_partner_joined(actions.join_consultations)
        registry.demo_seeder(demo.seed, order=60)
