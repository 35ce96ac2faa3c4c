from __future__ import annotations

from django.urls import path

from telemetry import views

app_name = "telemetry"

urlpatterns = [
    path("feedback/", views.feedback, name="feedback"),
]
