from __future__ import annotations

from django.urls import path

from cvs import views

app_name = "cvs"

urlpatterns = [
    path("", views.index, name="index"),
]
