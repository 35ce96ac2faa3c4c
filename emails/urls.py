"""Mounted at /anymail/: the provider's delivery-tracking webhook keeps anymail's usual path."""

from __future__ import annotations

from django.urls import path

from emails import views

app_name = "emails"

urlpatterns = [
    path("resend/tracking/", views.resend_tracking, name="resend_tracking"),
]
