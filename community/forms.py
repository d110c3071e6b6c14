from __future__ import annotations

from django import forms

from .models import STATEMENT_MAX_LENGTH


class PublishForm(forms.Form):
    statement_en = forms.CharField(
        label="Statement in English (optional)",
        required=False,
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Up to {STATEMENT_MAX_LENGTH} characters, shown at the top of the summary: "
        "for example where to find the complaint form or whom to call.",
    )
    statement_es = forms.CharField(
        label="Statement in Spanish (optional)",
        required=False,
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "es"}),
        help_text="The Spanish page shows the English statement, marked as English, when this "
        "is empty.",
    )
