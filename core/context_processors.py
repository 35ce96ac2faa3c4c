from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.config import SETTINGS, get_setting


def branding(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.SITE_NAME,
        "site_root": settings.SITE_ROOT,
        "stripe_enabled": settings.STRIPE_ENABLED,
        "ai_engine": settings.AI_ENGINE,
    }


def features(request: HttpRequest) -> dict[str, Any]:
    """The feature flags (`features.feature_export`...), so that pages hide what is switched
    off; the views refuse it too (core.decorators.feature_required)."""
    return {
        "features": SimpleLazyObject(
            lambda: {name: get_setting(name) for name in SETTINGS if name.startswith("feature_")}
        )
    }
