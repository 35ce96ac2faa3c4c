"""Account workflows: sign-up follow-up, auto sign-in tokens, referrals, consent records,
verification e-mails, data export, account deletion and the bookmarklet's tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import secrets
import time
import uuid
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from allauth.account.internal.flows.password_reset import request_password_reset
from allauth.account.internal.userkit import filter_users_by_email
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.utils import timezone, translation

from accounts import consent
from accounts.models import (
    AUTO_SIGN_IN_LIFETIME,
    BOOKMARKLET_TOKEN_PREFIX,
    AutoSignInToken,
    BookmarkletToken,
    ConsentAction,
    ConsentLog,
    User,
    default_onboarding_state,
    hash_bookmarklet_token,
)
from billing.models import Referral
from billing.services import allow_ledger_erasure, erase_stripe_customer, grant_welcome_credits
from core.http import client_ip
from emails.mail import welcome
from emails.models import EmailLog

logger = logging.getLogger(__name__)

REFERRAL_SESSION_KEY = "accounts_referral_code"
RESEND_COOLDOWN_SECONDS = 60
USER_AGENT_MAX_LENGTH = 500
EXPORT_FORMAT = "fitmycv-export/1"
# Rows that are secrets or other people's business, never part of an export.
EXPORT_SKIPPED_MODELS = {
    "accounts.User",  # the profile is exported on its own; referred_by points at other users
    "accounts.AutoSignInToken",
    "account.EmailConfirmation",
    "socialaccount.SocialToken",
    "admin.LogEntry",
}
# For these models only the listed fields are exported (no provider tokens, no MFA secrets).
EXPORT_FIELDS = {
    "account.EmailAddress": ["email", "verified", "primary"],
    "socialaccount.SocialAccount": ["provider", "uid"],
    "mfa.Authenticator": ["type", "created_at", "last_used_at"],
    "accounts.BookmarkletToken": ["name", "prefix", "created_at", "last_used_at", "revoked_at"],
}


class SignInTokenError(Exception):
    """The auto sign-in link cannot be used; `reason` is "expired" or "invalid"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_auto_sign_in_token(user: User) -> str:
    """A fresh one-use token for `user` (any older one is dropped); only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        AutoSignInToken.objects.filter(user=user).delete()
        AutoSignInToken.objects.create(
            user=user,
            token_hash=_hash_token(raw),
            expires_at=timezone.now() + AUTO_SIGN_IN_LIFETIME,
        )
    return raw


def redeem_auto_sign_in_token(raw: str) -> User:
    """The user a token signs in; the token is consumed even when it turns out expired."""
    token = (
        AutoSignInToken.objects.select_related("user").filter(token_hash=_hash_token(raw)).first()
    )
    if token is None:
        raise SignInTokenError("invalid")
    # Two tabs may redeem the same link at once: only the request that deletes the row wins.
    deleted, _ = AutoSignInToken.objects.filter(pk=token.pk).delete()
    if not deleted:
        raise SignInTokenError("invalid")
    if token.expires_at <= timezone.now():
        raise SignInTokenError("expired")
    if not token.user.is_active:
        raise SignInTokenError("invalid")
    return token.user


def record_referral(user: User, *, code: str) -> Referral | None:
    """Link a new user to the owner of `code`; unknown codes and self-referral are ignored."""
    referrer = (
        User.objects.filter(referral_code=code.strip().upper(), is_active=True)
        .exclude(pk=user.pk)
        .first()
    )
    if referrer is None:
        return None
    with transaction.atomic():
        referral, _ = Referral.objects.get_or_create(referred=user, defaults={"referrer": referrer})
        if user.referred_by_id is None:
            user.referred_by = referral.referrer
            user.save(update_fields=["referred_by", "updated_at"])
    return referral


def log_consent(
    user: User,
    *,
    preferences: consent.Preferences,
    action: str,
    ip: str | None,
    user_agent: str,
) -> ConsentLog:
    return ConsentLog.objects.create(
        user=user,
        action=action,
        preferences=dict(preferences),
        ip=ip,
        user_agent=user_agent[:USER_AGENT_MAX_LENGTH],
    )


def log_consent_from_request(
    user: User, *, request: HttpRequest, preferences: consent.Preferences, action: str
) -> ConsentLog:
    return log_consent(
        user,
        preferences=preferences,
        action=action,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def send_welcome_once(user: User) -> None:
    """The welcome e-mail, sent when the address is first confirmed (or at a social sign-up
    with a verified address); never twice."""

    if not EmailLog.objects.filter(recipient_user=user, template_name="welcome").exists():
        welcome(user)


def on_user_signed_up(user: User, *, request: HttpRequest | None, social: bool = False) -> None:
    """Everything that follows the creation of an account, local or social.

    This is the one hook for sign-up side effects: it keeps the interface language the visitor
    was using, records the referral they came through and the cookie choice they made before
    signing up. Billing adds the welcome credits here.
    """

    with transaction.atomic():
        language = translation.get_language() or ""
        if not user.language and language in dict(settings.LANGUAGES):
            user.language = language
            user.save(update_fields=["language", "updated_at"])
        grant_welcome_credits(user, request=request)
        if social and user.emailaddress_set.filter(verified=True).exists():
            send_welcome_once(user)
        if request is None:
            return
        code = request.session.pop(REFERRAL_SESSION_KEY, None)
        if code:
            record_referral(user, code=str(code))
        preferences = consent.consent_from_request(request)
        if preferences is not None:
            log_consent_from_request(
                user, request=request, preferences=preferences, action=ConsentAction.CREATED
            )


def _cooldown_key(email: str) -> str:
    return f"accounts:resend:{hashlib.sha256(email.strip().lower().encode()).hexdigest()}"


def start_verification_cooldown(email: str) -> None:
    """Start the 60 s wait before another verification link can be asked for this address.

    Started whenever someone is sent to the "check your inbox" page, whether or not the address
    has an account, so the wait shown there reveals nothing either.
    """
    cache.set(_cooldown_key(email), time.time(), RESEND_COOLDOWN_SECONDS)


def verification_cooldown_left(email: str) -> int:
    started = cache.get(_cooldown_key(email)) if email else None
    if started is None:
        return 0
    return max(0, math.ceil(float(started) + RESEND_COOLDOWN_SECONDS - time.time()))


def send_verification_again(request: HttpRequest, *, email: str) -> bool:
    """Send a new verification link to an unverified address.

    Returns False when refused by the 60 s cooldown or allauth's `confirm_email` limit. The
    answer does not depend on whether the address exists, so it reveals nothing about accounts.
    """
    email = email.strip().lower()
    now = time.time()
    # cache.add is atomic: of two quick clicks, only one gets through. The stored time, not the
    # entry's expiry, decides when the wait is over (the cache server's clock may differ).
    if not cache.add(_cooldown_key(email), now, RESEND_COOLDOWN_SECONDS):
        if verification_cooldown_left(email) > 0:
            return False
        cache.set(_cooldown_key(email), now, RESEND_COOLDOWN_SECONDS)
    if not ratelimit.consume(request, action="confirm_email", key=email):
        return False
    # The address is looked up and written to by the mail worker: this request does the same
    # work whether or not an account waits for it, so its timing tells nothing either.
    from accounts import tasks  # the task module imports this one

    queue_mail_work(tasks.send_verification_link, email)
    return True


def queue_mail_work(task: Any, email: str) -> None:
    """Queue a mail task about an address once the request's transaction commits."""
    transaction.on_commit(partial(task.delay, email))


def site_request() -> HttpRequest:
    """A request for the site's own address (SITE_ROOT), for work done outside a request that
    builds allauth's links (a worker sending a verification or password reset e-mail)."""
    parts = urlsplit(settings.SITE_ROOT)
    request = HttpRequest()
    request.META["SERVER_NAME"] = parts.hostname or "127.0.0.1"
    request.META["SERVER_PORT"] = str(parts.port or (443 if parts.scheme == "https" else 80))
    return request


def send_verification_link(email: str) -> bool:
    """Send a new verification link to the address if an active account waits for it to be
    confirmed (the mail worker, for `send_verification_again`); False when there is none."""
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=False, user__is_active=True)
        .select_related("user")
        .first()
    )
    if address is None:
        return False
    request = site_request()
    with allauth_context.request_context(request):
        address.send_confirmation(request, signup=False)
    return True


def set_up_staff_created_account(user: User) -> None:
    """What a sign-up gives an account that staff created in the admin: its address verified
    and primary (staff vouch for it) and the welcome credits, through the sign-up path (once,
    whatever calls it again)."""
    with transaction.atomic():
        EmailAddress.objects.filter(user=user, primary=True).exclude(
            email__iexact=user.email
        ).update(primary=False)
        EmailAddress.objects.update_or_create(
            user=user,
            email__iexact=user.email,
            defaults={"email": user.email, "verified": True, "primary": True},
        )
        grant_welcome_credits(user)


def reset_onboarding(user: User) -> None:
    """The first-run tour from the start, as for a new account (support, or a user who asks)."""
    user.onboarding_state = default_onboarding_state()
    user.save(update_fields=["onboarding_state", "updated_at"])


def queue_password_reset(email: str) -> None:
    """Have the mail worker send the password reset e-mail (or allauth's note to an address
    without an account): the request does the same whatever the address."""
    from accounts import tasks  # the task module imports this one

    queue_mail_work(tasks.send_password_reset, email)


def send_password_reset(email: str) -> None:
    """The password reset e-mail for each active account of the address, or allauth's note
    that no account uses it (the mail worker, for `queue_password_reset`)."""
    request = site_request()
    with allauth_context.request_context(request):
        users = filter_users_by_email(email, is_active=True, prefer_verified=True, for_login=True)
        request_password_reset(request, email, users, None)


def delete_account(user: User) -> None:
    """Delete the user and, through the cascades, every row that belongs to them.

    Their Stripe customer goes first, through the adapter: that ends any subscription at once
    and drops their payment methods (Stripe keeps the invoices it must keep). Raises
    PaymentError, with nothing deleted, when Stripe cannot be reached.
    """

    erase_stripe_customer(user)
    user_id = user.pk
    # The ledger's PostgreSQL trigger refuses deletes unless erasure names the user first.
    with transaction.atomic(), allow_ledger_erasure(user_id):
        User.objects.filter(pk=user_id).delete()
    logger.info("account deleted", extra={"user_id": user_id})


# Data export ------------------------------------------------------------------------------------


def _user_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is User  # type: ignore[misc]
    ]


def _owner_filter(model: type[models.Model], user: User) -> Q | None:
    """How to find `user`'s rows of `model`: a direct key to the user, or a cascading key to
    a parent row that has one (a CV version belongs to its CV)."""
    direct = _user_fields(model)
    if direct:
        query = Q()
        for field in direct:
            query |= Q(**{field.name: user})
        return query
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.remote_field.on_delete is not models.CASCADE:
            continue
        parent_fields = _user_fields(field.related_model)  # type: ignore[arg-type]
        if parent_fields and field.related_model is not User:
            query = Q()
            for parent_field in parent_fields:
                query |= Q(**{f"{field.name}__{parent_field.name}": user})
            return query
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, bytes | memoryview):
        return None
    return value


def _row(obj: models.Model, user: User, only: list[str] | None) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if only is not None and field.name not in only:
            continue
        if field.is_relation:
            value = getattr(obj, field.attname)
            # A key to another user would name them: keep only keys to the exported user.
            if field.related_model is User and value != user.pk:
                value = None
            row[field.name] = _plain(value)
        else:
            row[field.name] = _plain(field.value_from_object(obj))
    return row


def export_user_data(user: User) -> dict[str, Any]:
    """Everything we hold about `user`, as JSON-ready data (GDPR art. 15 and 20).

    Walks every installed model with a key to the user (or to a row of theirs that cascades),
    so a table added later is exported without touching this function.
    """
    profile = {
        "email": user.email,
        "name": user.name,
        "image": user.image,
        "role": user.role,
        "language": user.language,
        "referral_code": user.referral_code,
        "was_referred": user.referred_by_id is not None,
        "onboarding_state": user.onboarding_state,
        "has_password": user.has_usable_password(),
        "stripe_customer": bool(user.stripe_customer_id),
        "created_at": _plain(user.created_at),
        "last_login": _plain(user.last_login),
    }
    records: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in EXPORT_SKIPPED_MODELS:
            continue
        query = _owner_filter(model, user)
        if query is None:
            continue
        rows = model._default_manager.filter(query).order_by("pk")
        only = EXPORT_FIELDS.get(label)
        exported = [_row(obj, user, only) for obj in rows]
        if exported:
            records[label] = exported
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _plain(timezone.now()),
        "profile": profile,
        "email_addresses": records.pop("account.EmailAddress", []),
        "social_accounts": records.pop("socialaccount.SocialAccount", []),
        "records": records,
    }


# Bookmarklet tokens -----------------------------------------------------------------------------

# Enough for every browser a user has; more is a leak waiting to happen.
MAX_ACTIVE_BOOKMARKLETS = 10
BOOKMARKLET_PREFIX_LENGTH = len(BOOKMARKLET_TOKEN_PREFIX) + 6


class TooManyBookmarklets(Exception):
    """The user already has MAX_ACTIVE_BOOKMARKLETS working bookmarklets; nothing was made."""


class BookmarkletRefused(Exception):
    """A bookmarklet token that does not authenticate anyone; `reason` is "revoked" (it was
    valid once: the user is told to install a new one) or "invalid"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def create_bookmarklet_token(user: User, *, name: str) -> tuple[BookmarkletToken, str]:
    """A new token for the user's bookmarklet and its only clear copy (shown once, in the
    bookmarklet); raises TooManyBookmarklets past MAX_ACTIVE_BOOKMARKLETS."""
    # 256 random bits: unguessable, so the token alone authenticates (no cookie, no CSRF).
    raw = BOOKMARKLET_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        # The user's row is locked so that two tabs cannot both take the last free place.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if BookmarkletToken.objects.owned_by(user).active().count() >= MAX_ACTIVE_BOOKMARKLETS:
            raise TooManyBookmarklets
        token = BookmarkletToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:BOOKMARKLET_PREFIX_LENGTH],
            token_hash=hash_bookmarklet_token(raw),
        )
    return token, raw


def revoke_bookmarklet_token(token: BookmarkletToken) -> None:
    """The bookmarklet stops working at once; revoking twice keeps the first date."""
    BookmarkletToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def authenticate_bookmarklet(raw: str) -> User:
    """The active user a bookmarklet token belongs to, its last use recorded; raises
    BookmarkletRefused for a revoked token, or one this site never made (a mistyped,
    tampered or forged one: only a token signed with our key matches a stored hash)."""
    if not raw.startswith(BOOKMARKLET_TOKEN_PREFIX) or len(raw) > 100:
        raise BookmarkletRefused("invalid")
    token = (
        BookmarkletToken.objects.select_related("user")
        .filter(token_hash=hash_bookmarklet_token(raw))
        .first()
    )
    if token is None or not token.user.is_active:
        raise BookmarkletRefused("invalid")
    if token.is_revoked:
        raise BookmarkletRefused("revoked")
    BookmarkletToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
