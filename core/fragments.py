"""A template fragment cache that is safe for fragments holding CSRF-protected forms.

Django's `{% cache %}` stores the rendered HTML as is, so a cached form would carry the CSRF
token of whichever browser rendered it first. Here the fragment is rendered once with
placeholders in place of the CSRF token and of the one-time form tokens, and stored; every
request then gets its own tokens substituted in. The key varies on the values the template
passes, the active language and time zone, and a digest of the template file, so a new release
never serves HTML from the old templates.

A cache that cannot be reached (Redis restarting) only costs a render: the page is served.

Each process also keeps the fragments it served last in memory (LOCAL_BYTES at most, least
recently used dropped first), in front of the shared cache. A key names exactly what its
fragment shows, so an entry never goes stale: the memory only spares the round trip to Redis,
which cost a signed-in page more time than a bare Django page takes in all. Emptying the shared
cache by hand therefore does not empty the workers' memory: restart them (a deploy does).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from django import template
from django.core.cache import cache
from django.core.signals import setting_changed
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

FRAGMENT_TIMEOUT = 24 * 3600
KEY_PREFIX = "fragment"
# Per process: 5 workers keep 20 MB at most, enough for the pages of a few hundred users.
LOCAL_BYTES = 4 * 1024 * 1024

# Derived from SECRET_KEY so that every process agrees on it and no user can type it into
# their own content to have it replaced.
_placeholder = SimpleLazyObject(
    lambda: "csrf-" + salted_hmac("fitmycv.fragments", "csrf-placeholder").hexdigest()[:32]
)

submission_placeholder = SimpleLazyObject(
    lambda: "submission-" + salted_hmac("fitmycv.fragments", "submission").hexdigest()[:32]
)
# Set in the context while a fragment renders for the cache: per-request values are written
# as placeholders.
RENDERING_FRAGMENT = "rendering_cached_fragment"


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


def digest(value: Any) -> str:
    """A short, stable digest of JSON-like data (a CV's content), for use in cache keys."""
    encoded = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(encoded.encode(), digest_size=16).hexdigest()


def _loaded_fields(obj: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(obj).items() if not name.startswith("_")}


def digest_rows(objects: Any) -> str:
    """A digest of every loaded field of a list of model instances: a cached list varies on
    all it could show, so a column added later cannot be served stale."""
    return digest([_loaded_fields(obj) for obj in objects])


def digest_row(obj: Any) -> str:
    """A digest of every loaded field (and annotation) of one model instance."""
    return digest(_loaded_fields(obj))


def template_digest(origin_name: str | None) -> str:
    """A digest of the template file the fragment lives in: a deploy that changes the
    template changes every key."""
    if not origin_name:
        return ""
    try:
        return hashlib.blake2b(Path(origin_name).read_bytes(), digest_size=8).hexdigest()
    except OSError:
        return ""


def fragment_key(name: str, revision: str, vary_on: list[Any]) -> str:
    parts = [
        revision,
        get_language() or "",
        timezone.get_current_timezone_name(),
        *(str(value) for value in vary_on),
    ]
    hashed = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    return f"{KEY_PREFIX}:{name}:{hashed}"


class LocalFragments:
    """The fragments this process served last, by key, within a budget of characters."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._entries: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
            return html

    def set(self, key: str, html: str) -> None:
        if len(html) > self.budget:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.size -= len(previous)
            self._entries[key] = html
            self.size += len(html)
            while self.size > self.budget:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


local = LocalFragments(LOCAL_BYTES)


def forget_local_fragments(**kwargs: Any) -> None:
    """Empty this process's memory of fragments (tests, and any change of settings: a
    fragment may show one, e.g. the list of languages)."""
    local.clear()


setting_changed.connect(forget_local_fragments)


def _cache_get(key: str) -> str | None:
    html = local.get(key)
    if html is not None:
        return html
    try:
        shared: str | None = cache.get(key)
    except Exception:  # noqa: BLE001 - any cache outage: render instead
        logger.warning("fragment cache unavailable on read", exc_info=True)
        return None
    if shared is not None:
        local.set(key, shared)
    return shared


def _cache_set(key: str, html: str) -> None:
    local.set(key, html)
    try:
        cache.set(key, html, FRAGMENT_TIMEOUT)
    except Exception:  # noqa: BLE001 - any cache outage: the page is still served
        logger.warning("fragment cache unavailable on write", exc_info=True)


def render_cached(
    context: template.Context,
    nodelist: template.NodeList,
    name: str,
    revision: str,
    vary_on: list[Any],
) -> SafeString:
    placeholder = str(_placeholder)
    key = fragment_key(name, revision, vary_on)
    html = _cache_get(key)
    if html is None:
        with context.push(csrf_token=placeholder, **{RENDERING_FRAGMENT: True}):
            html = nodelist.render(context)
        _cache_set(key, str(html))
    if context.get(RENDERING_FRAGMENT):
        # Inside a fragment being rendered for the cache: the outer one substitutes the
        # per-request values, else the cache would keep this request's tokens.
        return mark_safe(html)  # noqa: S308 - rendered by our own template, escaped there
    submission = str(submission_placeholder)
    if submission in html:
        # One fresh token per form, as an uncached render would write.
        html = re.sub(re.escape(submission), lambda match: new_submission_token(), html)
    if placeholder in html:
        # Reading the request's token also marks it used, so the CSRF cookie is set as it
        # would be by a freshly rendered form.
        token = str(context.get("csrf_token", ""))
        html = html.replace(placeholder, "" if token == "NOTPROVIDED" else token)
    return mark_safe(html)  # noqa: S308 - rendered by our own template, escaped there
