from django.urls import path

from retrust.notifications import views

app_name = "notifications"

urlpatterns = [
    path("account/notifications/", views.preferences, name="preferences"),
    path("caseload/today/", views.today, name="today"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("practice/notifications/", views.failed_sends, name="failed"),
    path(
        "practice/notifications/<int:notification_id>/retry/",
        views.retry_failed,
        name="retry",
    ),
]
