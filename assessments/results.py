"""Plain data for showing a result: the results page and the PDF report both use it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext, ngettext

from .scoring import AssessmentResult, DimensionResult, Level, StateLaw

LEVEL_COLOURS = {
    Level.READY: "#0f5132",
    Level.DEVELOPING: "#7a5a00",
    Level.NOT_READY: "#842029",
    Level.NOT_PERMITTED: "#58151c",
}
CHART_LABEL_WIDTH = 230
CHART_BAR_WIDTH = 340
CHART_ROW_HEIGHT = 44
CHART_TOP = 28


@dataclass(frozen=True)
class ChartBar:
    label: str
    score: int | None
    level_label: str
    colour: str
    y: int
    width: int
    text_x: int
    text_y: int
    capped: bool


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart of the three dimensions, drawn as inline SVG by a template."""

    bars: tuple[ChartBar, ...]
    width: int
    height: int
    label_width: int
    bar_width: int
    threshold_developing_x: int
    threshold_ready_x: int
    axis_bottom: int
    description: str


def percent(value: Fraction | None) -> int | None:
    """A share (0..1) as a whole percentage, rounded down so 99.6 % never shows as complete."""
    if value is None:
        return None
    return int(value * 100)


def dimension_chart(dimensions: tuple[DimensionResult, ...]) -> Chart:
    bars = []
    for index, dimension in enumerate(dimensions):
        y = CHART_TOP + index * CHART_ROW_HEIGHT
        width = round(CHART_BAR_WIDTH * (dimension.score or 0) / 100)
        level_label = dimension.level.label if dimension.level else gettext("Not assessed")
        bars.append(
            ChartBar(
                label=dimension.label,
                score=dimension.score,
                level_label=level_label,
                colour=LEVEL_COLOURS.get(dimension.level, "#495057"),
                y=y,
                width=width,
                text_x=CHART_LABEL_WIDTH + width + 8,
                text_y=y + 20,
                capped=bool(dimension.capped_by),
            )
        )
    description = "; ".join(
        (
            gettext("%(label)s: %(score)s of 100, %(level)s")
            % {"label": bar.label, "score": bar.score, "level": bar.level_label}
            if bar.score is not None
            else gettext("%(label)s: not assessed, %(level)s")
            % {"label": bar.label, "level": bar.level_label}
        )
        + (" " + gettext("(capped by a critical gap)") if bar.capped else "")
        for bar in bars
    )
    height = CHART_TOP + len(bars) * CHART_ROW_HEIGHT + 20
    return Chart(
        bars=tuple(bars),
        width=CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 150,
        height=height,
        label_width=CHART_LABEL_WIDTH,
        bar_width=CHART_BAR_WIDTH,
        threshold_developing_x=CHART_LABEL_WIDTH + CHART_BAR_WIDTH * 50 // 100,
        threshold_ready_x=CHART_LABEL_WIDTH + CHART_BAR_WIDTH * 80 // 100,
        axis_bottom=height - 14,
        description=gettext("Readiness scores out of 100. %(scores)s.") % {"scores": description},
    )


@dataclass(frozen=True)
class SectionRow:
    code: str
    title: str
    answered: int
    applicable: int
    completion_percent: int | None
    score: int | None


@dataclass(frozen=True)
class StateLawPanel:
    """What the pages and the PDF say about the state's law: the profile, and the days left
    before a mandate's deadline counted from `today`."""

    law: StateLaw
    deadline: datetime.date | None
    days_left: int | None

    @property
    def deadline_passed(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -(self.days_left or 0)

    @property
    def deadline_text(self) -> str:
        if self.deadline is None or self.days_left is None:
            return ""
        when = self.deadline.strftime("%B %-d, %Y")
        if self.days_left > 0:
            return ngettext(
                "Deadline %(when)s: %(days)s day left.",
                "Deadline %(when)s: %(days)s days left.",
                self.days_left,
            ) % {"when": when, "days": self.days_left}
        if self.days_left == 0:
            return gettext("Deadline %(when)s: today.") % {"when": when}
        return ngettext(
            "Deadline %(when)s: passed %(days)s day ago.",
            "Deadline %(when)s: passed %(days)s days ago.",
            self.days_overdue,
        ) % {"when": when, "days": self.days_overdue}


def state_law_panel(law: StateLaw | None, today: datetime.date) -> StateLawPanel | None:
    if law is None:
        return None
    deadline = datetime.date.fromisoformat(law.deadline) if law.deadline else None
    days_left = (deadline - today).days if deadline else None
    return StateLawPanel(law=law, deadline=deadline, days_left=days_left)


def results_context(result: AssessmentResult, today: datetime.date | None = None) -> dict:
    """Everything a results view needs, as lists and plain values."""
    return {
        "result": result,
        "state_law": state_law_panel(result.state_law, today or datetime.date.today()),
        "critical_not_applicable": list(result.critical_not_applicable),
        "dimensions": result.dimensions,
        "chart": dimension_chart(result.dimensions),
        "section_rows": [
            SectionRow(
                code=s.code,
                title=s.title,
                answered=s.answered,
                applicable=s.applicable,
                completion_percent=percent(s.completion),
                score=s.score,
            )
            for s in result.sections
        ],
        "critical_gaps": list(result.critical_gaps),
        "other_actions": [a for a in result.actions if not a.critical],
        "unanswered_count": len(result.unanswered_codes),
        "completion_percent": percent(result.completion),
    }


@dataclass(frozen=True)
class MethodBlock:
    heading: str
    paragraphs: tuple[str, ...]


def method_blocks() -> list[MethodBlock]:
    """The scoring method as stated in `scoring`'s docstring, so the page and code never differ.

    An unindented line followed by an indented one is a heading; other text is split into
    paragraphs at blank lines, and list items each become a paragraph.
    """
    from . import scoring

    lines = (scoring.__doc__ or "").strip().splitlines()[1:]
    blocks: list[MethodBlock] = []
    heading, paragraphs, current = "", [], []

    def flush_paragraph() -> None:
        if current:
            paragraphs.append(" ".join(current))
            current.clear()

    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not line.strip():
            flush_paragraph()
        elif not line.startswith(" ") and following.startswith(" "):
            flush_paragraph()
            if heading or paragraphs:
                blocks.append(MethodBlock(heading, tuple(paragraphs)))
            heading, paragraphs = line.strip(), []
        elif line.strip().startswith("- "):
            flush_paragraph()
            current.append(line.strip()[2:])
        else:
            current.append(line.strip())
    flush_paragraph()
    if heading or paragraphs:
        blocks.append(MethodBlock(heading, tuple(paragraphs)))
    return blocks


TREND_WIDTH = 640
TREND_HEIGHT = 220
TREND_LEFT = 44
TREND_RIGHT = 200
TREND_LABEL_GAP = 15  # the least vertical room between the line-end labels
TREND_TOP = 16
TREND_BOTTOM = 40
TREND_COLOURS = {"capacity": "#0b5394", "policy": "#7a3e00", "community": "#2d6a4f"}
TREND_DASHES = {"capacity": "", "policy": "6 3", "community": "2 3"}


@dataclass(frozen=True)
class TrendPoint:
    x: int
    y: int
    score: int


@dataclass(frozen=True)
class TrendLine:
    key: str
    label: str
    colour: str
    dash: str
    points: tuple[TrendPoint, ...]
    label_y: int = 0  # where the line's end label goes, clear of the others

    @property
    def path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class TrendColumn:
    x: int
    label: str  # the approval date
    title: str
    scores: dict


@dataclass(frozen=True)
class Trend:
    """The three dimensions across the agency's approved assessments, as inline SVG; the same
    figures go in a table beside it."""

    lines: tuple[TrendLine, ...]
    columns: tuple[TrendColumn, ...]
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    gridlines: tuple[tuple[int, int], ...]  # (y, score)
    description: str


def trend_chart(approved: list[tuple[str, str, AssessmentResult]]) -> Trend | None:
    """`approved`: (approval date, title, result), oldest first. None with fewer than two."""
    if len(approved) < 2:
        return None
    right = TREND_WIDTH - TREND_RIGHT
    bottom = TREND_HEIGHT - TREND_BOTTOM
    step = (right - TREND_LEFT) / (len(approved) - 1)

    def y_of(score: int) -> int:
        return round(bottom - (bottom - TREND_TOP) * score / 100)

    columns = []
    for index, (date, title, result) in enumerate(approved):
        scores = {d.key: d.score for d in result.dimensions}
        columns.append(TrendColumn(round(TREND_LEFT + index * step), date, title, scores))
    lines = []
    for key in ("capacity", "policy", "community"):
        label = next(d.label for d in approved[-1][2].dimensions if d.key == key)
        points = tuple(
            TrendPoint(c.x, y_of(c.scores[key]), c.scores[key])
            for c in columns
            if c.scores.get(key) is not None
        )
        lines.append(TrendLine(key, label, TREND_COLOURS[key], TREND_DASHES[key], points))
    lines = _spread_labels(lines)
    description = "; ".join(
        f"{line.label}: "
        + ", ".join(
            f"{c.label} {c.scores[line.key]}" for c in columns if c.scores.get(line.key) is not None
        )
        for line in lines
    )
    return Trend(
        lines=tuple(lines),
        columns=tuple(columns),
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
        plot_left=TREND_LEFT,
        plot_right=right,
        plot_top=TREND_TOP,
        plot_bottom=bottom,
        gridlines=tuple((y_of(score), score) for score in (0, 50, 80, 100)),
        description=gettext("Readiness scores of approved assessments, oldest first. %(scores)s.")
        % {"scores": description},
    )


def _spread_labels(lines: list[TrendLine]) -> list[TrendLine]:
    """Place each line's end label at its last point, moved down where it would overlap the
    label above it."""
    placed: dict[str, int] = {}
    previous = None
    ends = sorted((line for line in lines if line.points), key=lambda line: line.points[-1].y)
    for line in ends:
        y = line.points[-1].y + 4
        if previous is not None and y < previous + TREND_LABEL_GAP:
            y = previous + TREND_LABEL_GAP
        placed[line.key] = previous = y
    return [
        TrendLine(
            line.key, line.label, line.colour, line.dash, line.points, placed.get(line.key, 0)
        )
        for line in lines
    ]
