from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from fitmycv.config import get_setting


def feature_required(
    flag: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse a view while staff have switched its feature off (a setting, not just hidden UI)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not get_setting(flag):
                raise PermissionDenied(_("This feature is switched off for now."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
