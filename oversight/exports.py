"""The state table as CSV, through the plan's formula-safe writer."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from plans.exports import csv_document

from .selectors import StateRow

HEADER = (
    "Agency",
    "County",
    "State",
    "Assessment",
    "Revision",
    "Approved",
    "Overall level",
    "Capacity score",
    "Capacity level",
    "Policy score",
    "Policy level",
    "Community communication score",
    "Community communication level",
    "Phase",
    "Models",
    "Days to state deadline",
    "Plan items open",
    "Plan items overdue",
    "Plan items done",
)


def _level(level) -> str:
    return level.label if level is not None else ""


def _number(value) -> str:
    return "" if value is None else str(value)


def state_csv(rows: Iterable[StateRow]) -> str:
    """One line per agency as the table shows it; an agency with no approved assessment has
    its name and plan counts only."""
    lines = []
    for row in rows:
        a, r = row.assessment, row.result
        dimensions = []
        for dimension in row.dimensions:
            dimensions += [
                _number(dimension.score if dimension else None),
                _level(dimension.level if dimension else None),
            ]
        lines.append(
            [
                row.agency.name,
                row.agency.county,
                row.agency.state,
                a.title if a else "",
                a.revision if a else "",
                f"{timezone.localtime(a.approved_at):%Y-%m-%d}" if a and a.approved_at else "",
                _level(r.overall_level if r else None),
                *dimensions,
                a.get_phase_display() if a else "",
                " ".join(row.models),
                _number(row.deadline_days),
                row.plan.open,
                row.plan.overdue,
                row.plan.done,
            ]
        )
    return csv_document(HEADER, lines)
