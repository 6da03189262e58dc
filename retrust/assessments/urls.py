from django.urls import path

from retrust.assessments import views

urlpatterns = [
    path("checkins/", views.my_checkins, name="my_checkins"),
    path("checkins/<int:schedule_id>/", views.answer_checkin, name="answer_checkin"),
    path("checkins/<int:schedule_id>/draft/", views.save_checkin_draft, name="save_checkin_draft"),
    path("checkins/done/<int:response_id>/", views.checkin_done, name="checkin_done"),
    path("cases/<int:case_id>/measures/", views.case_measures, name="case_measures"),
    path("cases/<int:case_id>/measures/sharing/", views.totals_sharing, name="totals_sharing"),
    path("cases/<int:case_id>/measures/share/", views.share_totals, name="share_totals"),
    path(
        "cases/<int:case_id>/measures/<int:schedule_id>/end/",
        views.end_measure,
        name="end_measure",
    ),
]
