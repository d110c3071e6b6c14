"""Downloads of an assessment's data for command staff: the JSON export and a CSV of answers."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from agencies.access import Action, require
from audit.models import Event
from audit.request import client_ip

from . import bundle, services, transfer
from .models import Assessment
from .views import get_assessment_for_user


def _filename(assessment: Assessment, extension: str) -> str:
    """`example-county-sheriffs-office-2027-readiness-review-rev1-2027-01-15.json`."""
    name = "-".join(
        part for part in (slugify(assessment.agency.name), slugify(assessment.title)[:60]) if part
    )
    day = timezone.localdate()
    return f"{name or 'assessment'}-rev{assessment.revision}-{day:%Y-%m-%d}.{extension}"


def _download(request: HttpRequest, assessment: Assessment, body, content_type, extension, kind):
    services.download_record(
        assessment=assessment, user=request.user, kind=kind, ip_address=client_ip(request)
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, _filename(assessment, extension)
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def assessment_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The export `manage.py import_assessment` reads. Command staff only; 404 elsewhere."""
    assessment, membership = get_assessment_for_user(request, pk)
    require(membership, Action.EXPORT)
    data = transfer.export_assessment_data(assessment=assessment)
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    return _download(
        request,
        assessment,
        body,
        "application/json; charset=utf-8",
        "json",
        Event.Kind.EXPORT_DOWNLOADED,
    )


@login_required
@require_GET
def assessment_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every applicable question and its answer, for spreadsheets. Command staff only."""
    assessment, membership = get_assessment_for_user(request, pk)
    require(membership, Action.EXPORT)
    body = transfer.answers_csv(assessment=assessment).encode("utf-8")
    return _download(
        request,
        assessment,
        body,
        "text/csv; charset=utf-8",
        "csv",
        Event.Kind.ANSWERS_CSV_DOWNLOADED,
    )


@login_required
@require_GET
def assessment_export_zip(request: HttpRequest, pk: int) -> HttpResponse:
    """The export with its evidence files, for moving an assessment whole. Command staff only."""
    assessment, membership = get_assessment_for_user(request, pk)
    require(membership, Action.EXPORT)
    return _download(
        request,
        assessment,
        bundle.export_bundle(assessment=assessment),
        "application/zip",
        "zip",
        Event.Kind.EXPORT_DOWNLOADED,
    )
