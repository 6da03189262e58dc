from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "retrust.assessments"
    label = "assessments"
    verbose_name = "Measures and questionnaires"

    def ready(self) -> None:
        # Validate every instrument file now: a broken file stops start-up, naming the file
        # and the field, instead of failing later in front of a partner.
        from retrust.assessments import registry

        registry.load()
