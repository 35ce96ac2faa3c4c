"""allauth adapters: where our rules plug into allauth's flows (settings ACCOUNT_ADAPTER and
SOCIALACCOUNT_ADAPTER)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse

from accounts import services
from accounts.http import bind_sign_in_token, remember_pending_email
from accounts.middleware import maintenance_response
from core.config import get_setting


def registration_open() -> bool:
    return bool(get_setting("registration_enabled"))


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return registration_open()

    def save_user(
        self,
        request: HttpRequest,
        user: AbstractBaseUser,
        form: BaseForm,
        commit: bool = True,
    ) -> AbstractBaseUser:
        user = super().save_user(request, user, form, commit=False)
        name = (form.cleaned_data.get("name") or "").strip()
        if name:
            user.name = name[:150]  # type: ignore[attr-defined]
        if commit:
            user.save()
        return user

    def get_email_verification_redirect_url(self, email_address: EmailAddress) -> str:
        """After a confirmation link: sign a brand-new account straight in.

        "Brand new" means the user has never signed in, which is the case for every account
        whose address was just verified at sign-up, on whatever device the link was opened. A
        one-use, five-minute token carries the sign-in to `complete_signin`.
        """
        request = context.request
        if request.user.is_authenticated:
            return reverse("accounts:index")
        user = email_address.user
        if user.last_login is None and user.is_active:
            token = services.create_auto_sign_in_token(user)
            bind_sign_in_token(request, token)
            return f"{reverse('accounts:complete_signin')}?{urlencode({'token': token})}"
        return super().get_email_verification_redirect_url(email_address)

    def respond_email_verification_sent(
        self, request: HttpRequest, user: AbstractBaseUser | None
    ) -> HttpResponseBase:
        if user is not None:
            email = getattr(user, "email", "")
            remember_pending_email(request, email)
            services.start_verification_cooldown(email)
        return super().respond_email_verification_sent(request, user)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth's e-mails use our staff-editable templates and go out through the mail
        # task (retries, delivery log) like every other e-mail of the product.
        from emails.mail import send_allauth_message

        send_allauth_message(template_prefix, email, context)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth shows a form error once `login_failed` is exhausted; we answer 429 so clients
        # and monitoring see the lockout for what it is.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            raise ImmediateHttpResponse(respond_429(request)) from exc

    def pre_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> Any:
        if get_setting("maintenance_mode") and not getattr(user, "is_staff", False):
            clear_login(request)
            return maintenance_response(request)
        return super().pre_login(request, user, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return registration_open()

    def get_app(self, request: HttpRequest, provider: str, client_id: str | None = None) -> Any:
        # Every provider's URLs are installed, configured or not: an unconfigured one is a
        # 404, not an unhandled SocialApp.DoesNotExist (a 500) for anyone who guesses its URL.
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("This sign-in provider is not configured") from None

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> AbstractBaseUser:
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        if name and not getattr(user, "name", ""):
            user.name = str(name)[:150]  # type: ignore[attr-defined]
        return user
