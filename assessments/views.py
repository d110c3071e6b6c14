"""Views translate HTTP: fetch through `access`, validate with a form, call a service."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors
from .access import membership_or_none


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    membership = membership_or_none(request.user)
    if membership is None:
        return render(request, "assessments/no_agency.html", status=200)
    assessments = list(selectors.agency_assessments(membership.agency))
    progress = selectors.assessments_progress(assessments)
    rows = [(assessment, progress[assessment.pk]) for assessment in assessments]
    return render(
        request,
        "assessments/dashboard.html",
        {"agency": membership.agency, "rows": rows},
    )
