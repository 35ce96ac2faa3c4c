from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


class AddOfferForm(forms.Form):
    url = forms.URLField(label=_("Link to the offer"), required=False, assume_scheme="https")
    text = forms.CharField(
        label=_("…or paste its text"),
        required=False,
        max_length=60_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    file = forms.FileField(label=_("…or upload it as a PDF"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = [k for k in ("url", "text", "file") if data.get(k)]
        if len(given) != 1:
            raise ValidationError(_("Give one of: a link, the text, or a PDF."))
        if data.get("text") and len(data["text"].strip()) < 200:
            self.add_error("text", _("Paste the whole offer (200 characters at least)."))
        return data


class UseOfferForm(forms.Form):
    base_cv = forms.TypedChoiceField(label=_("Your CV"), coerce=int)

    def __init__(self, *args: Any, cvs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["base_cv"].choices = [(cv.pk, str(cv)) for cv in cvs]


class PickRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("The closest to my CV")), *[(r, r) for r in roles]]


def master_cvs(user: User) -> QuerySet[Any]:
    """The CVs a tailoring may start from (the user's own, not tailored or example ones),
    newest first. Read through the user's CVs relation: the CV app sits above this one."""
    return (
        user.cvs.exclude(created_by__in=["generate-cv", "create-template"])
        .order_by("-updated_at")
        .only("pk", "name", "filename")[:50]
    )
