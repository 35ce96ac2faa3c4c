from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from emails import services
from emails.mail import EmailSendError

# Waits before each new try of a message the provider did not take (5 retries, ~4 hours).
RETRY_DELAYS_SECONDS = (60, 300, 900, 3600, 3 * 3600)


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=len(RETRY_DELAYS_SECONDS),
    soft_time_limit=60,
    time_limit=90,
)
def send_email(self, log_id: str) -> str:  # noqa: ANN001  (Celery's bound task)
    try:
        try:
            return services.deliver_email(int(log_id))
        except SoftTimeLimitExceeded as exc:
            raise EmailSendError("The provider did not answer in time", transient=True) from exc
    except EmailSendError as exc:
        attempt = self.request.retries + 1
        if exc.transient and self.request.retries < self.max_retries:
            services.note_email_error(int(log_id), error=str(exc), attempt=attempt)
            raise self.retry(exc=exc, countdown=RETRY_DELAYS_SECONDS[self.request.retries]) from exc
        services.mark_email_failed(int(log_id), error=f"Attempt {attempt}: {exc}")
        return "failed"
    except Exception as exc:
        # A bug must not leave the log "queued" forever; Celery still reports the traceback.
        services.mark_email_failed(int(log_id), error=f"Unexpected error: {exc!r}")
        raise


@shared_task
def resend_forgotten_emails() -> int:
    return services.resend_forgotten_emails()
