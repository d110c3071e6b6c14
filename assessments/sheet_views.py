"""The answer sheet: one compact read-only page of an assessment's answers, whole or one step,
for every member of its agency (another agency's assessment is a 404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors
from .answer_sheet import FILTER_LABELS, SheetFilters, answer_sheet
from .models import Assessment
from .views import get_assessment_for_user


@login_required
def answer_sheet_all(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = get_assessment_for_user(request, pk)
    return _render_sheet(request, assessment, None)


@login_required
def answer_sheet_section(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    assessment, _ = get_assessment_for_user(request, pk)
    section = next((s for s in selectors.assessment_sections(assessment) if s.code == code), None)
    if section is None:
        raise Http404("No such step.")
    return _render_sheet(request, assessment, section)


def _render_sheet(request: HttpRequest, assessment: Assessment, section) -> HttpResponse:
    asked = SheetFilters.from_query(request.GET)
    sheet = answer_sheet(assessment, section=section, filters=asked)
    return render(
        request,
        "assessments/answer_sheet.html",
        {
            "assessment": assessment,
            "section": section,
            "sections": selectors.assessment_sections(assessment),
            "sheet": sheet,
            "filter_choices": [
                (name, label, getattr(sheet.filters, name)) for name, label in FILTER_LABELS.items()
            ],
            # Asked for, but nothing to compare with: the page says why it is off.
            "changed_refused": asked.changed and not sheet.filters.changed,
            # The step links keep the filters that are on.
            "query": "?" + "&".join(f"{name}=1" for name in sheet.filters.on)
            if sheet.filters.on
            else "",
        },
    )
