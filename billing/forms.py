from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from billing.models import BillingPeriod

if TYPE_CHECKING:
    from accounts.models import User

MAX_STAFF_GRANT = 10_000


class RedeemCodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=50, strip=True)


class BuyPackForm(forms.Form):
    # A per-page token: a double-submitted Buy opens one Checkout Session, not two.
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    promo_code = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)


class SubscribeForm(forms.Form):
    billing_period = forms.ChoiceField(choices=BillingPeriod.choices)
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)


class GrantCreditsForm(forms.Form):
    """Staff: add credits to one or more accounts, recorded in the ledger with a reason."""

    emails = forms.CharField(
        label=_("Accounts"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E-mail addresses, one per line."),
    )
    amount = forms.IntegerField(label=_("Credits"), min_value=1, max_value=MAX_STAFF_GRANT)
    reason = forms.CharField(label=_("Reason"), max_length=200)
    # Keys the grant: submitting the same form twice grants once.
    token = forms.UUIDField(widget=forms.HiddenInput)

    def clean_emails(self) -> list[User]:
        emails = {e.strip().lower() for e in self.cleaned_data["emails"].splitlines() if e.strip()}
        users = list(get_user_model().objects.filter(email__in=emails).order_by("email"))
        missing = emails - {u.email for u in users}
        if missing:
            raise forms.ValidationError(
                _("No account for: %(emails)s") % {"emails": ", ".join(sorted(missing))}
            )
        if not users:
            raise forms.ValidationError(_("Enter at least one e-mail address."))
        return users
