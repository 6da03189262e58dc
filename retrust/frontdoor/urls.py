from django.urls import path

from retrust.frontdoor import views

urlpatterns = [
    path("practice-info/", views.default_practice, name="default_practice"),
    path("p/<slug:slug>/", views.practice_public, name="practice_public"),
    path("p/<slug:slug>/self-check/", views.self_check, name="self_check"),
    path("p/<slug:slug>/consultation/", views.consultation, name="consultation"),
    path("p/<slug:slug>/consultation/sent/", views.consultation_sent, name="consultation_sent"),
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
    path("practice/public-page/", views.practice_page_edit, name="practice_page_edit"),
    path(
        "practice/public-page/clinicians/",
        views.save_clinician_profile,
        name="save_clinician_profile",
    ),
]
