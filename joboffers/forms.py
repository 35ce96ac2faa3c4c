from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from joboffers.fetch import InvalidUrl, normalize_url
from joboffers.services import MAX_TEXT_CHARS, MIN_TEXT_CHARS

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


class SendFromPageForm(forms.Form):
    """What the "Send to FitMyCV" bookmarklet posts from a job page (accounts.bookmarklet); its
    token is checked by the view first. The offer is the selection if there is one, else the
    page's text; a page address we could not use is dropped (the text is what is read)."""

    url = forms.CharField(required=False)
    title = forms.CharField(required=False)
    selection = forms.CharField(required=False)
    text = forms.CharField(required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # Browsers send a form's line breaks as CRLF: counted as one, as the page showed them.
        text = (data.get("selection") or data.get("text") or "").replace("\r\n", "\n")
        if not text:
            raise ValidationError(
                _(
                    "No text came with this page. Select the offer's text, then click the "
                    "bookmarklet again."
                ),
                code="empty",
            )
        if len(text) > MAX_TEXT_CHARS:
            raise ValidationError(
                _(
                    "This text is longer than an offer can be (%(max)s characters). Select the "
                    "offer's text alone, then click the bookmarklet again."
                ),
                code="too_large",
                params={"max": formats.number_format(MAX_TEXT_CHARS, force_grouping=True)},
            )
        if len(text) < MIN_TEXT_CHARS:
            raise ValidationError(
                ngettext_lazy(
                    "Only %(n)d character came with this page, too short for an offer. Select "
                    "the whole offer, or nothing to send the page's text.",
                    "Only %(n)d characters came with this page, too short for an offer. Select "
                    "the whole offer, or nothing to send the page's text.",
                    "n",
                ),
                code="too_short",
                params={"n": len(text)},
            )
        data["offer_text"] = text
        data["page_url"] = page_url(data.get("url") or "")
        data["title"] = (data.get("title") or "")[:300]
        return data


def page_url(url: str) -> str:
    """The page's address as offers keep it, or "" for one that is not a web page's."""
    try:
        normalized = normalize_url(url)
    except (InvalidUrl, ValueError):  # urlsplit's own refusals ("Invalid IPv6 URL")
        return ""
    return normalized if len(normalized) <= 2000 else ""


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
