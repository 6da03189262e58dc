from django.urls import path

from retrust.datarights import views

app_name = "datarights"

urlpatterns = [
    path("account/data/", views.mine, name="mine"),
    path("account/data/copy/", views.request_copy, name="request_copy"),
    path("account/data/copy/<int:export_id>/link/", views.make_link, name="make_link"),
    path("account/data/download/<str:token>/", views.download, name="download"),
    path("account/data/delete/", views.delete_account, name="delete_account"),
    path("account/data/delete/cancel/", views.cancel_deletion, name="cancel_deletion"),
    path("caseload/leaving/", views.leaving, name="leaving"),
    path("practice/data/", views.retention, name="retention"),
]
