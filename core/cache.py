"""Django's Redis cache, made to survive Redis going away.

With Redis refusing connections or hung, every read is a miss and every write is dropped, so
callers go on as with an empty cache (the settings come from the database, fragments are
rendered). The socket timeouts in `OPTIONS` bound one call; the breaker (`core.outage`) then
skips Redis for a few seconds, so a request pays at most one timeout.

Two kinds of entries must not simply vanish during an outage:

* Keys under the `LOCAL_WHEN_DOWN` prefixes (rate limits, replay guards, cooldowns) live in
  this process's memory while Redis is away: the limits keep holding, counted per process, and
  nobody is locked out.
* A write or delete that could not reach Redis leaves the old entry there, stale. Its key is
  remembered and deleted once Redis answers again (a staff edit of the settings made during an
  outage is not undone by the entry cached before it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from core.outage import Breaker

OUTAGE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# Keys remembered for deletion at most; past that, the oldest stale entries expire on their own.
MAX_PENDING_DELETES = 10_000

T = TypeVar("T")


# Django makes one cache object per thread; what an outage leaves behind is the process's.
_breakers: dict[str, Breaker] = {}
_pending: dict[str, set[str]] = {}
_shared_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        name = server if isinstance(server, str) else ",".join(server)
        with _shared_lock:
            self.breaker = _breakers.setdefault(name, Breaker(f"Redis cache {name}"))
            self._pending_deletes = _pending.setdefault(name, set())
        self._local_prefixes = tuple(params.get("LOCAL_WHEN_DOWN", ()))
        # LocMemCache objects of one name share their entries across threads.
        self._local = LocMemCache(f"outage:{name}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})

    # --- the one place that talks to Redis -----------------------------------------------

    def _attempt(
        self, call: Callable[[], T], *, written: Iterable[str] = ()
    ) -> tuple[bool, T | None]:
        """Run one Redis call. (True, result), or (False, None) when Redis is away; the keys
        the call would have changed are then remembered for deletion."""
        if not self.breaker.is_open():
            try:
                if self._pending_deletes:
                    self._replay_deletes()
                result = call()
            except OUTAGE_ERRORS as exc:
                self.breaker.trip(exc)
            else:
                self.breaker.close()
                return True, result
        for key in written:
            if len(self._pending_deletes) < MAX_PENDING_DELETES:
                self._pending_deletes.add(key)
        return False, None

    @property
    def _client(self) -> RedisCacheClient:
        client: RedisCacheClient = self._cache  # type: ignore[attr-defined]  # not in the stubs
        return client

    def _replay_deletes(self) -> None:
        keys = list(self._pending_deletes)
        if keys:
            self._client.delete_many(keys)
        self._pending_deletes.difference_update(keys)

    def _is_local(self, key: str) -> bool:
        return key.startswith(self._local_prefixes) if self._local_prefixes else False

    def _made(self, key: str, version: int | None) -> str:
        return self.make_and_validate_key(key, version=version)

    def _expiry(self, timeout: Any) -> Any:
        # Seconds, or None for "never expires", which Django's client takes (its stubs do not).
        return self.get_backend_timeout(timeout)

    def _local_timeout(self, timeout: Any) -> Any:
        return self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout

    # --- Django's cache API ---------------------------------------------------------------

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        made = self._made(key, version)
        reached, added = self._attempt(
            lambda: self._client.add(made, value, self._expiry(timeout)),
            written=[made],
        )
        if reached:
            return bool(added)
        if self._is_local(key):
            return self._local.add(key, value, self._local_timeout(timeout), version)
        return False  # not stored

    def get(self, key: str, default: Any = None, version: Any = None) -> Any:
        made = self._made(key, version)
        reached, value = self._attempt(lambda: self._client.get(made, default))
        if reached:
            return value
        if self._is_local(key):
            return self._local.get(key, default, version)
        return default

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        made = self._made(key, version)
        reached, _ = self._attempt(
            lambda: self._client.set(made, value, self._expiry(timeout)),
            written=[made],
        )
        if not reached and self._is_local(key):
            self._local.set(key, value, self._local_timeout(timeout), version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        made = self._made(key, version)
        reached, touched = self._attempt(lambda: self._client.touch(made, self._expiry(timeout)))
        if reached:
            return bool(touched)
        if self._is_local(key):
            return self._local.touch(key, self._local_timeout(timeout), version)
        return False

    def delete(self, key: str, version: Any = None) -> bool:
        made = self._made(key, version)
        reached, deleted = self._attempt(lambda: self._client.delete(made), written=[made])
        if self._is_local(key):
            self._local.delete(key, version)
        return bool(deleted) if reached else False

    def get_many(self, keys: Iterable[str], version: Any = None) -> dict[str, Any]:
        key_map = {self._made(key, version): key for key in keys}
        reached, found = self._attempt(lambda: self._client.get_many(key_map.keys()))
        if reached and found is not None:
            return {key_map[k]: v for k, v in found.items() if isinstance(k, str)}
        return {}

    def has_key(self, key: str, version: Any = None) -> bool:
        made = self._made(key, version)
        reached, present = self._attempt(lambda: self._client.has_key(made))
        if reached:
            return bool(present)
        if self._is_local(key):
            return self._local.has_key(key, version)
        return False

    def incr(self, key: str, delta: int = 1, version: Any = None) -> int:
        made = self._made(key, version)
        reached, value = self._attempt(lambda: self._client.incr(made, delta), written=[made])
        if reached and value is not None:
            return int(value)
        if self._is_local(key):
            return self._local.incr(key, delta, version)
        raise ValueError(f"Key '{key}' not found")  # what a miss answers

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[str]:
        if not data:
            return []
        made: dict[Any, Any] = {self._made(key, version): value for key, value in data.items()}
        reached, _ = self._attempt(
            lambda: self._client.set_many(made, self._expiry(timeout)),
            written=made.keys(),
        )
        return [] if reached else list(data)

    def delete_many(self, keys: Iterable[str], version: Any = None) -> None:
        keys = list(keys)
        if not keys:
            return
        made = [self._made(key, version) for key in keys]
        self._attempt(lambda: self._client.delete_many(made), written=made)
        for key in keys:
            if self._is_local(key):
                self._local.delete(key, version)

    def clear(self) -> None:
        self._local.clear()
        reached, _ = self._attempt(self._client.clear)
        if reached:
            self._pending_deletes.clear()

    def ping(self) -> None:
        """Ask Redis directly, past the breaker (the health check): raise if it does not
        answer. An answer closes the breaker."""
        client = self._client.get_client(write=True)
        try:
            client.ping()
        except OUTAGE_ERRORS as exc:
            self.breaker.trip(exc)
            raise
        self.breaker.close()
