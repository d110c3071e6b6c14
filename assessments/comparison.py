"""How an assessment compares with the agency's last approved one: plain data for the compare
page, the results page and the report.

Pure: it takes both results and both sets of answers, and the map of earlier codes to this
assessment's codes (every code to itself within one questionnaire version; across versions the
carry-over table). A question with no counterpart is "not comparable".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .scoring import AssessmentResult, Level


@dataclass(frozen=True)
class ScoreChange:
    key: str  # dimension key or section code
    label: str
    then: int | None
    now: int | None
    level_then: Level | None = None
    level_now: Level | None = None

    @property
    def delta(self) -> int | None:
        if self.then is None or self.now is None:
            return None
        return self.now - self.then

    @property
    def change_text(self) -> str:
        """ "▲ 12", "▼ 3", "no change" or "—" (one side not assessed)."""
        delta = self.delta
        if delta is None:
            return "—"
        if delta > 0:
            return f"▲ {delta}"
        if delta < 0:
            return f"▼ {-delta}"
        return "no change"

    @property
    def change_words(self) -> str:
        """The change for screen readers and plain text: "up 12 points"."""
        delta = self.delta
        if delta is None:
            return "not comparable"
        if delta == 0:
            return "no change"
        points = "point" if abs(delta) == 1 else "points"
        return f"{'up' if delta > 0 else 'down'} {abs(delta)} {points}"


@dataclass(frozen=True)
class AnswerView:
    """An answer as the comparison shows it."""

    text: str  # "Yes", "Partial / in progress", "Not applicable", "Unanswered", a number…
    by: str = ""


@dataclass(frozen=True)
class AnswerChange:
    code: str
    earlier_code: str
    section_code: str
    prompt: str
    then: str
    now: str
    by: str


@dataclass(frozen=True)
class Comparison:
    dimensions: tuple[ScoreChange, ...]
    overall: ScoreChange
    sections: tuple[ScoreChange, ...]
    changed_answers: tuple[AnswerChange, ...]
    gaps_closed: tuple[str, ...]  # this version's codes
    gaps_opened: tuple[str, ...]
    not_comparable_new: tuple[str, ...]  # asked now, no earlier counterpart
    not_comparable_removed: tuple[str, ...]  # earlier codes with no counterpart now


def compare(
    *,
    then: AssessmentResult,
    now: AssessmentResult,
    answers_then: Mapping[str, AnswerView],
    answers_now: Mapping[str, AnswerView],
    codes: Mapping[str, str],
    asked_now: Mapping[str, tuple[str, str]],
    asked_then: frozenset[str] | set[str],
) -> Comparison:
    """`codes`: earlier code → this code; `asked_now`: code → (section code, prompt) of this
    assessment's questions in order; `asked_then`: the earlier assessment's question codes."""
    earlier_of = earlier_codes(codes, asked_then)
    dimensions = tuple(
        ScoreChange(d.key, d.label, t.score, d.score, t.level, d.level)
        for d, t in zip(now.dimensions, then.dimensions, strict=True)
    )
    overall = ScoreChange(
        "overall", "Overall", then.overall_score, now.overall_score,
        then.overall_level, now.overall_level,
    )  # fmt: skip
    sections_then = {s.code: s for s in then.sections}
    sections = tuple(
        ScoreChange(
            s.code,
            s.title,
            sections_then[s.code].score if s.code in sections_then else None,
            s.score,
        )
        for s in now.sections
    )
    changed = []
    for code, (old, before, after) in changed_answers(
        answers_then=answers_then, answers_now=answers_now, earlier_of=earlier_of, asked=asked_now
    ).items():
        section_code, prompt = asked_now[code]
        changed.append(
            AnswerChange(code, old, section_code, prompt, before.text, after.text, after.by)
        )
    gaps_then = {codes[g.code] for g in then.critical_gaps if codes.get(g.code) in asked_now}
    gaps_now = {g.code for g in now.critical_gaps if g.code in earlier_of}
    order = list(asked_now)
    return Comparison(
        dimensions=dimensions,
        overall=overall,
        sections=sections,
        changed_answers=tuple(changed),
        gaps_closed=tuple(sorted(gaps_then - gaps_now, key=_position(order))),
        gaps_opened=tuple(sorted(gaps_now - gaps_then, key=_position(order))),
        not_comparable_new=tuple(code for code in asked_now if code not in earlier_of),
        not_comparable_removed=tuple(
            sorted(old for old in asked_then if codes.get(old) not in asked_now)
        ),
    )


def earlier_codes(codes: Mapping[str, str], asked_then: Iterable[str]) -> dict[str, str]:
    """This assessment's code → the earlier code whose answer it compares with (asked then)."""
    asked_then = set(asked_then)
    return {new: old for old, new in codes.items() if old in asked_then}


def changed_answers(
    *,
    answers_then: Mapping[str, AnswerView],
    answers_now: Mapping[str, AnswerView],
    earlier_of: Mapping[str, str],
    asked: Iterable[str],
) -> dict[str, tuple[str, AnswerView, AnswerView]]:
    """Code → (earlier code, answer then, answer now) for each code of `asked`, in its order,
    whose answer differs from its earlier counterpart's; one without a counterpart is not
    comparable and never listed. An answer missing on either side is "Unanswered"."""
    changed = {}
    for code in asked:
        old = earlier_of.get(code)
        if old is None:
            continue
        before = answers_then.get(old, AnswerView("Unanswered"))
        after = answers_now.get(code, AnswerView("Unanswered"))
        if before.text != after.text:
            changed[code] = (old, before, after)
    return changed


def _position(order: list[str]):
    return lambda code: (order.index(code) if code in order else len(order), code)
