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
                current=(
                    "case_agreements",
                    "propose_agreement",
                    "new_commitment",
                    "case_ledger",
                    "agreement_detail",
                    "accept_agreement",
                    "decline_agreement",
                    "amend_agreement",
                    "renegotiate_agreement",
                    "report_breach",
                    "respond_to_breach",
                    "commitment_detail",
                    "record_occurrence",
                    "record_days",
                    "confirm_days",
                    "reply_to_dispute",
                    "end_commitment",
                    "answer_occurrence",
                ),
                order=30,
            )
        )
