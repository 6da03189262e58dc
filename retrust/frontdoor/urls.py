from django.urls import path

from retrust.frontdoor import views

urlpatterns = [
    path("practice-info/", views.default_practice, name="default_practice"),
    path("p/<slug:slug>/", views.practice_public, name="practice_public"),
    path("p/<slug:slug>/self-check/", views.self_check, name="self_check"),
    path("p/<slug:slug>/consultation/", views.consultation, name="consultation"),
    path(
        "p/<slug:slug>/consultation/join/<str:token>/",
        views.consultation,
        name="join_consultation",
    ),
    path("p/<slug:slug>/consultation/sent/", views.consultation_sent, name="consultation_sent"),
    path("p/<slug:slug>/resources/", views.resources, name="practice_resources"),
    path("p/<slug:slug>/resources/<int:article_id>/", views.article, name="practice_article"),
    path("practice/public-page/articles/new/", views.edit_article, name="new_article"),
    path(
        "practice/public-page/articles/<int:article_id>/", views.edit_article, name="edit_article"
    ),
    path("practice/consultations/", views.consultation_requests, name="consultation_requests"),
    path(
        "practice/consultations/<int:request_id>/",
        views.consultation_request,
        name="consultation_request",
    ),
    path(
        "practice/consultations/<int:request_id>/move/",
        views.move_request,
        name="move_consultation_request",
    ),
    path(
        "practice/consultations/<int:request_id>/open-case/",
        views.open_case,
        name="open_case_from_request",
    ),
    path("practice/public-page/", views.practice_page_edit, name="practice_page_edit"),
    path(
        "practice/public-page/clinicians/",
        views.save_clinician_profile,
        name="save_clinician_profile",
    ),
    path("p/<slug:slug>/updates/", views.updates_signup, name="updates_signup"),
    path("p/<slug:slug>/updates/sent/", views.updates_sent, name="updates_sent"),
    path(
        "p/<slug:slug>/updates/confirm/<str:token>/",
        views.updates_confirm,
        name="updates_confirm",
    ),
    path(
        "p/<slug:slug>/updates/unsubscribe/<str:token>/",
        views.updates_unsubscribe,
        name="updates_unsubscribe",
    ),
    path("practice/updates/", views.updates_admin, name="updates_admin"),
    path("practice/updates/export.csv", views.updates_export, name="updates_export"),
]
