"""The state reviewer's pages: the state table (and its CSV), an agency's latest approved
report and its comparison with the previous approved one. Each view is recorded in the trail
of every agency it showed.

Anyone but a state reviewer gets 404 here; an agency the reviewer may not see (another state's,
one that does not share, one that does not exist) is a 404 too, the same answer for each.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET

from agencies.access import get_state_reviewer
from assessments.selectors import assessment_comparison
from audit.request import client_ip
from reports import services as report_services
from reports.views import pdf_download

from . import selectors, services
from .exports import state_csv

REFRESH_SECONDS = 3


def _table(request: HttpRequest, reviewer):
    table = selectors.state_table(reviewer=reviewer)
    filters = selectors.StateFilters.from_query(request.GET)
    column, descending = selectors.sort_key(request.GET.get("sort", ""))
    rows = selectors.rows_sorted(
        [row for row in table.rows if filters.keeps(row)], column, descending
    )
    return table, filters, column, descending, rows


def _headers(filters: selectors.StateFilters, column: str, descending: bool) -> list[dict]:
    """Each sortable column's label, link (the other direction when it is the sort column) and
    aria-sort value; the filters are kept in the link."""
    kept = {k: v for k, v in (("level", filters.level), ("model", filters.model),
                              ("phase", filters.phase)) if v}  # fmt: skip
    headers = []
    for key, (label, _) in selectors.SORTS.items():
        current = key == column
        sort = key if not current or descending else f"-{key}"
        headers.append(
            {
                "key": key,
                "label": label,
                "url": "?" + urlencode({**kept, "sort": sort}),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return headers


@login_required
@require_GET
def state_overview(request: HttpRequest) -> HttpResponse:
    """The table of the state's sharing agencies, filtered and sorted, and the summary chart.
    The same queries whatever the number of agencies: the four of `state_table` and one insert
    of the audit rows, after the session's two."""
    reviewer = get_state_reviewer(request)
    table, filters, column, descending, rows = _table(request, reviewer)
    services.state_view_record(
        reviewer=reviewer,
        view="table",
        seen=[(row.agency, row.assessment) for row in rows],
        ip_address=client_ip(request),
    )
    return render(
        request,
        "oversight/state.html",
        {
            "reviewer": reviewer,
            "table": table,
            "rows": rows,
            "filters": filters,
            "headers": _headers(filters, column, descending),
            "chart": selectors.summary_chart(rows),
            "level_choices": selectors.LEVEL_CHOICES,
            "model_choices": selectors.MODEL_CHOICES,
            "phase_choices": selectors.PHASE_CHOICES,
            "csv_query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def state_table_csv(request: HttpRequest) -> HttpResponse:
    """The table as shown (same filters and order) as CSV."""
    reviewer = get_state_reviewer(request)
    _, _, _, _, rows = _table(request, reviewer)
    services.state_view_record(
        reviewer=reviewer,
        view="csv",
        seen=[(row.agency, row.assessment) for row in rows],
        ip_address=client_ip(request),
    )
    response = HttpResponse(state_csv(rows), content_type="text/csv; charset=utf-8")
    name = f"readiness-{reviewer.state.lower()}-agencies-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def state_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency's latest approved report, from the reports' cache or their background
    render (the page checks again until it is made). Never a draft's."""
    reviewer = get_state_reviewer(request)
    agency = selectors.agency_for_reviewer(reviewer=reviewer, pk=pk)
    assessment = selectors.latest_approved(agency)
    report, made = report_services.report_or_render(assessment)
    if report is None:
        shown = report_services.report_render_shown(made)
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"shown": shown})
        return render(
            request,
            "oversight/report_wait.html",
            {
                "agency": agency,
                "assessment": assessment,
                "shown": shown,
                "preparing": shown in ("queued", "running"),
                "refresh_seconds": REFRESH_SECONDS,
            },
        )
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"shown": "done"})
    services.state_view_record(
        reviewer=reviewer,
        view="report",
        seen=[(agency, assessment)],
        ip_address=client_ip(request),
    )
    return pdf_download(report.pdf, report.filename)


@login_required
@require_GET
def state_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency's latest approved assessment against the approved one before it: scores,
    levels, steps, critical gaps and changed answers (without who changed them)."""
    reviewer = get_state_reviewer(request)
    agency = selectors.agency_for_reviewer(reviewer=reviewer, pk=pk)
    assessment = selectors.latest_approved(agency)
    compared = assessment_comparison(assessment)
    services.state_view_record(
        reviewer=reviewer,
        view="comparison",
        seen=[(agency, assessment)],
        ip_address=client_ip(request),
    )
    return render(
        request,
        "oversight/compare.html",
        {"agency": agency, "assessment": assessment, "compared": compared},
    )
