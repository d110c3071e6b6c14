"""Placeholder until the report is built: the URL exists so links resolve."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404("The report is not available yet.")
