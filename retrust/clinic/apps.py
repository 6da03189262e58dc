from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "retrust.clinic"
    label = "clinic"
    verbose_name = "Clinician workspace"
