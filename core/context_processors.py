from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def branding(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.SITE_NAME,
        "site_root": settings.SITE_ROOT,
        "stripe_enabled": settings.STRIPE_ENABLED,
        "ai_engine": settings.AI_ENGINE,
    }
