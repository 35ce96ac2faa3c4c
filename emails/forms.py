from __future__ import annotations

from typing import Any

from django import forms

from emails import mail
from emails.models import EmailTemplate, EmailTrigger

CONTENT_FIELDS = ("subject", "html_content", "text_content")


def allowed_variables(template: EmailTemplate) -> tuple[str, ...]:
    return (*mail.variable_names(template), *mail.GLOBAL_VARIABLES)


class EmailTemplateForm(forms.ModelForm):
    """The staff editor: a template may only use the variables its e-mail supplies."""

    class Meta:
        model = EmailTemplate
        fields = ["name", "trigger", "subject", "html_content", "text_content", "is_active"]
        widgets = {
            "html_content": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField"}),
            "text_content": forms.Textarea(attrs={"rows": 14, "class": "vLargeTextField"}),
        }
        help_texts = {
            "text_content": "Leave empty to send a plain-text version made from the HTML.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        draft = EmailTemplate(
            name=data.get("name") or self.instance.name,
            trigger=data.get("trigger"),
            variables=self.instance.variables,
        )
        allowed = allowed_variables(draft)
        for field in CONTENT_FIELDS:
            if field in self.errors:
                continue
            try:
                mail.check_variables(data.get(field) or "", allowed)
            except mail.EmailTemplateError as exc:
                self.add_error(field, str(exc))
        return data


class PreviewForm(forms.Form):
    """A draft posted by the editor's live preview (none of it is saved)."""

    name = forms.CharField(required=False)
    trigger = forms.ModelChoiceField(queryset=EmailTrigger.objects.all(), required=False)
    subject = forms.CharField(required=False)
    html_content = forms.CharField(required=False, strip=False)
    text_content = forms.CharField(required=False, strip=False)

    def draft(self) -> EmailTemplate:
        data = self.cleaned_data
        return EmailTemplate(
            name=data["name"],
            trigger=data["trigger"],
            subject=data["subject"],
            html_content=data["html_content"],
            text_content=data["text_content"],
        )
