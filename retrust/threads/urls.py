from django.urls import path

from retrust.threads import views

urlpatterns = [
    path("messages/", views.messages_home, name="messages_home"),
    path("cases/<int:case_id>/messages/", views.case_messages, name="case_messages"),
    path(
        "cases/<int:case_id>/messages/<str:key>/",
        views.thread,
        name="message_thread",
    ),
    path("practice/messages/", views.message_settings, name="message_settings"),
]
