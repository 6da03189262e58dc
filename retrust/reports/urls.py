from django.urls import path

from retrust.reports import views

urlpatterns = [
    path("cases/<int:case_id>/reports/", views.case_reports, name="case_reports"),
    path("cases/<int:case_id>/reports/new/", views.ask_for_report, name="ask_for_report"),
    path(
        "cases/<int:case_id>/reports/<int:report_id>/download/",
        views.download_report,
        name="download_report",
    ),
    path("cases/<int:case_id>/export/fhir/", views.fhir_export, name="case_fhir_export"),
    path("practice/exports/", views.practice_exports, name="practice_exports"),
]
