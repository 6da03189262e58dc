from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "retrust.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from retrust.core.datarights import register
        from retrust.notifications import datarights

        register(datarights)  # its part of a person's export and of a deletion
        from retrust.core import registry
        from retrust.notifications import kinds, sources, waiting  # noqa: F401  (built-ins)
        from retrust.notifications.background import background_work
        from retrust.notifications.health import queue_lag

        registry.home_panel(waiting.home_panel)
        registry.nav_badge("partner_home", waiting.nav_count)
        registry.nav_entry(
            registry.NavEntry(
                "Today", "notifications:today", "clinician", current=("today",), order=11
            )
        )
        registry.background(background_work)
        registry.health_report(queue_lag)
