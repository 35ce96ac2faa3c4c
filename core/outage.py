"""Outside services that may go away: the cache and the Celery broker (Redis in production).

A request must never wait long for a service that is down, nor fail because of it. Each
service has a `Breaker` per process: the first failure opens it, and for `pause` seconds the
service is not tried at all (so a hung Redis costs one socket timeout, not one per cache call);
then the next call tries again. The WARNING is logged once per opening, not once per call.
"""

from __future__ import annotations

import logging
import time

from celery import current_app as celery_app

logger = logging.getLogger(__name__)

# How long a service that failed is left alone before it is tried again, in seconds.
OUTAGE_PAUSE = 5.0


class Breaker:
    """Whether a service failed a moment ago (this process only)."""

    def __init__(self, name: str, *, pause: float = OUTAGE_PAUSE) -> None:
        self.name = name
        self.pause = pause
        self._open_until = 0.0
        self._tripped = False

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self, exc: BaseException) -> None:
        if not self.is_open():
            logger.warning(
                "%s unreachable (%s: %s); not tried again for %s s",
                self.name,
                type(exc).__name__,
                exc,
                self.pause,
            )
        self._tripped = True
        self._open_until = time.monotonic() + self.pause

    def close(self) -> bool:
        """The service answered. True if it had failed before (it is back)."""
        if not self._tripped:
            return False
        self._tripped, self._open_until = False, 0.0
        logger.warning("%s answers again", self.name)
        return True


broker = Breaker("Celery broker")


def check_broker() -> None:
    """Raise if the broker does not answer a PING within its socket timeout (the settings'
    CELERY_BROKER_TRANSPORT_OPTIONS). Closes or trips the broker's breaker accordingly."""
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0)
            # Opening a Redis channel PINGs the server; other transports have no server.
            connection.default_channel  # noqa: B018 - the attribute opens the channel
    except Exception as exc:
        broker.trip(exc)
        raise
    broker.close()


def broker_reachable() -> bool:
    """Whether work can be queued now. Asked before anything is charged: a broker that
    failed a moment ago is not tried again (no wait), one that may be up is PINGed."""
    if celery_app.conf.task_always_eager:
        return True  # tasks run in this process (tests, a one-off command): no broker
    if broker.is_open():
        return False
    try:
        check_broker()
    except Exception:  # noqa: BLE001 - any failure to reach the broker means "not now"
        return False
    return True


def broker_known_down() -> bool:
    """Whether the broker failed a moment ago (no wait: nothing is tried)."""
    return not celery_app.conf.task_always_eager and broker.is_open()


def note_broker_failure(exc: BaseException) -> None:
    """A message could not be published: later requests skip the broker for a while."""
    broker.trip(exc)
