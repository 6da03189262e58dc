from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "retrust.clinic"
    label = "clinic"
    verbose_name = "Clinician workspace"

    def ready(self) -> None:
        from retrust.clinic import datarights
        from retrust.core.datarights import register

        register(datarights)  # its part of a person's export and of a deletion
        from retrust.core.registry import NavEntry, nav_entry

        nav_entry(NavEntry("Caseload", "caseload", "clinician", current=("case_detail",), order=10))
        nav_entry(NavEntry("Practice", "practice", "admin", order=70))
        nav_entry(NavEntry("Audit log", "audit_log", "admin", order=90))
