from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from staff import views

app_name = "staff"

# Mounted at the site root, before the admin: the staff pages live in the admin's URL space.
DASHBOARDS = "admin/dashboards/"

urlpatterns = [
    path(
        DASHBOARDS,
        RedirectView.as_view(pattern_name="staff:overview"),
        name="dashboards",
    ),
    path(f"{DASHBOARDS}overview/", views.overview, name="overview"),
    path(f"{DASHBOARDS}features/", views.features, name="features"),
    path(f"{DASHBOARDS}errors/", views.errors, name="errors"),
    path(f"{DASHBOARDS}extractions/", views.extractions, name="extractions"),
    path(f"{DASHBOARDS}ai-costs/", views.ai_costs, name="ai_costs"),
    path(f"{DASHBOARDS}feedback/", views.feedback_dashboard, name="feedback_dashboard"),
    path(f"{DASHBOARDS}feedback/triage/", views.feedback_triage, name="feedback_triage"),
    path(f"{DASHBOARDS}users/", views.users, name="users"),
    path(f"{DASHBOARDS}users/<int:pk>/", views.user_detail, name="user_detail"),
    path(f"{DASHBOARDS}users/<int:pk>/credits/", views.user_grant, name="user_grant"),
    path(f"{DASHBOARDS}users/<int:pk>/role/", views.user_role, name="user_role"),
    path(f"{DASHBOARDS}users/<int:pk>/access/", views.user_access, name="user_access"),
    path(f"{DASHBOARDS}onboarding/", views.onboarding, name="onboarding"),
    path(f"{DASHBOARDS}revenue/", views.revenue, name="revenue"),
    path(f"{DASHBOARDS}emails/", views.emails, name="emails"),
    path(f"{DASHBOARDS}settings/", views.settings_editor, name="settings"),
]
