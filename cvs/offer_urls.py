"""The CV features an offer's page starts (tailor a CV to it, an example CV for it): CV work,
served under the offer's own URL."""

from __future__ import annotations

from django.urls import path

from cvs import views

app_name = "offer_cvs"

urlpatterns = [
    path("<int:pk>/tailor/", views.tailor_to_offer, name="tailor"),
    path("<int:pk>/example-cv/", views.example_cv_for_offer, name="example_cv"),
]
