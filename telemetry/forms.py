from __future__ import annotations

import html
from typing import Any

import nh3
from django import forms
from django.utils.translation import gettext_lazy as _

COMMENT_MAX_LENGTH = 500
# The raw comment may carry markup that is stripped before the 500-character check; past
# this it is refused outright rather than parsed.
COMMENT_MAX_RAW_LENGTH = 5000


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[("", "-")] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Rating"),
    )
    comment = forms.CharField(
        max_length=COMMENT_MAX_RAW_LENGTH,
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_LENGTH}),
    )
    is_bug_report = forms.BooleanField(required=False, label=_("This is a bug report"))
    cv = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    page = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def clean_comment(self) -> str:
        # Plain text only: markup is removed (script and style bodies with it), entities are
        # turned back into characters, and the page escapes it again when shown.
        text = html.unescape(nh3.clean(self.cleaned_data["comment"], tags=set())).strip()
        if not text:
            raise forms.ValidationError(_("Tell us a few words."))
        if len(text) > COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                _("Keep it under %(max)d characters (this one has %(n)d).")
                % {"max": COMMENT_MAX_LENGTH, "n": len(text)}
            )
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("rating") is None and not cleaned.get("is_bug_report"):
            self.add_error("rating", _("Pick a rating from 1 to 5, or mark this as a bug report."))
        return cleaned
