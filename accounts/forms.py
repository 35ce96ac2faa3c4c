from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts import consent, services
from accounts.http import remember_pending_email
from accounts.models import User


def _terms_label() -> SafeString:
    return format_html(
        _('I accept the <a href="{}">terms of use</a> and the <a href="{}">privacy policy</a>.'),
        reverse_lazy("accounts:terms"),
        reverse_lazy("accounts:privacy"),
    )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form plus the user's name and acceptance of the terms."""

    field_order = ["name", "email", "password1", "password2", "accept_terms"]

    name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Jane Doe")}),
    )
    accept_terms = forms.BooleanField(label=lazy(_terms_label, SafeString)(), required=True)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def try_save(self, request: HttpRequest) -> Any:
        # Remembered for every attempt, also when the address already has an account: the next
        # page must look the same either way.
        email = self.cleaned_data.get("email", "")
        remember_pending_email(request, email)
        services.start_verification_cooldown(email)
        if self.account_already_exists:
            # No account is created, yet the password is hashed as for a new one: a sign-up for
            # a known address must take as long as one for a new address.
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Interface language"),
        choices=[("", _("Same as my browser")), *settings.LANGUAGES],
        required=False,
    )

    class Meta:
        model = User
        fields = ["name", "language"]
        labels = {"name": _("Full name")}


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's form, but the accounts of the address are looked up, and written to, by the
    mail worker: the page does the same for an address with an account and one without."""

    def clean_email(self) -> str:
        self.users: list[User] = []
        return str(get_adapter().clean_email(self.cleaned_data["email"].lower()))

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        email = str(self.cleaned_data["email"])
        services.queue_password_reset(email)
        return email


class ResendVerificationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))


class ConsentForm(forms.Form):
    choice = forms.ChoiceField(
        choices=[
            (consent.CHOICE_ACCEPT_ALL, _("Accept all")),
            (consent.CHOICE_REJECT_ALL, _("Reject all")),
            (consent.CHOICE_CUSTOM, _("Save my choices")),
        ]
    )
    functional = forms.BooleanField(label=_("Functional"), required=False)
    analytics = forms.BooleanField(label=_("Analytics"), required=False)
    next = forms.CharField(required=False, max_length=2000)

    def preferences(self) -> consent.Preferences:
        return consent.preferences_for_choice(
            self.cleaned_data["choice"],
            functional=self.cleaned_data["functional"],
            analytics=self.cleaned_data["analytics"],
        )


class DeleteAccountForm(forms.Form):
    confirm_email = forms.EmailField(
        label=_("Type your e-mail address to confirm"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm_email(self) -> str:
        value = self.cleaned_data["confirm_email"].strip()
        if value.casefold() != self.user.email.casefold():
            raise forms.ValidationError(_("This is not the address of your account."))
        return value


class BookmarkletForm(forms.Form):
    name = forms.CharField(
        label=_("Name it after the browser you install it in"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Firefox on my laptop")}),
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split()) or str(_("My browser"))
