"""Reads of the state view: the sharing agencies of the reviewer's state with their latest
approved results, in a fixed number of queries whatever the number of agencies.

Only approved assessments are ever read here, and only of agencies that `agencies.access`
says the reviewer may see (`sharing_agencies_q`, `may_review_state`): no other agency's name
reaches a page, a file or an error message.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone

from agencies.access import may_review_state, sharing_agencies_q
from agencies.models import Agency, StateReviewer
from assessments import scoring
from assessments.models import Assessment
from assessments.results import LEVEL_COLOURS
from assessments.selectors import ASSESSMENT_DEFERRED, ASSESSMENT_RELATED, assessments_results
from jurisdictions.models import LawStatus, StateProfile
from jurisdictions.selectors import current_profile
from plans.selectors import PlanCounts, plan_counts_by_agency
from questionnaires.models import PartnershipModel, Phase

APPROVED = Assessment.Status.APPROVED
LEVELS = (scoring.Level.READY, scoring.Level.DEVELOPING, scoring.Level.NOT_READY)
NO_PLAN = PlanCounts(0, 0, 0, 0, 0)
DIMENSION_LABELS = ("Capacity", "Policy", "Community communication")  # scoring.DIMENSIONS


def _approved(position: int) -> Subquery:
    """The id of the agency's approved assessment at `position` (0: the latest)."""
    return Subquery(
        Assessment.objects.filter(agency_id=OuterRef("pk"), status=APPROVED)
        .order_by("-approved_at", "-pk")
        .values("pk")[position : position + 1]
    )


@dataclass(frozen=True)
class StateRow:
    agency: Agency
    assessment: Assessment | None  # the latest approved one
    result: scoring.AssessmentResult | None  # its frozen result
    has_previous: bool  # an earlier approved one to compare with
    plan: PlanCounts
    deadline_days: int | None  # days to the state's mandate deadline (negative: past)

    @property
    def level(self) -> scoring.Level | None:
        return self.result.overall_level if self.result else None

    def score(self, key: str) -> int | None:
        return self.result.dimension(key).score if self.result else None

    def dimension_level(self, key: str) -> scoring.Level | None:
        return self.result.dimension(key).level if self.result else None

    @property
    def dimensions(self) -> list[scoring.DimensionResult | None]:
        if self.result is None:
            return [None for _ in scoring.DIMENSIONS]
        return [self.result.dimension(key) for key in scoring.DIMENSIONS]

    @property
    def models(self) -> list[str]:
        return sorted(self.assessment.models) if self.assessment else []


def deadline_days(profile: StateProfile | None, today: datetime.date) -> int | None:
    """Days left to the state's deadline where state law mandates an agreement, else None."""
    if profile is None or profile.status != LawStatus.MANDATE or profile.deadline is None:
        return None
    return (profile.deadline - today).days


@dataclass(frozen=True)
class StateTable:
    state: str
    profile: StateProfile | None
    rows: list[StateRow]


def state_table(*, reviewer: StateReviewer) -> StateTable:
    """Every agency of the reviewer's state that shares with its reviewers, by name, with its
    latest approved assessment, that assessment's frozen result, its plan's counts and the days
    to the state's deadline. Four queries, whatever the number of agencies: the agencies, their
    latest approved assessments with snapshots, the plan counts, the state-law profile."""
    agencies = list(
        Agency.objects.filter(sharing_agencies_q(reviewer))
        .defer("logo_png")
        .annotate(latest_id=_approved(0), previous_id=_approved(1))
        .order_by("name")
    )
    latest_ids = [a.latest_id for a in agencies if a.latest_id is not None]
    assessments = {}
    if latest_ids:
        assessments = {
            a.pk: a
            for a in Assessment.objects.filter(pk__in=latest_ids, status=APPROVED)
            .select_related(*ASSESSMENT_RELATED, "snapshot")
            .defer(*ASSESSMENT_DEFERRED)
        }
    results = assessments_results(list(assessments.values()))
    plans = plan_counts_by_agency(sharing_agencies_q(reviewer, "agency__"))
    profile = current_profile(reviewer.state)
    days = deadline_days(profile, timezone.localdate())
    rows = []
    for agency in agencies:
        assessment = assessments.get(agency.latest_id)
        rows.append(
            StateRow(
                agency=agency,
                assessment=assessment,
                result=results.get(assessment.pk) if assessment else None,
                has_previous=agency.previous_id is not None,
                plan=plans.get(agency.pk, NO_PLAN),
                deadline_days=days,
            )
        )
    return StateTable(state=reviewer.state, profile=profile, rows=rows)


# Filters (GET parameters): the values each may take.
LEVEL_CHOICES = {level.value: level.label for level in (*LEVELS, scoring.Level.NOT_PERMITTED)}
LEVEL_CHOICES["none"] = "No approved assessment"
MODEL_CHOICES = dict(PartnershipModel.choices)
PHASE_CHOICES = dict(Phase.choices)


@dataclass(frozen=True)
class StateFilters:
    level: str = ""
    model: str = ""
    phase: str = ""

    @classmethod
    def from_query(cls, query) -> StateFilters:
        """The filters of a query string; a value that is not a choice is ignored."""
        level, model, phase = (query.get(k, "") for k in ("level", "model", "phase"))
        return cls(
            level=level if level in LEVEL_CHOICES else "",
            model=model if model in MODEL_CHOICES else "",
            phase=phase if phase in PHASE_CHOICES else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.level or self.model or self.phase)

    def keeps(self, row: StateRow) -> bool:
        if self.level == "none" and row.result is not None:
            return False
        if self.level and self.level != "none" and (row.level is None or row.level != self.level):
            return False
        if self.model and self.model not in row.models:
            return False
        phase = row.assessment.phase if row.assessment else None
        return not self.phase or phase == self.phase


def _rank(level: scoring.Level | None) -> int | None:
    return None if level is None else level.rank


# Sort keys (?sort=name, ?sort=-capacity): the column's label and its value for a row. Rows
# without the value (no approved assessment, no deadline) come last either way.
SORTS = {
    "name": ("Agency", lambda row: row.agency.name.casefold()),
    "level": ("Overall level", lambda row: _rank(row.level)),
    "capacity": ("Capacity", lambda row: row.score("capacity")),
    "policy": ("Policy", lambda row: row.score("policy")),
    "community": ("Community communication", lambda row: row.score("community")),
    "approved": ("Approved", lambda row: row.assessment.approved_at if row.assessment else None),
    "phase": ("Phase", lambda row: row.assessment.phase if row.assessment else None),
    "deadline": ("Days to deadline", lambda row: row.deadline_days),
    "open": ("Open", lambda row: row.plan.open),
    "overdue": ("Overdue", lambda row: row.plan.overdue),
    "done": ("Done", lambda row: row.plan.done),
}


def sort_key(value: str) -> tuple[str, bool]:
    """(column, descending) of a `sort` parameter; by name, ascending, unless it names one."""
    column = value.removeprefix("-")
    if column not in SORTS:
        return "name", False
    return column, value.startswith("-")


def rows_sorted(rows: list[StateRow], column: str, descending: bool) -> list[StateRow]:
    """The rows by `column`; rows without a value last, then by name. No query."""
    value = SORTS[column][1]
    known = [row for row in rows if value(row) is not None]
    unknown = [row for row in rows if value(row) is None]
    by_name = SORTS["name"][1]
    known.sort(key=by_name)
    known.sort(key=value, reverse=descending)  # stable: ties stay by name
    return known + sorted(unknown, key=by_name)


@dataclass(frozen=True)
class Segment:
    label: str
    count: int
    start: float  # percent of the bar's width
    width: float
    colour: str


@dataclass(frozen=True)
class SummaryBar:
    label: str
    counts: list[tuple[str, int]]  # (level label, agencies) in LEVELS order
    total: int
    segments: list[Segment] = field(default_factory=list)


def summary_chart(rows: list[StateRow]) -> list[SummaryBar]:
    """How many agencies are at each level, per dimension and overall. An agency whose overall
    level is "Not permitted under state law" counts in the dimensions' bars, not the overall
    one. No query."""
    scored = [row for row in rows if row.result is not None]
    bars = []
    for key, label in [*zip(scoring.DIMENSIONS, DIMENSION_LABELS, strict=True), ("", "Overall")]:
        counts = []
        for level in LEVELS:
            if key:
                count = sum(row.dimension_level(key) == level for row in scored)
            else:
                count = sum(row.level == level for row in scored)
            counts.append((level, count))
        total = sum(count for _, count in counts)
        segments, start = [], 0.0
        for level, count in counts:
            width = 100 * count / total if total else 0.0
            if count:
                segments.append(Segment(level.label, count, start, width, LEVEL_COLOURS[level]))
            start += width
        bars.append(
            SummaryBar(
                label=label,
                counts=[(level.label, count) for level, count in counts],
                total=total,
                segments=segments,
            )
        )
    return bars


def agency_for_reviewer(*, reviewer: StateReviewer, pk: int) -> Agency:
    """The agency if the reviewer may see it (in their state, sharing), else 404: the same
    answer for an agency that does not exist, that does not share or of another state. One
    query."""
    pk = int(pk)
    agency = Agency.objects.defer("logo_png").filter(pk=pk).first() if 0 < pk < 2**63 else None
    if agency is None or not may_review_state(reviewer, agency):
        raise Http404("No such agency.")
    return agency


def latest_approved(agency: Agency) -> Assessment:
    """The agency's latest approved assessment, as its own pages load it; 404 when it has
    none. One query."""
    assessment = (
        Assessment.objects.filter(agency_id=agency.pk, status=APPROVED)
        .select_related(*ASSESSMENT_RELATED, "snapshot")
        .defer(*ASSESSMENT_DEFERRED)
        .order_by("-approved_at", "-pk")
        .first()
    )
    if assessment is None:
        raise Http404("This agency has no approved assessment.")
    return assessment
