"""The product's e-mails: rendering, one function per e-mail, and the hand-off to the provider.

Every e-mail is a triad of files (`templates/emails/<name>-subject.txt`, `-body.txt`,
`-body.html`) that staff may override with an active EmailTemplate row. The HTML bodies share
one layout, `templates/emails/base.html`: a body file extends it, and a row's HTML is the
content it wraps (rows that hold a whole document are sent as they are). Rows and the text
files use `{{ name }}` placeholders only: staff-edited content never runs template tags. A row
that does not render (unknown variable, bad markup, empty) is logged and the file is used
instead, so a bad edit never stops a send.

Each function below renders its message now, in the recipient's language, stores it in an
EmailLog row and leaves the sending to `emails.tasks.send_email` once the transaction commits.
This is the only module that imports the mail SDKs (anymail, smtplib, allauth's mail rendering).
"""

from __future__ import annotations

import html as html_lib
import logging
import re
import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from anymail.exceptions import AnymailAPIError, AnymailError
from anymail.webhooks.resend import ResendTrackingWebhookView
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponseBase
from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from kombu.exceptions import OperationalError

from core.config import get_setting
from core.outage import broker_known_down, note_broker_failure
from emails.models import EmailLog, EmailStatus, EmailTemplate

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

GLOBAL_VARIABLES = ("site_name", "site_root")
# The variables the code supplies to each e-mail: a template may use these and the globals.
EMAIL_VARIABLES: dict[str, tuple[str, ...]] = {
    "email_verification": ("user_name", "verification_url"),
    "password_reset": ("user_name", "reset_url"),
    "email_change": ("user_name", "verification_url", "new_email"),
    "welcome": ("user_name", "login_url", "welcome_credits"),
    "credits_purchased": ("user_name", "credits_amount", "total_price", "invoice_url"),
    "payment_failed": ("user_name", "billing_url"),
    "inactivity_warning": ("user_name", "login_url", "last_activity_date", "deletion_date"),
    "cost_alert": ("alert_name", "threshold", "value", "period", "dashboard_url"),
    "ai_provider_alert": ("problem", "detail", "period", "dashboard_url"),
}
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
VARIABLE_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*")
TEMPLATE_TAG = re.compile(r"\{%|\{#")
LAYOUT_TEMPLATE = "emails/base.html"
CONTENT_BLOCK = re.compile(r"\{% block content %\}(.*)\{% endblock %\}", re.DOTALL)
WHOLE_DOCUMENT = re.compile(r"<html[\s>]|<!doctype", re.IGNORECASE)
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}

# allauth's e-mails that have a triad of ours; the others keep allauth's own templates.
ALLAUTH_SIGNUP_CONFIRMATION = "account/email/email_confirmation_signup"
ALLAUTH_CONFIRMATION = "account/email/email_confirmation"
ALLAUTH_PASSWORD_RESET = "account/email/password_reset_key"


class EmailTemplateError(ValueError):
    """A template that cannot be rendered; the message tells staff what to fix."""


class EmailSendError(Exception):
    """The provider did not take the message. `transient` errors are worth another try."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    template: EmailTemplate | None = None


@dataclass(frozen=True)
class SentMessage:
    provider: str
    message_id: str


# Rendering ---------------------------------------------------------------------------------------


def template_variables(source: str) -> list[str]:
    """The variable names `source` uses; EmailTemplateError for anything but `{{ name }}`."""
    if TEMPLATE_TAG.search(source):
        raise EmailTemplateError(
            "Template tags ({% … %}) and comments ({# … #}) are not supported: "
            "use {{ variable }} placeholders only."
        )
    names = []
    for match in PLACEHOLDER.finditer(source):
        name = VARIABLE_NAME.fullmatch(match.group(1))
        if name is None:
            raise EmailTemplateError(
                f"{match.group(0)} is not a variable: write {{{{ name }}}} with a plain name "
                "(no dots, filters or spaces inside the name)."
            )
        names.append(name.group(1))
    if "{{" in PLACEHOLDER.sub("", source):
        raise EmailTemplateError("A {{ is never closed with }}.")
    return names


def check_variables(source: str, allowed: Iterable[str]) -> None:
    """Raise EmailTemplateError when `source` is malformed or uses a variable not in `allowed`."""
    allowed = set(allowed)
    unknown = sorted(set(template_variables(source)) - allowed)
    if unknown:
        listed = ", ".join(f"{{{{ {name} }}}}" for name in unknown)
        raise EmailTemplateError(
            f"Unknown variable{'s' if len(unknown) > 1 else ''} {listed}. "
            f"Available: {', '.join(sorted(allowed))}."
        )


def substitute(source: str, values: Mapping[str, str], *, html: bool) -> str:
    """Replace each `{{ name }}` by its value, HTML-escaped when `html` is set."""
    check_variables(source, values.keys())

    def value(match: re.Match[str]) -> str:
        name = VARIABLE_NAME.fullmatch(match.group(1)).group(1)  # type: ignore[union-attr]
        return str(escape(values[name])) if html else values[name]

    return PLACEHOLDER.sub(value, source)


def html_to_text(html: str) -> str:
    """A readable plain-text version of an HTML body, for a template without a text body."""
    body = re.sub(r"(?is)<(head|style|script)\b.*?</\1\s*>", "", html)
    body = re.sub(r'(?is)<a\b[^>]*?href="([^"]*)"[^>]*>(.*?)</a\s*>', r"\2 (\1)", body)
    body = re.sub(r"(?i)<br\s*/?>", "\n", body)
    body = re.sub(r"(?i)</(p|div|tr|li|h[1-6])\s*>", "\n\n", body)
    text = html_lib.unescape(strip_tags(body))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def global_variables() -> dict[str, str]:
    return {"site_name": settings.SITE_NAME, "site_root": settings.SITE_ROOT}


def email_name(template: EmailTemplate) -> str:
    """The e-mail a template is for: its trigger's name (seeded rows share the trigger's name)."""
    return template.trigger.name if template.trigger_id else template.name


def variable_names(template: EmailTemplate) -> tuple[str, ...]:
    """The variables a template may use besides the globals."""
    name = email_name(template)
    if name in EMAIL_VARIABLES:
        return EMAIL_VARIABLES[name]
    declared = template.trigger.variables if template.trigger_id else template.variables
    return tuple(str(variable) for variable in declared or ())


def sample_variables(names: Iterable[str]) -> dict[str, str]:
    """Plausible values for the editor's preview and the test e-mail."""
    root = settings.SITE_ROOT
    samples = {
        "user_name": "Alice Martin",
        "verification_url": f"{root}/accounts/confirm-email/SAMPLE-KEY/",
        "reset_url": f"{root}/accounts/password/reset/key/SAMPLE-KEY/",
        "new_email": "alice.new@example.org",
        "login_url": f"{root}/accounts/login/",
        "welcome_credits": "15",
        "credits_amount": "50",
        "total_price": "€9.99",
        "invoice_url": f"{root}/invoices/SAMPLE/",
        "billing_url": f"{root}/account/",
        "last_activity_date": "March 3, 2023",
        "deletion_date": "March 3, 2026",
        "alert_name": "All users above $100 in a day",
        "threshold": "100.00",
        "value": "123.45",
        "period": "today",
        "dashboard_url": f"{root}/admin/",
    }
    return {name: samples.get(name, f"[{name}]") for name in names}


def variable_values(variables: Mapping[str, object]) -> dict[str, str]:
    return {
        **global_variables(),
        **{key: "" if value is None else str(value) for key, value in variables.items()},
    }


def render_source(
    subject: str,
    text: str,
    html: str,
    variables: Mapping[str, object],
    *,
    template: EmailTemplate | None = None,
) -> RenderedEmail:
    """Render stored sources; an HTML body that is not a whole document goes in the layout."""
    values = variable_values(variables)
    if not subject.strip() or not html.strip():
        raise EmailTemplateError("The subject and the HTML body cannot be empty.")
    content = substitute(html, values, html=True)
    # Rows seeded before the layout had its own file hold a whole document: sent as they are.
    rendered_html = content if WHOLE_DOCUMENT.search(html) else render_layout(content, values)
    return _finish(subject, text, content, rendered_html, values, template)


def render_layout(content: str, values: Mapping[str, str]) -> str:
    """`content` (rendered HTML, its variables escaped) in the layout of every e-mail."""
    return get_template(LAYOUT_TEMPLATE).render({**values, "content": mark_safe(content)})


def render_template(template: EmailTemplate, variables: Mapping[str, object]) -> RenderedEmail:
    """Render one row as it is (editor preview, test e-mail); EmailTemplateError if it can't."""
    return render_source(
        template.subject,
        template.text_content,
        template.html_content,
        variables,
        template=template,
    )


def render_file(name: str, variables: Mapping[str, object]) -> RenderedEmail:
    """The file triad; its HTML body is a Django template extending the layout."""
    values = variable_values(variables)
    html = get_template(f"emails/{name}-body.html").render(values)
    subject, text = (_file_source(f"emails/{name}-{part}") for part in ("subject.txt", "body.txt"))
    return _finish(subject, text, html, html, values, None)


def file_sources(name: str) -> tuple[str, str, str]:
    """The file triad as a row stores it: subject, text, and the HTML body's content block."""
    html = _file_source(f"emails/{name}-body.html")
    match = CONTENT_BLOCK.search(html)
    if match is None:
        raise EmailTemplateError(f"emails/{name}-body.html has no content block.")
    return (
        _file_source(f"emails/{name}-subject.txt"),
        _file_source(f"emails/{name}-body.txt"),
        match.group(1),
    )


def _file_source(path: str) -> str:
    return get_template(path).template.source  # type: ignore[attr-defined,no-any-return]


def _finish(
    subject: str,
    text: str,
    content: str,
    html: str,
    values: Mapping[str, str],
    template: EmailTemplate | None,
) -> RenderedEmail:
    # Without a text body, the text is made from the e-mail's own content, not the layout.
    rendered_text = substitute(text, values, html=False) if text.strip() else html_to_text(content)
    # One line, whatever a name contains: a newline in a subject is a header injection.
    rendered_subject = " ".join(substitute(subject, values, html=False).split())
    return RenderedEmail(rendered_subject, rendered_text, html, template)


def active_template(name: str) -> EmailTemplate | None:
    return (
        EmailTemplate.objects.filter(is_active=True)
        .filter(Q(trigger__name=name) | Q(trigger__isnull=True, name=name))
        .select_related("trigger")
        .order_by("-updated_at")
        .first()
    )


def render_email(name: str, variables: Mapping[str, object]) -> RenderedEmail:
    """The active DB template of `name` when it renders, else the file triad."""
    template = active_template(name)
    if template is not None:
        try:
            return render_template(template, variables)
        except EmailTemplateError as exc:
            logger.warning(
                "e-mail template %r does not render, the file is used instead: %s",
                template.name,
                exc,
            )
    return render_file(name, variables)


def build_message(
    *, subject: str, text: str, html: str, to: list[str], tag: str = ""
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    if tag:
        # anymail passes tags to the provider (Resend: an X-Tags header); others ignore them.
        message.tags = [tag]  # type: ignore[attr-defined]
    return message


def make_message(
    name: str, to: str | list[str], variables: Mapping[str, object]
) -> EmailMultiAlternatives:
    rendered = render_email(name, variables)
    return build_message(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        to=[to] if isinstance(to, str) else list(to),
        tag=name,
    )


# Sending -----------------------------------------------------------------------------------------


def provider_name() -> str:
    """The backend's short name: "resend", "smtp", "console", "locmem"..."""
    return settings.EMAIL_BACKEND.rsplit(".", 2)[-2][:20]


def send_message(message: EmailMessage) -> SentMessage:
    """Hand one message to the configured backend; EmailSendError when it is not taken."""
    try:
        message.send()
    except AnymailAPIError as exc:
        # Network errors, timeouts and provider 5xx/429 all surface as AnymailAPIError.
        raise EmailSendError(str(exc), transient=True) from exc
    except AnymailError as exc:
        # Refused or invalid recipients, configuration errors: another try would fail the same.
        raise EmailSendError(str(exc), transient=False) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise EmailSendError(str(exc), transient=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        # OSError covers refused connections and socket timeouts (TimeoutError).
        raise EmailSendError(str(exc) or exc.__class__.__name__, transient=True) from exc
    message_id = getattr(getattr(message, "anymail_status", None), "message_id", None)
    if isinstance(message_id, set):  # one id per recipient when they differ
        message_id = ",".join(sorted(str(m) for m in message_id if m is not None))
    return SentMessage(
        provider=provider_name(), message_id="" if message_id is None else str(message_id)[:255]
    )


def queue_email(
    name: str,
    to: str,
    variables: Mapping[str, object],
    *,
    user: User | None = None,
    template: EmailTemplate | None = None,
    is_test: bool = False,
) -> EmailLog:
    """Render, log as queued, and send from the mail worker after the transaction commits.

    `template` renders that row as it is (a test e-mail from the editor) instead of the active
    template or file.
    """
    with translation.override(language_of(user)):
        rendered = (
            render_template(template, variables)
            if template is not None
            else render_email(name, variables)
        )
    log = EmailLog.objects.create(
        template=rendered.template,
        template_name=name[:60],
        recipient_email=to,
        recipient_user=user,
        subject=rendered.subject[:255],
        text_body=rendered.text,
        html_body=rendered.html,
        status=EmailStatus.QUEUED,
        is_test_email=is_test,
    )
    publish_on_commit(log.pk)
    return log


def publish(log_id: int) -> bool:
    """Hand a queued log to the mail worker. A broker that is down must not fail the request
    that wrote the log (a sign-up, a payment): the log stays queued and the sweeper sends it
    again (emails.services.resend_forgotten_emails)."""
    from emails.tasks import send_email as send_email_task  # tasks → services → this module

    if broker_known_down():  # it failed a moment ago: trying again would only make us wait
        logger.warning("Broker down: e-mail %s will be sent again later", log_id)
        return False
    try:
        send_email_task.delay(str(log_id))
    except OperationalError as exc:  # the broker is unreachable; the log is the source of truth
        note_broker_failure(exc)
        logger.exception("Could not send e-mail %s to the broker; it will be sent again", log_id)
        return False
    return True


def publish_on_commit(log_id: int) -> None:
    transaction.on_commit(partial(publish, log_id))


def log_message(message: EmailMessage, *, name: str, user: User | None = None) -> list[EmailLog]:
    """Queue an already-rendered message (allauth's own templates), one log per recipient."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = str(content)
    logs = []
    for to in message.to:
        log = EmailLog.objects.create(
            template_name=name[:60],
            recipient_email=to,
            recipient_user=user,
            subject=" ".join(str(message.subject).split())[:255],
            text_body=str(message.body),
            html_body=html,
            status=EmailStatus.QUEUED,
        )
        publish_on_commit(log.pk)
        logs.append(log)
    return logs


_RESEND_TRACKING_VIEW = ResendTrackingWebhookView.as_view()


def resend_signing_secret() -> str:
    anymail = getattr(settings, "ANYMAIL", None) or {}
    return str(anymail.get("RESEND_SIGNING_SECRET") or "")


def handle_tracking_webhook(request: HttpRequest) -> HttpResponseBase:
    """Resend's delivery events, through anymail (which checks the svix signature).

    Without a signing secret the endpoint does not exist: anymail would otherwise accept
    unsigned events from anyone (or fail on an empty secret).
    """
    if not resend_signing_secret():
        raise Http404("Delivery tracking is not configured")
    return _RESEND_TRACKING_VIEW(request)


# Formatting in the recipient's language ----------------------------------------------------------


def language_of(user: User | None) -> str:
    """The language of e-mails to `user`: their own choice, never the sender's request's."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def account_of(email: str) -> User | None:
    """The account an address belongs to (allauth's notices name the address, not the user)."""
    from allauth.account.models import EmailAddress  # allauth's models load with the apps

    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    address = (
        EmailAddress.objects.filter(email__iexact=email)
        .select_related("user")
        .order_by("-verified", "-primary")
        .first()
    )
    return address.user if address is not None else None


def format_date(value: date | datetime) -> str:
    """A long date in the active language ("March 3, 2026", "3 mars 2026")."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT")


def format_money(amount: Decimal | int | float, currency: str = "EUR") -> str:
    number = format_number(amount, 2)
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), currency.upper())
    if (translation.get_language() or "en").split("-")[0] == "en":
        return f"{symbol}{number}"
    return f"{number}\u00a0{symbol}"  # "9,99 €" in French, German and Spanish


def format_number(value: Decimal | int | float, decimals: int | None = None) -> str:
    if decimals is not None:
        # Django's number_format cuts extra decimals; money and costs are rounded.
        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return formats.number_format(value, decimal_pos=decimals, force_grouping=True)


def absolute_url(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else f"{settings.SITE_ROOT}{path}"


# What a sign-up name may not carry into a message to an address nobody has proved to own: a
# link, an address, or words that read as an instruction ("Your account is locked. Verify now").
_URL_LIKE = re.compile(r"@|://|\bwww\.|[\w-]\.[a-z]{2,}\b", re.IGNORECASE)
_INSTRUCTION_WORDS = re.compile(
    r"\b(verif\w*|click\w*|cliqu\w*|klick\w*|confirm\w*|best[aä]tig\w*|account|compte|"
    r"konto|cuenta|lock\w*|bloqu\w*|gesperrt|suspend\w*|password|passwort|contrase[nñ]a|"
    r"login|log\s*in|sign\s*in|connect\w*|urgent\w*|visit\w*|link|lien|enlace|now|"
    r"maintenant|jetzt|ahora|security|s[ée]curit[ée]|sicherheit|seguridad|update\w*|"
    r"pay\w*|call\w*|contact\w*)\b",
    re.IGNORECASE,
)
MAX_ECHOED_NAME = 60


def name_looks_unsafe(name: str) -> bool:
    """Whether a user-chosen name could pass for a link or an instruction in our message."""
    return (
        len(name) > MAX_ECHOED_NAME
        or bool(_URL_LIKE.search(name))
        or bool(_INSTRUCTION_WORDS.search(name))
    )


def greeting_name(user: User, to: str) -> str:
    """The name to greet `to` with: the user's name, unless the address is unverified and the
    name looks like a link or an instruction; then the recipient's own mailbox name."""
    from allauth.account.models import EmailAddress  # allauth's models load with the apps

    name = user.display_name
    if not name_looks_unsafe(name):
        return name
    if EmailAddress.objects.filter(email__iexact=to, verified=True).exists():
        return name
    return to.split("@")[0]


# One function per e-mail -------------------------------------------------------------------------


def verify_email(user: User, url: str, *, to: str | None = None) -> EmailLog:
    to = to or user.email
    variables = {"user_name": greeting_name(user, to), "verification_url": url}
    return queue_email("email_verification", to, variables, user=user)


def password_reset(user: User, url: str, *, to: str | None = None) -> EmailLog:
    to = to or user.email
    variables = {"user_name": greeting_name(user, to), "reset_url": url}
    return queue_email("password_reset", to, variables, user=user)


def email_change(user: User, url: str, new_email: str) -> EmailLog:
    """Sent to the new address: following the link proves the user owns it."""
    variables = {
        "user_name": greeting_name(user, new_email),
        "verification_url": url,
        "new_email": new_email,
    }
    return queue_email("email_change", new_email, variables, user=user)


def welcome(user: User) -> EmailLog:
    with translation.override(language_of(user)):
        variables = {
            "user_name": greeting_name(user, user.email),
            "login_url": absolute_url(reverse("account_login")),
            "welcome_credits": format_number(get_setting("welcome_credits")),
        }
    return queue_email("welcome", user.email, variables, user=user)


def credits_purchased(
    user: User,
    amount: int,
    total_price: Decimal | str,
    invoice_url: str,
    *,
    currency: str = "EUR",
) -> EmailLog:
    """`total_price` is formatted here when it is a number, or used as given when a string."""
    with translation.override(language_of(user)):
        variables = {
            "user_name": user.display_name,
            "credits_amount": format_number(amount),
            "total_price": total_price
            if isinstance(total_price, str)
            else format_money(total_price, currency),
            "invoice_url": invoice_url,
        }
    return queue_email("credits_purchased", user.email, variables, user=user)


def payment_failed(user: User, *, billing_url: str | None = None) -> EmailLog:
    variables = {
        "user_name": user.display_name,
        "billing_url": billing_url or absolute_url(reverse("accounts:index")),
    }
    return queue_email("payment_failed", user.email, variables, user=user)


def inactivity_warning(user: User, last_activity: datetime, deletion_date: datetime) -> EmailLog:
    with translation.override(language_of(user)):
        variables = {
            "user_name": user.display_name,
            "login_url": absolute_url(reverse("account_login")),
            "last_activity_date": format_date(last_activity),
            "deletion_date": format_date(deletion_date),
        }
    return queue_email("inactivity_warning", user.email, variables, user=user)


def cost_alert(
    recipients: Iterable[User | str],
    alert_name: str,
    threshold: Decimal | float,
    value: Decimal | float,
    period: str,
    dashboard_url: str,
) -> list[EmailLog]:
    """One message (and log) per staff recipient, each in that person's language."""
    logs = []
    for recipient in recipients:
        user = None if isinstance(recipient, str) else recipient
        with translation.override(language_of(user)):
            variables = {
                "alert_name": alert_name,
                "threshold": format_number(threshold, 2),
                "value": format_number(value, 2),
                "period": period,
                "dashboard_url": absolute_url(dashboard_url),
            }
        to = recipient if isinstance(recipient, str) else recipient.email
        logs.append(queue_email("cost_alert", to, variables, user=user))
    return logs


def ai_provider_alert(
    recipients: Iterable[User | str], problem: str, detail: str, period: str, dashboard_url: str
) -> list[EmailLog]:
    """A provider failure that stops the AI features (refused key, no quota, server errors):
    one message (and log) per staff recipient."""
    logs = []
    for recipient in recipients:
        user = None if isinstance(recipient, str) else recipient
        variables = {
            "problem": problem,
            "detail": detail,
            "period": period,
            "dashboard_url": absolute_url(dashboard_url),
        }
        to = recipient if isinstance(recipient, str) else recipient.email
        logs.append(queue_email("ai_provider_alert", to, variables, user=user))
    return logs


# allauth -----------------------------------------------------------------------------------------


def send_allauth_message(template_prefix: str, email: str, context: dict[str, Any]) -> None:
    """Send one of allauth's e-mails through our templates (the account adapter's `send_mail`).

    Confirmation and password-reset links use our triads; a confirmation for an address other
    than the account's current one is an e-mail change. Other prefixes (security notices,
    unknown-account notes, codes) keep allauth's templates but are logged and sent the same way.
    Each renders in the recipient's language, whatever language the current request has active.
    """
    user = context.get("user")
    if not hasattr(user, "email"):
        user = account_of(email)
    with translation.override(language_of(user)):
        _send_allauth_message(template_prefix, email, context, user=user)


def _send_allauth_message(
    template_prefix: str, email: str, context: dict[str, Any], *, user: User | None
) -> None:
    url = context.get("activate_url")
    if template_prefix in (ALLAUTH_SIGNUP_CONFIRMATION, ALLAUTH_CONFIRMATION) and user and url:
        if template_prefix == ALLAUTH_CONFIRMATION and email.lower() != user.email.lower():
            email_change(user, url, email)
        else:
            verify_email(user, url, to=email)
        return
    url = context.get("password_reset_url")
    if template_prefix == ALLAUTH_PASSWORD_RESET and user and url:
        password_reset(user, url, to=email)
        return
    message = _render_allauth_message(template_prefix, email, context)
    log_message(message, name=template_prefix, user=user)


def _render_allauth_message(
    template_prefix: str, email: str, context: dict[str, Any]
) -> EmailMessage:
    # allauth's adapter and the sites framework import models: loaded once the apps are.
    from allauth.account.adapter import get_adapter
    from allauth.core import context as allauth_context
    from django.contrib.sites.shortcuts import get_current_site

    request = allauth_context.request
    # Outside a request (a command, a worker) allauth has no site to name: use ours.
    site = (
        get_current_site(request)
        if request is not None
        else SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_ROOT).netloc)
    )
    full_context = {"request": request, "email": email, "current_site": site, **context}
    return get_adapter(request).render_mail(template_prefix, email, full_context)
