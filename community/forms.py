from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from .models import STATEMENT_MAX_LENGTH


class PublishForm(forms.Form):
    statement_en = forms.CharField(
        label=gettext_lazy("Statement in English (optional)"),
        required=False,
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            gettext_lazy(
                "Up to {limit} characters, shown at the top of the summary: for example where to "
                "find the complaint form or whom to call."
            ),
            limit=STATEMENT_MAX_LENGTH,
        ),
    )
    statement_es = forms.CharField(
        label=gettext_lazy("Statement in Spanish (optional)"),
        required=False,
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "es"}),
        help_text=gettext_lazy(
            "The Spanish page shows the English statement, marked as English, when this is empty."
        ),
    )
