from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    name = "retrust.frontdoor"
    label = "frontdoor"
    verbose_name = "The front door: public practice page, self-check, consultation requests"

    def ready(self) -> None:
        from retrust.core.datarights import register
        from retrust.frontdoor import datarights

        register(datarights)  # its part of a person's export and of a deletion
        from retrust.core.registry import NavEntry, demo_seeder, nav_entry
        from retrust.frontdoor import demo

        nav_entry(
            NavEntry(
                "Consultation requests",
                "consultation_requests",
                "clinician",
                current=("consultation_request",),
                order=30,
            )
        )
        nav_entry(
            NavEntry(
                "Consultation requests",
                "consultation_requests",
                "admin",
                current=("consultation_request",),
                order=30,
            )
        )
        nav_entry(NavEntry("Public page", "practice_page_edit", "admin", order=85))
        demo_seeder(demo.seed, order=70)
