"""Reads of the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from fastquery import PreparedQuery

from .models import Event


def agency_events(*, agency_id: int, user_id: int | None = None, kind: str = "") -> QuerySet[Event]:
    """An agency's events, newest first, optionally about one person (as actor or subject) or of
    one kind; with the rows a listing shows. Paginate it: one query a page plus the count."""
    events = Event.objects.filter(agency_id=agency_id).select_related(
        "actor", "subject_user", "assessment", "question"
    )
    if user_id:
        events = events.filter(Q(actor_id=user_id) | Q(subject_user_id=user_id))
    if kind:
        events = events.filter(kind=kind)
    return events


def assessment_events(*, assessment_id: int) -> QuerySet[Event]:
    """An assessment's events, newest first, with who and which question."""
    return Event.objects.filter(assessment_id=assessment_id).select_related(
        "actor", "question__section"
    )


LATEST_EVENT = PreparedQuery(
    lambda assessment_id, kind: (
        Event.objects.filter(assessment_id=assessment_id, kind=kind)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:1]
    )
)


def latest_event(*, assessment_id: int, kind: str) -> Event | None:
    """The newest event of `kind` about the assessment, with its actor. One prepared query."""
    return LATEST_EVENT.first(assessment_id, kind)


@dataclass(frozen=True)
class StateViews:
    count: int
    last_at: object  # datetime | None


def state_review_summary(*, agency_id: int) -> StateViews:
    """How often state reviewers viewed the agency, and when last. One query."""
    found = Event.objects.filter(
        agency_id=agency_id, kind=Event.Kind.STATE_REVIEW_VIEWED
    ).aggregate(count=Count("pk"), last_at=Max("created_at"))
    return StateViews(found["count"], found["last_at"])
