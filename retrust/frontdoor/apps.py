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
        nav_entry(
            NavEntry("Updates list", "updates_admin", "admin", current=("updates_admin",), order=86)
        )
        demo_seeder(demo.seed, order=70)

        # The emails to visitors (through the outbox), and each person's goals from their
        # request into their intake when they join.
        from retrust.core.registry import on_partner_joined
        from retrust.frontdoor import actions, emails

        emails.register()
        on_partner_joined(actions.carry_goals)
