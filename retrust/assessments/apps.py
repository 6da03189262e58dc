from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "retrust.assessments"
    label = "assessments"
    verbose_name = "Measures and questionnaires"

    def ready(self) -> None:
        from retrust.assessments import datarights
        from retrust.core.datarights import register

        register(datarights)  # its part of a person's export and of a deletion
        from retrust.assessments.demo import seed_demo_measures
        from retrust.core.registry import NavEntry, demo_seeder, nav_entry

        nav_entry(NavEntry("My check-ins", "my_checkins", "partner", order=40))
        demo_seeder(seed_demo_measures, order=30)
        # Validate every instrument file now: a broken file stops start-up, naming the file
        # and the field, instead of failing later in front of a partner.
        from retrust.assessments import registry

        registry.load()
