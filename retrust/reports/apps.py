from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "retrust.reports"
    label = "reports"
    verbose_name = "Progress reports and exports"

    def ready(self) -> None:
        from retrust.core.datarights import register
        from retrust.core.registry import CaseLink, NavEntry, case_link, home_panel, nav_entry
        from retrust.reports import datarights, panels

        register(datarights)  # its part of a person's export and of a deletion

        case_link(CaseLink("Progress reports (PDF) for you and for the couple", "case_reports"))
        home_panel(panels.partner_home)
        nav_entry(NavEntry("Exports", "practice_exports", "admin", order=80))
