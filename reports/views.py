"""The PDF report: fetched through the access helper, rendered or served by `services`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from assessments.access import get_assessment_for_user
from assessments.models import Event

from . import services


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, _ = get_assessment_for_user(request, pk)
    report = services.report_for(assessment=assessment, user=request.user)
    Event.objects.create(
        agency_id=assessment.agency_id,
        assessment=assessment,
        actor=request.user,
        kind=Event.Kind.REPORT_DOWNLOADED,
        new={"revision": assessment.revision, "status": assessment.status},
    )
    response = HttpResponse(report.pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, report.filename)
    response["Cache-Control"] = "no-store"
    return response
