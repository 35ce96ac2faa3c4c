from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from fitmycv import views

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Our "check your inbox" page (with the resend button) takes the place of allauth's: same
    # path and name, listed before allauth's URLs so it wins.
    path(
        "accounts/confirm-email/",
        accounts_views.verify_email_sent,
        name="account_email_verification_sent",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("cvs/", include("cvs.urls")),
    path("billing/", include("billing.urls")),
    path("offers/", include("joboffers.urls")),
    path("anymail/", include("emails.urls")),
    path("", include("telemetry.urls")),
    path("admin/", admin.site.urls),
]
