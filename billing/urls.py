from __future__ import annotations

from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.index, name="index"),
    path("packs/<int:pk>/buy/", views.buy_pack, name="buy_pack"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:pk>/subscribe/", views.subscribe, name="subscribe"),
    path("portal/", views.portal, name="portal"),
    path("history/", views.history, name="history"),
    path("redeem/", views.redeem, name="redeem"),
    path("referral/", views.referral, name="referral"),
    path("checkout/done/", views.checkout_done, name="checkout_done"),
    path("webhook/", views.webhook, name="webhook"),
]
