"""The errors every AI feature raises, whatever the engine or the provider.

`str(error)` is the technical detail for logs; `error.user_message` is what a page or a task
row may show. Provider SDK exceptions never get past `ai.openai_api`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop


@dataclass(frozen=True)
class BilledUsage:
    """What the provider billed for the requests of one call, whether it succeeded or not."""

    model: str
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    duration_ms: int = 0
    attempts: int = 0


class ProviderIncident:
    """Provider failures that stop every AI feature until someone acts: staff are alerted."""

    AUTH = "auth"  # the API key is missing, refused or lacks access to the model
    QUOTA = "quota"  # the provider account is out of credit
    SERVER_ERRORS = "server_errors"  # 5xx on every attempt of a call


class AIError(Exception):
    """An AI feature failed; the base of every error below."""

    default_user_message = "The AI service could not complete this request. Please try again."
    # Worth retrying the whole job later (a task may use this to decide on a Celery retry).
    retryable = False
    # Tokens the provider billed before the failure (set by the adapter; None: no request).
    usage: BilledUsage | None = None
    # A ProviderIncident value when the failure stops the AI features for everyone, else "".
    incident = ""

    def __init__(
        self, message: str = "", *, user_message: str | None = None, incident: str = ""
    ) -> None:
        super().__init__(message or self.default_user_message)
        self._user_message = user_message
        if incident:
            self.incident = incident

    @property
    def user_message(self) -> str:
        # Translated when read, so a task renders it in the language active at that moment.
        return gettext(self._user_message or self.default_user_message)


class AITemporaryError(AIError):
    default_user_message = "The AI service is busy or unreachable. Please try again in a moment."
    retryable = True


class AIInvalidResponse(AIError):
    default_user_message = "The AI service returned an unusable answer. Please try again."
    retryable = True


class AIRefused(AIError):
    default_user_message = "The AI service declined to process this content."


class AICancelled(AIError):
    default_user_message = "The task was cancelled."


class AIConfigurationError(AIError):
    default_user_message = (
        "The AI service is not configured correctly. The team has been told; please try later."
    )


class AINoJobOffer(AIError):
    default_user_message = "No job offer was found in this text."


class AIUnavailableOffline(AIError):
    default_user_message = "This feature needs the online AI engine, which is not enabled here."


class AINotEnoughInCommon(AIError):
    """A cover letter was refused: the CV shows too little of what the offer asks for."""

    default_user_message = gettext_noop(
        "Your CV shows too little of what this offer asks for to write an honest cover letter "
        "(%(found)s point(s) in common, %(needed)s needed). No letter was written and you were "
        "not charged. Pick an offer closer to your experience, or add what you really did to "
        "your CV."
    )

    def __init__(self, message: str = "", *, found: int, needed: int) -> None:
        super().__init__(message)
        self.found, self.needed = found, needed

    @property
    def user_message(self) -> str:
        return gettext(self.default_user_message) % {"found": self.found, "needed": self.needed}
