from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "retrust.api"
    label = "api"
    verbose_name = "JSON API"
