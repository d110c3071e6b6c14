"""The plan pages: fetch within the member's agency (404 outside it), ask `agencies.access`,
validate with a form, call a service, then redirect or render again with what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from agencies.access import Action, get_membership, may, require
from agencies.forms import bound_form
from audit.models import Event
from audit.request import client_ip
from audit.services import event_record

from . import exports, selectors, services
from .forms import ItemForm, PlanFilterForm

PLAN_PAGE_SIZE = 50


@login_required
@require_GET
def plan(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    agency = membership.agency
    form = PlanFilterForm(request.GET or None, agency=agency)
    filters = form.filters() if request.GET else selectors.PlanFilters()
    page = Paginator(selectors.plan_items(agency, filters), PLAN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "plans/plan.html",
        {
            "agency": agency,
            "form": form,
            "page": page,
            "items": list(page.object_list),
            "query": query.urlencode(),
            "counts": selectors.plan_counts(agency),
            "today": selectors.today(),
            "filtered": bool(request.GET),
        },
    )


@login_required
def item_add(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    require(membership, Action.PLAN)
    form = bound_form(ItemForm, request, agency=membership.agency, full=True)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            item = services.item_create(
                agency=membership.agency,
                user=request.user,
                membership=membership,
                title=changes["title"],
                owner=changes["owner"],
                target_date=changes["target_date"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Plan item added."))
            return redirect("plan_item", pk=item.pk)
    return render(request, "plans/item_add.html", {"form": form}, status=_status(request, form))


def _status(request: HttpRequest, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_membership(request)
    item = selectors.item_for_member(membership=membership, pk=pk)
    full = may(membership, Action.PLAN, agency_id=item.agency_id)
    editable = full or (item.owner_id == request.user.pk)
    initial = {
        "title": item.title,
        "owner": str(item.owner_id or ""),
        "target_date": item.target_date,
        "status": item.status,
        "wont_do_reason": item.wont_do_reason,
    }
    form = bound_form(ItemForm, request, agency=item.agency, full=full, item=item, initial=initial)
    if request.method == "POST":
        if not editable:
            require(membership, Action.PLAN)  # refused with the message naming who may
        if form.is_valid():
            try:
                services.item_update(
                    item=item,
                    user=request.user,
                    membership=membership,
                    changes=form.changes(),
                    note=form.cleaned_data.get("note", ""),
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, gettext("Plan item saved."))
                return redirect("plan_item", pk=item.pk)
    progress = item.progress.select_related("author").order_by("created_at", "pk")
    return render(
        request,
        "plans/item.html",
        {
            "item": item,
            "form": form if editable else None,
            "full": full,
            "progress": list(progress),
            "follow_up": selectors.item_follow_up(item),
            # Current evidence, through the item's own relation (evidence is an app beside plans).
            "evidence_list": list(
                item.evidence.filter(removed_at__isnull=True, superseded_at__isnull=True)
            ),
            "today": selectors.today(),
        },
        status=_status(request, form),
    )


@login_required
@require_GET
def plan_csv(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    require(membership, Action.PLAN_PROGRESS)
    agency = membership.agency
    response = HttpResponse(
        exports.plan_csv(selectors.plan_items(agency)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{agency.slug}-plan.csv"'
    event_record(
        kind=Event.Kind.PLAN_CSV_DOWNLOADED,
        actor=request.user,
        agency_id=agency.pk,
        ip_address=client_ip(request),
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    """The member's calendar address (made on first visit), and a button to renew it."""
    membership = get_membership(request)
    renew = request.method == "POST"
    feed = services.calendar_feed(membership=membership, renew=renew, ip_address=client_ip(request))
    if renew:
        messages.success(
            request, gettext("New calendar address made: the old one no longer works.")
        )
        return redirect("plan_calendar")
    url = request.build_absolute_uri(reverse("plan_calendar_feed", args=[feed.token]))
    return render(request, "plans/calendar.html", {"feed": feed, "url": url})


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics feed: no sign-in (calendar apps cannot), the secret address is the key."""
    feed = selectors.feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    membership = feed.membership
    items = selectors.my_items(membership.user, membership.agency_id)
    body = exports.plan_calendar(
        items, agency=membership.agency, base_url=request.build_absolute_uri("/")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="readiness-plan.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
