from __future__ import annotations

from celery import shared_task

from accounts import inactivity, services


@shared_task(soft_time_limit=1800, time_limit=1860)
def send_inactivity_notices() -> str:
    report = inactivity.send_inactivity_notices()
    return f"{report.warned} warned, {report.deleted} deleted, {report.email_logs_deleted} logs"


# The daily job's name when it lived in the e-mail app: a message queued before a deploy runs.
@shared_task(name="emails.tasks.send_inactivity_notices", soft_time_limit=1800, time_limit=1860)
def send_inactivity_notices_previous_name() -> str:
    return str(send_inactivity_notices())


# Sent by the sign-in pages for any address (accounts.services): the lookup
# of the account happens here, on the mail queue, so the page's timing tells nothing.
@shared_task(name="accounts.tasks.send_verification_link")
def send_verification_link(email: str) -> bool:
    return services.send_verification_link(email)


@shared_task(name="accounts.tasks.send_password_reset")
def send_password_reset(email: str) -> None:
    services.send_password_reset(email)
