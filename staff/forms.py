from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from ai.models import OpenAICall
from core.config import SETTINGS, format_value, parse_value
from staff.dashboards import Period
from telemetry.models import Feedback, FeedbackStatus

PERIOD_CHOICES = [
    ("24h", _("Last 24 hours")),
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("all", _("All time")),
    ("custom", _("Custom")),
]
PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_PERIOD = "30d"
MAX_CUSTOM_DAYS = 366
MAX_GRANT = 10_000


def default_period() -> Period:
    return Period.last_days(PERIOD_DAYS[DEFAULT_PERIOD], key=DEFAULT_PERIOD)


class PeriodForm(forms.Form):
    """The range of a dashboard: the last 24 hours, 7/30/90 days up to today, all time, or
    custom dates. Any other value is a form error (the page answers 400 and says why)."""

    period = forms.ChoiceField(
        choices=PERIOD_CHOICES, required=False, initial=DEFAULT_PERIOD, label=_("Period")
    )
    start = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # A query string without a period (a table filter, a CSV link) means the default one.
        if data is not None and not data.get("period"):
            data = data.copy()
            data["period"] = DEFAULT_PERIOD
        super().__init__(data, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("period") != "custom":
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if self.errors:
            return cleaned
        if start is None or end is None:
            raise forms.ValidationError(_("Choose both dates of a custom period."))
        if start > end:
            raise forms.ValidationError(_("The start date must be on or before the end date."))
        if end > timezone.localdate():
            self.add_error("end", _("The end date cannot be in the future."))
        elif (end - start).days + 1 > MAX_CUSTOM_DAYS:
            raise forms.ValidationError(
                _("A custom period is at most %(days)d days.") % {"days": MAX_CUSTOM_DAYS}
            )
        return cleaned

    def get_period(self) -> Period:
        """The chosen period; the default when the form is invalid or empty."""
        if not self.is_valid():
            return default_period()
        key = self.cleaned_data.get("period") or DEFAULT_PERIOD
        if key == "custom":
            return Period(self.cleaned_data["start"], self.cleaned_data["end"], key="custom")
        if key == "24h":
            return Period.last_hours(24, key=key)
        if key == "all":
            return Period(first_day(), timezone.localdate(), key=key)
        return Period.last_days(PERIOD_DAYS[key], key=key)


def first_day() -> date:
    """The first day anything happened: the first account, or the first model call (a command
    may have run before anyone signed up)."""
    joined = User.objects.aggregate(first=Min("created_at"))["first"]
    called = OpenAICall.objects.aggregate(first=Min("created_at"))["first"]
    moments = [moment for moment in (joined, called) if moment is not None]
    return timezone.localdate(min(moments)) if moments else timezone.localdate()


class FeedbackTriageForm(forms.Form):
    ids = forms.ModelMultipleChoiceField(queryset=Feedback.objects.all(), label=_("Feedback"))
    status = forms.ChoiceField(choices=FeedbackStatus.choices, label=_("Mark as"))


class UserSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    role = forms.ChoiceField(
        choices=[("", _("All roles")), *Role.choices], required=False, label=_("Role")
    )
    state = forms.ChoiceField(
        choices=[("", _("All")), ("active", _("Active")), ("blocked", _("Blocked"))],
        required=False,
        label=_("Status"),
    )


class GrantCreditsForm(forms.Form):
    amount = forms.IntegerField(min_value=1, max_value=MAX_GRANT, label=_("Credits"))
    reason = forms.CharField(max_length=200, label=_("Reason"))
    # One nonce per rendered form: a double-click or a resubmitted POST grants once.
    nonce = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class RoleForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["role"]


class BlockForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["is_active"]
        labels = {"is_active": _("Active (can sign in)")}


class SettingsForm(forms.Form):
    """Every declared setting as one field; values are checked by the setting registry."""

    def __init__(
        self, *args: Any, current: dict[str, Any], priced: set[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        self.priced = priced
        for name, spec in SETTINGS.items():
            value = current[name]
            field: forms.Field
            if spec.type is bool:
                field = forms.BooleanField(required=False, initial=value)
            elif spec.type is int:
                attrs: dict[str, Any] = {"inputmode": "numeric"}
                if spec.minimum is not None:
                    attrs["min"] = spec.minimum
                if spec.maximum is not None:
                    attrs["max"] = spec.maximum
                # A text field: parse_value gives the message for a bad number, not Django.
                field = forms.CharField(
                    initial=str(value), widget=forms.NumberInput(attrs=attrs), strip=True
                )
            elif spec.type is list:
                field = forms.CharField(
                    initial=format_value(name, value),
                    widget=forms.Textarea(attrs={"rows": 2, "class": "mono"}),
                )
            elif name.startswith("model_"):
                # Picked from the priced models; a value in use without a price stays
                # selectable (and is named in a warning) until staff pick another.
                choices = [(model, model) for model in sorted(priced)]
                if value not in priced:
                    choices.insert(0, (value, _("%(model)s (no price)") % {"model": value}))
                field = forms.CharField(initial=value, widget=forms.Select(choices=choices))
            else:
                field = forms.CharField(initial=value)
            field.label = name
            field.help_text = spec.description
            field.required = False
            self.fields[name] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.parsed: dict[str, Any] = {}
        for name, spec in SETTINGS.items():
            if name in self.errors:
                continue
            current = self.current[name]
            raw = cleaned.get(name)
            if spec.type is bool:
                raw = "1" if raw else "0"
            try:
                self.parsed[name] = parse_value(name, raw or "")
            except ValueError as exc:
                self.add_error(name, str(exc))
                continue
            value = self.parsed[name]
            if name.startswith("model_") and value not in self.priced and value != current:
                self.add_error(
                    name,
                    _(
                        "%(model)s has no price in the AI price list, so its cost could not "
                        "be counted. Pick a priced model, or add its price first."
                    )
                    % {"model": value},
                )
        return cleaned

    def unpriced_models(self) -> dict[str, str]:
        """The model settings whose current model has no price (its calls cost nothing)."""
        return {
            name: value
            for name, value in self.current.items()
            if name.startswith("model_") and value not in self.priced
        }

    def changed_settings(self) -> dict[str, str]:
        """Stored text of every setting whose value differs from the current one."""
        return {
            name: format_value(name, value)
            for name, value in self.parsed.items()
            if value != self.current[name]
        }
