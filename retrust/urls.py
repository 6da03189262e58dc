from django.contrib.auth import views as auth_views
from django.urls import include, path

from retrust.api.api import api
from retrust.clinic import views as clinic
from retrust.core import views as core
from retrust.core.forms import PasswordResetForm

handler400 = "retrust.core.errors.bad_request"
handler403 = "retrust.core.errors.forbidden"
handler404 = "retrust.core.errors.not_found"
handler500 = "retrust.core.errors.server_error"

urlpatterns = [
    path("", core.landing, name="landing"),
    path("healthz", core.healthz, name="healthz"),
    path("start/", core.home, name="home"),
    # Signing in and out.
    path("accounts/login/", core.SignInView.as_view(), name="login"),
    path("accounts/two-factor/", core.two_factor, name="two_factor"),
    path("accounts/logout/", core.sign_out, name="logout"),
    path("accounts/logout-everywhere/", core.sign_out_everywhere, name="logout_everywhere"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            email_template_name="emails/password_reset.txt",
            subject_template_name="emails/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        core.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", core.account, name="account"),
    path("account/tokens/<int:token_id>/revoke/", core.revoke_token, name="revoke_token"),
    path(
        "account/password/",
        core.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("invite/<str:token>/", core.accept_invitation, name="accept_invitation"),
    path("leave/", core.leave_quickly, name="leave_quickly"),
    # Partners.
    path("home/", core.partner_home, name="partner_home"),
    path("cases/<int:case_id>/journal/", core.write_journal, name="write_journal"),
    path("journal/<int:entry_id>/", core.journal_entry, name="journal_entry"),
    path("journal/<int:entry_id>/delete/", core.delete_journal, name="delete_journal"),
    path(
        "cases/<int:case_id>/held/<int:held_id>/show/",
        core.show_held_record,
        name="show_held_record",
    ),
    # Clinicians.
    path("caseload/", clinic.caseload, name="caseload"),
    path("cases/new/", clinic.new_case, name="new_case"),
    path("cases/<int:case_id>/", clinic.case_detail, name="case_detail"),
    path("cases/<int:case_id>/invite/", clinic.invite_partner, name="invite_partner"),
    path(
        "cases/<int:case_id>/invitations/<int:invitation_id>/withdraw/",
        clinic.withdraw_invitation,
        name="withdraw_invitation",
    ),
    path(
        "cases/<int:case_id>/alerts/<int:alert_id>/acknowledge/",
        clinic.acknowledge_alert,
        name="acknowledge_alert",
    ),
    path(
        "cases/<int:case_id>/individual-sessions/",
        clinic.record_individual_session,
        name="record_individual_session",
    ),
    path(
        "cases/<int:case_id>/pause/individual-sessions/",
        clinic.move_to_individual_sessions,
        name="move_to_individual_sessions",
    ),
    path("cases/<int:case_id>/pause/lift/", clinic.lift_pause, name="lift_pause"),
    path("cases/<int:case_id>/track/", clinic.switch_track, name="switch_track"),
    path(
        "cases/<int:case_id>/partners/<int:user_id>/email-safe/",
        clinic.messages_safe_again,
        name="messages_safe_again",
    ),
    path(
        "cases/<int:case_id>/partners/<int:user_id>/reset-link/",
        clinic.reset_link_in_session,
        name="reset_link_in_session",
    ),
    path("cases/<int:case_id>/status/", clinic.change_status, name="change_case_status"),
    path("cases/<int:case_id>/notes/new/", clinic.session_note, name="new_session_note"),
    path("cases/<int:case_id>/notes/<int:note_id>/", clinic.session_note, name="session_note"),
    path(
        "cases/<int:case_id>/notes/<int:note_id>/addenda/",
        clinic.add_addendum,
        name="add_addendum",
    ),
    # Practice admins.
    path("practice/", clinic.practice, name="practice"),
    path("practice/pause-wording/", clinic.pause_wording, name="pause_wording"),
    path("practice/audit/", clinic.audit_log, name="audit_log"),
    path("", include("retrust.program.urls")),
    path("", include("retrust.agreements.urls")),
    path("", include("retrust.safety.urls")),
    path("", include("retrust.conversations.urls")),
    path("", include("retrust.notifications.urls")),
    path("", include("retrust.frontdoor.urls")),
    path("", include("retrust.reports.urls")),
    path("", include("retrust.datarights.urls")),
    # The JSON API.
    path("api/v1/", api.urls),
    path("", include("retrust.assessments.urls")),
]
