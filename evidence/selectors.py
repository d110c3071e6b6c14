"""Reads of evidence, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Max
from django.shortcuts import get_object_or_404

from agencies.models import Membership
from fastquery import PreparedQuery

from .models import Evidence


def evidence_for_member(*, membership: Membership, pk: int) -> Evidence:
    """The evidence if it belongs to the member's agency, else 404. One query."""
    return get_object_or_404(
        Evidence.objects.select_related("assessment", "question__section", "uploaded_by"),
        pk=pk,
        agency_id=membership.agency_id,
    )


def current_evidence(assessment_id: int, question_ids=None) -> dict[int, list[Evidence]]:
    """The current (not removed, not replaced) evidence of an assessment's answers, by question
    id, oldest first. One query."""
    items = Evidence.objects.filter(
        assessment_id=assessment_id, removed_at__isnull=True, superseded_at__isnull=True
    ).select_related("uploaded_by")
    if question_ids is not None:
        items = items.filter(question_id__in=list(question_ids))
    by_question: dict[int, list[Evidence]] = defaultdict(list)
    for item in items.order_by("uploaded_at", "pk"):
        by_question[item.question_id].append(item)
    return dict(by_question)


SECTION_EVIDENCE = PreparedQuery(
    lambda assessment_id, section_id: (
        Evidence.objects.filter(
            assessment_id=assessment_id,
            question__section_id=section_id,
            removed_at__isnull=True,
            superseded_at__isnull=True,
        )
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )
)


def section_evidence(assessment_id: int, section_id: int) -> dict[int, list[Evidence]]:
    """`current_evidence` of the answers of one step, for the checklist. One prepared query."""
    by_question: dict[int, list[Evidence]] = defaultdict(list)
    for item in SECTION_EVIDENCE.all(assessment_id, section_id):
        by_question[item.question_id].append(item)
    return dict(by_question)


def evidence_history(assessment_id: int, question_id: int) -> list[Evidence]:
    """Every version ever attached to the answer, removed and replaced ones included. One query."""
    return list(
        Evidence.objects.filter(assessment_id=assessment_id, question_id=question_id)
        .select_related("uploaded_by", "removed_by")
        .order_by("uploaded_at", "pk")
    )


CURRENT_EVIDENCE_QUESTIONS = PreparedQuery(
    lambda assessment_id: (
        Evidence.objects.filter(
            assessment_id=assessment_id, removed_at__isnull=True, superseded_at__isnull=True
        )
        .only("pk", "question_id")
        .order_by()
    )
)


def question_ids_with_evidence(assessment_id: int) -> set[int]:
    """Questions of the assessment with at least one current piece of evidence. One query."""
    return {item.question_id for item in CURRENT_EVIDENCE_QUESTIONS.all(assessment_id)}


def evidence_version(assessment_id: int) -> str:
    """Changes whenever the assessment's evidence does (attached, replaced, removed). One query."""
    stamp = Evidence.objects.filter(assessment_id=assessment_id).aggregate(
        count=Count("pk"), attached=Max("uploaded_at"), removed=Max("removed_at")
    )
    return f"{stamp['count']}:{stamp['attached']}:{stamp['removed']}"
