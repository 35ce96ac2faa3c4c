from __future__ import annotations

from django.urls import path

from joboffers import views

app_name = "joboffers"

urlpatterns = [
    path("", views.index, name="index"),
    path("send/", views.send_from_page, name="send"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/role/", views.pick_role, name="pick_role"),
    path("<int:pk>/reextract/", views.reextract, name="reextract"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
