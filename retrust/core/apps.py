from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "retrust.core"
    label = "core"
    verbose_name = "retrust core"

    def ready(self) -> None:
        from retrust.core import signals  # noqa: F401  (connects the audit receivers)
