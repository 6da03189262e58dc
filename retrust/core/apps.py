from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "retrust.core"
    label = "core"
    verbose_name = "retrust core"

    def ready(self) -> None:
        from retrust.core.registry import NavEntry, nav_entry

        nav_entry(NavEntry("My space", "partner_home", "partner", order=10))
        from retrust.core import signals  # noqa: F401  (connects the audit receivers)
