"""Errors whose message is written for the person who asked for the work."""

from __future__ import annotations


class UserFacingError(Exception):
    """A failure explained in words a user can act on (a page we could not download, a PDF we
    cannot read). The background job engine shows `user_message` as the task's error."""

    @property
    def user_message(self) -> str:
        return str(self)


class ServiceUnavailable(UserFacingError):
    """A service the request needs (the task queue) is down: nothing was done or charged.
    `core.middleware.ServiceUnavailableMiddleware` answers it with the message, on the page
    the form was posted from."""
