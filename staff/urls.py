from __future__ import annotations

from django.urls import URLPattern, path
from django.views.generic import RedirectView

from staff import views

app_name = "staff"

# Mounted at the site root, before the admin: the staff pages live in the admin's URL space.
DASHBOARDS = "admin/dashboards/"


def _dashboard(route: str, name: str) -> URLPattern:
    return path(f"{DASHBOARDS}{route}/", views.dashboard, {"name": name}, name=name)


urlpatterns = [
    path(
        DASHBOARDS,
        RedirectView.as_view(pattern_name="staff:overview"),
        name="dashboards",
    ),
    _dashboard("overview", "overview"),
    _dashboard("features", "features"),
    _dashboard("errors", "errors"),
    _dashboard("extractions", "extractions"),
    _dashboard("ai-costs", "ai_costs"),
    path(f"{DASHBOARDS}feedback/", views.feedback_dashboard, name="feedback_dashboard"),
    path(f"{DASHBOARDS}feedback/triage/", views.feedback_triage, name="feedback_triage"),
    path(f"{DASHBOARDS}users/", views.users, name="users"),
    path(f"{DASHBOARDS}users/<int:pk>/", views.user_detail, name="user_detail"),
    path(f"{DASHBOARDS}users/<int:pk>/credits/", views.user_grant, name="user_grant"),
    path(f"{DASHBOARDS}users/<int:pk>/role/", views.user_role, name="user_role"),
    path(f"{DASHBOARDS}users/<int:pk>/access/", views.user_access, name="user_access"),
    _dashboard("onboarding", "onboarding"),
    _dashboard("revenue", "revenue"),
    _dashboard("emails", "emails"),
    path(f"{DASHBOARDS}settings/", views.settings_editor, name="settings"),
]
