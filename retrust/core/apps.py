from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "retrust.core"
    label = "core"
    verbose_name = "retrust core"
