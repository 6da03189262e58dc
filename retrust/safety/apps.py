from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "retrust.safety"
    label = "safety"
    verbose_name = "Safety and alerts"
