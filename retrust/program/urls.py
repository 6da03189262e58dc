from django.urls import path

from retrust.program import views

urlpatterns = [
    # Partners.
    path("program/", views.program_home, name="program_home"),
    path("program/<int:case_id>/", views.partner_program, name="program_partner"),
    path("program/<int:case_id>/daily/", views.daily_question, name="daily_question"),
    path("program/<int:case_id>/goal/", views.write_trust_goal, name="program_trust_goal"),
    path(
        "program/<int:case_id>/appreciation/",
        views.send_appreciation,
        name="program_appreciation",
    ),
    path(
        "program/<int:case_id>/proposals/<int:proposal_id>/confirm/",
        views.confirm_advance,
        name="program_confirm",
    ),
    path("homework/<int:assignment_id>/", views.homework, name="program_homework"),
    path("homework/<int:assignment_id>/draft/", views.save_draft, name="program_draft"),
    path("homework/<int:assignment_id>/edit/", views.edit_answers, name="program_edit"),
    path(
        "homework/<int:assignment_id>/sharing/",
        views.change_visibility,
        name="program_sharing",
    ),
    # Clinicians.
    path("cases/<int:case_id>/program/", views.clinician_program, name="program_clinician"),
    path("cases/<int:case_id>/program/daily/", views.daily_settings, name="program_daily_settings"),
    path("cases/<int:case_id>/program/assign/", views.assign, name="program_assign"),
    path("cases/<int:case_id>/program/propose/", views.propose, name="program_propose"),
    path(
        "cases/<int:case_id>/program/proposals/<int:proposal_id>/withdraw/",
        views.withdraw,
        name="program_withdraw",
    ),
    path("cases/<int:case_id>/program/goals/", views.add_goal, name="program_add_goal"),
    path(
        "cases/<int:case_id>/program/goals/<int:goal_id>/",
        views.update_goal,
        name="program_update_goal",
    ),
    path("cases/<int:case_id>/program/decision/", views.record_decision, name="program_decision"),
    path(
        "cases/<int:case_id>/program/responses/<int:response_id>/comment/",
        views.comment,
        name="program_comment",
    ),
    path("exercises/", views.library, name="program_library"),
    path("exercises/<slug:exercise_id>/", views.exercise_detail, name="program_exercise"),
]
