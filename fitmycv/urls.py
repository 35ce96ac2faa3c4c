from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from fitmycv import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("cvs/", include("cvs.urls")),
    path("admin/", admin.site.urls),
]
