from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "retrust.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from retrust.core import registry
        from retrust.notifications import kinds, sources  # noqa: F401  (register the built-ins)
        from retrust.notifications.background import background_work
        from retrust.notifications.health import queue_lag

        registry.background(background_work)
        registry.health_report(queue_lag)
