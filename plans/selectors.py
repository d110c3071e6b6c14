"""Reads of the readiness plan, each in a fixed number of queries whatever the plan's size."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from agencies.models import Agency, Membership
from fastquery import PreparedQuery

from .models import CalendarFeed, PlanItem, PlanProgress

Status = PlanItem.Status
OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
DIMENSIONS = ("capacity", "policy", "community")
SORTS = {"priority": "Priority", "target_date": "Target date"}


def today() -> datetime.date:
    """The date in the installation's time zone (settings.TIME_ZONE): the agency's day."""
    return timezone.localdate()


def overdue_q(on: datetime.date) -> Q:
    """Open or in progress, with a target date before `on`."""
    return Q(status__in=OPEN_STATUSES, target_date__lt=on)


def quarter_start(on: datetime.date) -> datetime.date:
    return datetime.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)


def item_for_member(*, membership: Membership, pk: int) -> PlanItem:
    """The item if it belongs to the member's agency, else 404. One query."""
    return get_object_or_404(
        PlanItem.objects.select_related("owner", "assessment", "created_by"),
        pk=pk,
        agency_id=membership.agency_id,
    )


@dataclass(frozen=True)
class PlanFilters:
    owner: int | None = None  # a user id; 0: nobody
    status: str = ""  # a status, or "open" for open and in progress ("" for all)
    overdue: bool = False
    step: str = ""  # a section code
    dimension: str = ""  # capacity, policy or community
    sort: str = "priority"


def plan_items(agency: Agency, filters: PlanFilters = PlanFilters()) -> QuerySet[PlanItem]:
    """The agency's items, filtered and sorted, with owner, assessment and progress log loaded.
    Two queries when evaluated."""
    items = PlanItem.objects.filter(agency=agency).select_related("owner", "assessment")
    if filters.owner == 0:
        items = items.filter(owner__isnull=True)
    elif filters.owner:
        items = items.filter(owner_id=filters.owner)
    if filters.status == "unfinished":
        items = items.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        items = items.filter(status=filters.status)
    if filters.overdue:
        items = items.filter(overdue_q(today()))
    if filters.step:
        items = items.filter(section_code=filters.step)
    if filters.dimension in DIMENSIONS:
        items = items.filter(**{f"weight_{filters.dimension}__gt": 0})
    if filters.sort == "target_date":  # undated items last
        items = items.order_by(F("target_date").asc(nulls_last=True), "priority", "pk")
    else:
        items = items.order_by("priority", "pk")
    return items.prefetch_related(
        Prefetch(
            "progress",
            queryset=PlanProgress.objects.select_related("author").order_by("created_at", "pk"),
        )
    )


def _my_items(agency_id, owner_id):
    return (
        PlanItem.objects.filter(agency_id=agency_id, owner_id=owner_id, status__in=OPEN_STATUSES)
        .select_related("assessment")
        .order_by(F("target_date").asc(nulls_last=True), "priority", "pk")
    )


# The dashboard's first few: a fixed limit keeps the prepared SQL the same.
MY_ITEMS_LIMIT = 50
MY_ITEMS = PreparedQuery(
    lambda agency_id, owner_id: _my_items(agency_id, owner_id)[:MY_ITEMS_LIMIT]
)


def my_items(user, agency_id: int, limit: int | None = None) -> list[PlanItem]:
    """The member's unfinished items, overdue first, then by target date (at most `limit`).
    One query."""
    if limit is not None and limit <= MY_ITEMS_LIMIT:
        return MY_ITEMS.all(agency_id, user.pk)[:limit]
    items = _my_items(agency_id, user.pk)
    return list(items if limit is None else items[:limit])


@dataclass(frozen=True)
class PlanCounts:
    open: int
    overdue: int
    done_this_quarter: int
    total: int
    done: int = 0  # ever; filled by `plan_counts_by_agency`


def plan_counts(agency: Agency) -> PlanCounts:
    """Open (or in progress), overdue, and done since the quarter began. One query."""
    on = today()
    start = timezone.make_aware(datetime.datetime.combine(quarter_start(on), datetime.time()))
    counts = PlanItem.objects.filter(agency=agency).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=overdue_q(on)),
        done=Count("pk", filter=Q(status=Status.DONE, done_at__gte=start)),
        total=Count("pk"),
    )
    return PlanCounts(counts["open"], counts["overdue"], counts["done"], counts["total"])


def plan_counts_by_agency(agencies: Q) -> dict[int, PlanCounts]:
    """`plan_counts` (and done ever) of every agency matching `agencies` (a filter on the item's
    agency, e.g. `Q(agency__state="TX")`), by agency id; an agency without items is absent.
    One query, whatever the number of agencies and items."""
    on = today()
    start = timezone.make_aware(datetime.datetime.combine(quarter_start(on), datetime.time()))
    rows = (
        PlanItem.objects.filter(agencies)
        .order_by()
        .values("agency_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=overdue_q(on)),
            done_quarter=Count("pk", filter=Q(status=Status.DONE, done_at__gte=start)),
            done=Count("pk", filter=Q(status=Status.DONE)),
            total=Count("pk"),
        )
    )
    return {
        row["agency_id"]: PlanCounts(
            row["open"], row["overdue"], row["done_quarter"], row["total"], row["done"]
        )
        for row in rows
    }


OPEN_ITEMS_BY_CODE = PreparedQuery(
    lambda agency_id, codes: (
        PlanItem.objects.filter(
            agency_id=agency_id, question_code__in=codes, status__in=OPEN_STATUSES
        )
        .select_related("owner")
        .order_by("-priority")
    )
)


def open_items_by_code(agency_id: int, codes: list[str]) -> dict[str, PlanItem]:
    """The unfinished item for each question code, for the checklist. One prepared query."""
    return {item.question_code: item for item in OPEN_ITEMS_BY_CODE.all(agency_id, list(codes))}


def planned_codes(agency_id: int, assessment_id: int) -> set[str]:
    """Codes of the assessment's actions already in the plan, or open from an earlier one."""
    return set(
        PlanItem.objects.filter(agency_id=agency_id)
        .filter(Q(assessment_id=assessment_id) | Q(status__in=OPEN_STATUSES))
        .exclude(question_code="")
        .values_list("question_code", flat=True)
    )


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed whose secret address this is, if its member is still active. One query."""
    return (
        CalendarFeed.objects.select_related("membership__user", "membership__agency")
        .filter(token=token, membership__user__is_active=True)
        .first()
    )


def items_done_since(agency_id: int, moment) -> list[PlanItem]:
    """Items marked done at or after `moment`, newest first. One query."""
    return list(
        PlanItem.objects.filter(agency_id=agency_id, status=Status.DONE, done_at__gte=moment)
        .select_related("owner")
        .order_by("-done_at", "pk")
    )


def plan_version(agency_id: int) -> str:
    """Changes whenever the agency's plan does (an item added, changed or removed). One query."""
    stamp = PlanItem.objects.filter(agency_id=agency_id).aggregate(
        count=Count("pk"), last=Max("updated_at")
    )
    return f"{stamp['count']}:{stamp['last'].isoformat() if stamp['last'] else ''}"


@dataclass(frozen=True)
class FollowUp:
    """A later assessment's answer to the question a plan item was raised for."""

    assessment: object  # assessments.Assessment, reached through the agency
    code: str
    section_code: str
    answer: str


def item_follow_up(item: PlanItem) -> FollowUp | None:
    """The newest assessment started after the item was raised that asks its question (by its
    code, or the code it carried over to in a later questionnaire version), with the answer it
    holds now: marking an item done changes no answer, the next assessment does. Four queries."""
    if not item.question_code:
        return None
    later = (
        item.agency.assessments.filter(created_at__gt=item.created_at)
        .exclude(pk=item.assessment_id)
        .select_related("questionnaire")
        .order_by("-created_at", "-pk")
        .first()
    )
    if later is None:
        return None
    code = item.question_code
    raised_on = item.question.questionnaire if item.question_id else None
    if raised_on is not None and raised_on.pk != later.questionnaire_id:
        code = later.questionnaire.codes_carried_from(raised_on).get(code, "")
    if not code:
        return None
    question = later.questionnaire.questions.filter(code=code).select_related("section").first()
    if question is None:
        return None
    answer = later.answers.filter(question=question).first()
    if answer is not None:
        answer.question = question
    text = answer.display_value if answer and answer.is_answered else "Unanswered"
    return FollowUp(later, code, question.section.code, text)
