from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from core import views as core_views

# Staff sign in through the site's login: its rate limits, e-mail verification and two-factor
# step apply to the admin too. /admin/login/ only redirects there.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
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
    path("offers/", include("cvs.offer_urls")),
    path("anymail/", include("emails.urls")),
    path("", include("telemetry.urls")),
    path("", include("staff.urls")),
    path("admin/", admin.site.urls),
]
