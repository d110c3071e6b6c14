"""The evidence form: a file or a reference, with a title and the document's own details."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy


class EvidenceForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        help_text=gettext_lazy(
            "What the document is, e.g. General Order 114, Immigration Detainers."
        ),
        error_messages={
            "required": gettext_lazy("Give the evidence a title, e.g. General Order 114.")
        },
    )
    file = forms.FileField(
        required=False,
        help_text=gettext_lazy(
            "PDF, Word (.docx), OpenDocument text (.odt), plain text, PNG or JPEG."
        ),
    )
    reference = forms.CharField(
        label=gettext_lazy("Or a reference"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "A web address, or where the record is kept when it must not leave the "
            "agency's system (e.g. PowerDMS, General Orders, GO-114)."
        ),
    )
    document_number = forms.CharField(
        label=gettext_lazy("Document number"), required=False, max_length=100
    )
    effective_date = forms.DateField(
        label=gettext_lazy("Effective date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": gettext_lazy("Enter the effective date as a date, e.g. 2026-03-01.")
        },
    )
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("reference") or "").strip():
            if not self.errors:
                self.add_error("file", gettext("Choose a file, or give a reference instead."))
        elif data.get("file") and (data.get("reference") or "").strip():
            self.add_error("reference", gettext("Give a file or a reference, not both."))
        return data

    def details(self) -> dict:
        """The posted evidence as the services take it."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "upload": data.get("file"),
            "reference": data.get("reference") or "",
            "document_number": data.get("document_number") or "",
            "effective_date": data.get("effective_date"),
        }
