from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "retrust.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from retrust.notifications import kinds, sources  # noqa: F401  (register the built-ins)
