from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.index, name="index"),
    path("account/profile/", views.update_profile, name="update_profile"),
    path("account/export/", views.export_data, name="export_data"),
    path("account/delete/", views.delete_account, name="delete_account"),
    path("account/bookmarklets/", views.create_bookmarklet, name="create_bookmarklet"),
    path(
        "account/bookmarklets/<int:pk>/revoke/",
        views.revoke_bookmarklet,
        name="revoke_bookmarklet",
    ),
    path("account/onboarding/<slug:action>/", views.onboarding_action, name="onboarding"),
    path("account/complete-signin/", views.complete_signin, name="complete_signin"),
    path("account/verify-email/resend/", views.resend_verification, name="resend_verification"),
    path("language/", views.set_language, name="set_language"),
    path("consent/", views.save_consent, name="consent"),
    path("r/<str:code>", views.referral_landing, name="referral"),
    path("about/", views.about, name="about"),
    path("terms/", views.terms, name="terms"),
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
]
