from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "retrust.agreements"
    label = "agreements"
    verbose_name = "Agreements, commitments and follow-through"

    def ready(self) -> None:
        from retrust.agreements import datarights
        from retrust.core.datarights import register

        register(datarights)  # its part of a person's export and of a deletion
        from retrust.core.registry import NavEntry, nav_entry

        nav_entry(
            NavEntry(
                "Agreements",
                "agreements_home",
                "partner",
                current=("case_agreements", "agreement_detail", "commitment_detail"),
                order=30,
            )
        )
