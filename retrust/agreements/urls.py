from django.urls import path

from retrust.agreements import views

urlpatterns = [
    path("agreements/", views.agreements_home, name="agreements_home"),
    path("cases/<int:case_id>/agreements/", views.case_agreements, name="case_agreements"),
    path("cases/<int:case_id>/agreements/new/", views.propose, name="propose_agreement"),
    path("cases/<int:case_id>/commitments/new/", views.new_commitment, name="new_commitment"),
    path("cases/<int:case_id>/ledger/", views.case_ledger, name="case_ledger"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:agreement_id>/accept/", views.accept, name="accept_agreement"),
    path("agreements/<int:agreement_id>/decline/", views.decline, name="decline_agreement"),
    path("agreements/<int:agreement_id>/amend/", views.amend, name="amend_agreement"),
    path(
        "agreements/<int:agreement_id>/renegotiate/",
        views.renegotiate,
        name="renegotiate_agreement",
    ),
    path("agreements/<int:agreement_id>/notes/", views.annotate, name="annotate_agreement"),
    path("agreements/<int:agreement_id>/breaches/", views.report_breach, name="report_breach"),
    path("breaches/<int:breach_id>/respond/", views.respond_to_breach, name="respond_to_breach"),
    path("commitments/<int:commitment_id>/", views.commitment_detail, name="commitment_detail"),
    path("commitments/<int:commitment_id>/record/", views.record, name="record_occurrence"),
    path("commitments/<int:commitment_id>/days/", views.record_days, name="record_days"),
    path(
        "commitments/<int:commitment_id>/confirmations/",
        views.confirm_days,
        name="confirm_days",
    ),
    path(
        "occurrences/<int:occurrence_id>/replies/",
        views.reply_to_dispute,
        name="reply_to_dispute",
    ),
    path("commitments/<int:commitment_id>/end/", views.end_commitment, name="end_commitment"),
    path("occurrences/<int:occurrence_id>/answer/", views.answer, name="answer_occurrence"),
    path("practice/agreements/", views.practice_settings, name="agreement_settings"),
]
