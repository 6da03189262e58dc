from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "retrust.agreements"
    label = "agreements"
    verbose_name = "Agreements, commitments and follow-through"
