from django.urls import path

from retrust.safety import views

urlpatterns = [
    path("help/", views.help_page, name="help"),
    path("away/", views.away, name="away"),
    path("cases/<int:case_id>/safety-check/", views.safety_check, name="safety_check"),
    path("cases/<int:case_id>/safety-check/thanks/", views.safety_thanks, name="safety_thanks"),
    path("practice/crisis-resources/", views.crisis_resources, name="crisis_resources"),
    path(
        "practice/crisis-resources/<int:resource_id>/remove/",
        views.remove_crisis_resource,
        name="remove_crisis_resource",
    ),
]
