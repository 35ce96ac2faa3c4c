from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.outage import check_broker

logger = logging.getLogger(__name__)


def _check(probe: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # any failure means "down"; the type tells the operator why
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    # The Redis cache turns an outage into misses: ask the server itself, past its breaker.
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
        return
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value just written")


def _broker() -> None:
    check_broker()  # bounded by the broker's socket timeouts (settings.REDIS_TIMEOUT)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check(_database), "cache": _check(_cache), "broker": _check(_broker)}
    ok = all(c["ok"] for c in checks.values())
    for name, check in checks.items():
        if not check["ok"]:
            logger.error("healthz: %s is failing: %s", name, check["error"])
    user = getattr(request, "user", None)
    if not (user is not None and user.is_authenticated and user.is_staff):
        # The public answer names what fails, never why: errors can carry hosts, ports, names.
        checks = {
            name: {k: v for k, v in check.items() if k != "error"} for name, check in checks.items()
        }
    return JsonResponse({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)
