from django.urls import path

from retrust.conversations import views

urlpatterns = [
    path("talk/", views.talk_home, name="talk_home"),
    path("cases/<int:case_id>/talk/", views.talk, name="talk"),
    path("cases/<int:case_id>/gentle-start/", views.gentle_start, name="gentle_start"),
    path("cases/<int:case_id>/feeling-words/", views.feeling_words, name="feeling_words"),
    path(
        "cases/<int:case_id>/conversations/new/",
        views.open_conversation,
        name="open_conversation",
    ),
    path("conversations/<int:pk>/", views.conversation, name="conversation"),
    path("conversations/<int:pk>/turns/", views.post_turn, name="post_turn"),
    path("conversations/<int:pk>/break/", views.call_break, name="call_break"),
    path("coach/feedback/", views.coach_feedback, name="coach_feedback"),
    path("cases/<int:case_id>/reviews/new/", views.open_review, name="open_review"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/comment/", views.comment_on_review, name="comment_on_review"),
    path("reviews/<int:pk>/next-session/", views.review_to_session, name="review_to_session"),
    path(
        "reviews/<int:pk>/talked-through/",
        views.review_talked_through,
        name="review_talked_through",
    ),
    path("cases/<int:case_id>/triggers/", views.triggers, name="triggers"),
]
