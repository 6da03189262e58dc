from django.urls import path

from retrust.sessions import views

app_name = "sessions"

urlpatterns = [
    path("sessions/", views.my_sessions, name="mine"),
    path("sessions/week/", views.week, name="week"),
    path("sessions/availability/", views.availability, name="availability"),
    path(
        "sessions/availability/days/<int:day_off_id>/remove/",
        views.remove_day_off,
        name="remove_day_off",
    ),
    path("sessions/calendar-feed/", views.feed_settings, name="feed_settings"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("sessions/<int:appointment_id>/appointment.ics", views.download, name="download"),
    path("sessions/<int:appointment_id>/join/", views.waiting, name="waiting"),
    path("sessions/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("sessions/<int:appointment_id>/ask-change/", views.ask_change, name="ask_change"),
    path("sessions/<int:appointment_id>/outcome/", views.outcome, name="outcome"),
    path("sessions/<int:appointment_id>/move/", views.move, name="move"),
    path("cases/<int:case_id>/sessions/book/", views.book, name="book"),
    path("practice/sessions/", views.practice_sessions, name="practice"),
]
