"""Plain data for showing a result: the results page and the PDF report both use it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction

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
        level_label = dimension.level.label if dimension.level else "Not assessed"
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
        f"{bar.label}: {bar.score if bar.score is not None else 'not assessed'}"
        f"{' of 100' if bar.score is not None else ''}, {bar.level_label}"
        + (" (capped by a critical gap)" if bar.capped else "")
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
        description=f"Readiness scores out of 100. {description}.",
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
        if self.days_left > 1:
            return f"Deadline {when}: {self.days_left} days left."
        if self.days_left == 1:
            return f"Deadline {when}: 1 day left."
        if self.days_left == 0:
            return f"Deadline {when}: today."
        days = "1 day" if self.days_overdue == 1 else f"{self.days_overdue} days"
        return f"Deadline {when}: passed {days} ago."


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
