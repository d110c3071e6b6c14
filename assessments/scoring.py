"""How readiness scores are calculated (method version 2).

Scores are a pure function of the questionnaire and the answers: the same questions and answers
always give the same result, whatever order they are given in.

Which questions count
    A question is included when all three hold: it applies to at least one of the 287(g) models
    chosen for the assessment (JEM, TFM, WSO); it is asked in the agency's phase (preparing to
    request an agreement, agreement signed but not yet operating, or operating); and, for a
    question that a state's law adds (a duty such as requesting an agreement by a deadline or a
    governing-body vote), the state-law profile of the agency's state lists that duty. Questions
    left out by these rules are left out of every figure: scores, completion and the action plan.
    A question that needs a running program (trained officers, published statistics, audits) is
    therefore never scored as a failure of an agency that has not started; where the
    questionnaire gives an applicant's own wording ("is there a written, approved plan..."), an
    agency still preparing is asked that instead, and it is scored the same way.

Credit for an answer
    - Yes / Partial / No: Yes earns 1, Partial 1/2, No 0.
    - Maturity scale 0–4: the value divided by 4 (0, 1/4, 1/2, 3/4, 1).
    - Number: only when the questionnaire gives it a "full" threshold (and optionally a
      "partial" one): a value at or above the full threshold earns 1, at or above the partial
      threshold 1/2, anything lower 0.
    - Text questions, number questions without thresholds and questions whose weights are all 0
      are informational: they earn no credit and never appear in the action plan, but they still
      count towards completion.
    - Not applicable removes the question from every score and from the action plan; it counts
      as answered.
    - A critical question marked Not applicable leaves the scores only once command staff have
      acknowledged the stated reason; until then it counts as No (and caps as one). Either way it
      is listed with the critical gaps: marked not applicable by whom, for what reason, and who
      acknowledged it.
    - An unanswered question earns 0 and makes the whole result provisional. A value the
      question cannot accept (for example a word in a number question) is treated as unanswered.

Dimension scores
    Every question has a whole-number weight for each of three dimensions: Capacity, Policy and
    Community communication. For each dimension:

        score = 100 × Σ(weight × credit) / Σ(weight)

    over the included, applicable, scored questions whose weight for that dimension is above 0.
    The score is kept exactly (as a fraction) and shown rounded half up to a whole number: 79.5
    shows as 80 and 49.5 as 50. A dimension on which no such question weighs is "not assessed":
    it has no score and no level.

Levels
    Decided on the whole number shown: Ready at 80 or more, Developing from 50 to 79, Not ready
    below 50, so a page never shows 80 beside Developing.

Critical questions
    A critical question answered with no credit (No, scale 0, a number below every threshold)
    caps every dimension it has a weight in at Not ready; one answered with part credit caps those
    dimensions at Developing. The level shown is the lower of the level from the score and the
    cap. The score itself is never changed by a cap. An unanswered critical question does not cap:
    the result is already marked provisional until it is answered. A dimension lists as "capped
    by" the critical questions that set its level below the level its score alone would give.

State law
    Where the state-law profile of the agency's state says state law bars 287(g) agreements
    (or the functions they delegate), the overall level is "Not permitted under state law",
    whatever the answers; the dimension scores and levels are still calculated, as readiness
    would stand if the law changed. A mandate or conditions add their duties as questions (see
    "Which questions count"). An approved result keeps the profile it was scored with: a later
    version of the profiles does not change it.

Overall result
    Unless state law bars an agreement, the overall level is the lowest level among the
    assessed dimensions: readiness is only as strong as its weakest dimension. The overall score
    uses the same formula over all three dimensions' weights together. Each section (step) gets
    a score by the same formula over its own questions, and a completion share: answered (Not
    applicable included) out of included.

Action plan
    Every included, applicable, scored question with credit below 1 (unanswered ones included, at
    credit 0) yields its recommendation. Critical questions come first, then the larger gain —
    the question's total weight × (1 − credit) — then questionnaire order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Any

METHOD_VERSION = "2"

DIMENSIONS = ("capacity", "policy", "community")
DIMENSION_LABELS = {
    "capacity": "Capacity",
    "policy": "Policy",
    "community": "Community communication",
}

MODELS = frozenset({"JEM", "TFM", "WSO"})
PHASES = frozenset({"preparing", "signed", "operating"})
PROHIBITION = "prohibition"

CHOICE = "choice"
SCALE = "scale"
NUMBER = "number"
TEXT = "text"
ANSWER_TYPES = (CHOICE, SCALE, NUMBER, TEXT)

CHOICE_CREDIT = {"yes": Fraction(1), "partial": Fraction(1, 2), "no": Fraction(0)}
SCALE_MAX = 4
SCALE_VALUES = tuple(str(n) for n in range(SCALE_MAX + 1))

READY_MIN_SCORE = 80
DEVELOPING_MIN_SCORE = 50


class Level(StrEnum):
    """Readiness level. Levels compare by severity: NOT_READY < DEVELOPING < READY."""

    READY = "ready"
    DEVELOPING = "developing"
    NOT_READY = "not_ready"
    # Only ever an overall level: state law bars the agreement, whatever the scores.
    NOT_PERMITTED = "not_permitted"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]

    @property
    def rank(self) -> int:
        return _LEVEL_RANKS[self]

    # str's own comparison would order the values alphabetically, which is meaningless here;
    # comparing with a plain string raises instead of silently falling back to it.
    def _other_rank(self, other: object) -> int:
        if not isinstance(other, Level):
            raise TypeError(f"Cannot order a Level against {type(other).__name__}.")
        return other.rank

    def __lt__(self, other: object) -> bool:
        return self.rank < self._other_rank(other)

    def __le__(self, other: object) -> bool:
        return self.rank <= self._other_rank(other)

    def __gt__(self, other: object) -> bool:
        return self.rank > self._other_rank(other)

    def __ge__(self, other: object) -> bool:
        return self.rank >= self._other_rank(other)


_LEVEL_LABELS = {
    Level.READY: "Ready",
    Level.DEVELOPING: "Developing",
    Level.NOT_READY: "Not ready",
    Level.NOT_PERMITTED: "Not permitted under state law",
}
_LEVEL_RANKS = {Level.NOT_PERMITTED: -1, Level.NOT_READY: 0, Level.DEVELOPING: 1, Level.READY: 2}


# --- Input ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoringQuestion:
    code: str
    section_code: str
    position: int
    answer_type: str
    weight_capacity: int
    weight_policy: int
    weight_community: int
    critical: bool
    models: frozenset[str]
    recommendation: str
    prompt: str = ""
    threshold_full: Decimal | None = None
    threshold_partial: Decimal | None = None
    phases: frozenset[str] = PHASES
    state_duty: str = ""

    def __post_init__(self) -> None:
        if self.answer_type not in ANSWER_TYPES:
            raise ValueError(f"Question {self.code}: unknown answer type {self.answer_type!r}.")
        for key, weight in self.weights.items():
            if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
                raise ValueError(
                    f"Question {self.code}: the {key} weight must be a whole number ≥ 0."
                )
        unknown = set(self.models) - MODELS
        if unknown:
            raise ValueError(f"Question {self.code}: unknown models {sorted(unknown)}.")
        if not self.phases or set(self.phases) - PHASES:
            raise ValueError(f"Question {self.code}: phases must be among {sorted(PHASES)}.")
        self._check_thresholds()

    def _check_thresholds(self) -> None:
        full, partial = self.threshold_full, self.threshold_partial
        if (full is not None or partial is not None) and self.answer_type != NUMBER:
            raise ValueError(f"Question {self.code}: only number questions take thresholds.")
        if partial is not None and full is None:
            raise ValueError(f"Question {self.code}: a partial threshold needs a full threshold.")
        if partial is not None and full is not None and partial > full:
            raise ValueError(f"Question {self.code}: the partial threshold exceeds the full one.")

    @property
    def weights(self) -> dict[str, int]:
        return {
            "capacity": self.weight_capacity,
            "policy": self.weight_policy,
            "community": self.weight_community,
        }

    def weight(self, dimension: str) -> int:
        return self.weights[dimension]

    @property
    def total_weight(self) -> int:
        return self.weight_capacity + self.weight_policy + self.weight_community

    @property
    def scored(self) -> bool:
        """False for informational questions, which earn no credit."""
        if self.total_weight == 0:
            return False
        if self.answer_type == NUMBER:
            return self.threshold_full is not None
        return self.answer_type in (CHOICE, SCALE)


@dataclass(frozen=True)
class ScoringSection:
    code: str
    title: str
    position: int


@dataclass(frozen=True)
class ScoringAnswer:
    code: str
    value: str
    not_applicable: bool = False
    na_reason: str = ""
    # Who last set the answer, and who of command staff accepted a critical N/A (names).
    marked_by: str = ""
    acknowledged_by: str = ""


@dataclass(frozen=True)
class StateLaw:
    """The state-law profile an assessment is scored with, kept whole in the result so an
    approved result shows the law as it was read then."""

    state: str
    name: str
    status: str
    status_label: str
    verified: bool
    checked_on: str
    summary: str
    citation: str
    url: str
    law_version: int
    deadline: str | None = None
    applies_to: str = ""
    enforced_by: str = ""
    ending: str = ""
    notes: str = ""
    duties: tuple[str, ...] = ()
    duty_labels: tuple[str, ...] = ()

    @property
    def prohibits(self) -> bool:
        return self.status == PROHIBITION

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["duties"], data["duty_labels"] = list(self.duties), list(self.duty_labels)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StateLaw:
        known = {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
        known["duties"] = tuple(known.get("duties", ()))
        known["duty_labels"] = tuple(known.get("duty_labels", ()))
        return cls(**known)


# --- Result --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionResult:
    key: str
    label: str
    exact: Fraction | None
    score: int | None
    level: Level | None
    capped_by: tuple[str, ...]
    uncapped_level: Level | None

    @property
    def assessed(self) -> bool:
        return self.exact is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "exact": _fraction_out(self.exact),
            "score": self.score,
            "level": _level_out(self.level),
            "capped_by": list(self.capped_by),
            "uncapped_level": _level_out(self.uncapped_level),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DimensionResult:
        return cls(
            key=data["key"],
            label=data["label"],
            exact=_fraction_in(data["exact"]),
            score=data["score"],
            level=_level_in(data["level"]),
            capped_by=tuple(data["capped_by"]),
            uncapped_level=_level_in(data["uncapped_level"]),
        )


@dataclass(frozen=True)
class SectionResult:
    code: str
    title: str
    applicable: int
    answered: int
    exact: Fraction | None
    score: int | None
    completion: Fraction | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "applicable": self.applicable,
            "answered": self.answered,
            "exact": _fraction_out(self.exact),
            "score": self.score,
            "completion": _fraction_out(self.completion),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SectionResult:
        return cls(
            code=data["code"],
            title=data["title"],
            applicable=data["applicable"],
            answered=data["answered"],
            exact=_fraction_in(data["exact"]),
            score=data["score"],
            completion=_fraction_in(data["completion"]),
        )


@dataclass(frozen=True)
class Action:
    code: str
    section_code: str
    recommendation: str
    critical: bool
    credit: Fraction
    gain: Fraction
    unanswered: bool
    prompt: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "section_code": self.section_code,
            "recommendation": self.recommendation,
            "critical": self.critical,
            "credit": _fraction_out(self.credit),
            "gain": _fraction_out(self.gain),
            "unanswered": self.unanswered,
            "prompt": self.prompt,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Action:
        return cls(
            code=data["code"],
            section_code=data["section_code"],
            recommendation=data["recommendation"],
            critical=data["critical"],
            credit=Fraction(data["credit"]),
            gain=Fraction(data["gain"]),
            unanswered=data["unanswered"],
            prompt=data["prompt"],
        )


@dataclass(frozen=True)
class CriticalNotApplicable:
    """A critical question marked Not applicable: listed with the critical gaps, never silent."""

    code: str
    section_code: str
    prompt: str
    reason: str
    marked_by: str
    acknowledged_by: str

    @property
    def acknowledged(self) -> bool:
        return bool(self.acknowledged_by)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CriticalNotApplicable:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class AssessmentResult:
    dimensions: tuple[DimensionResult, ...]
    overall_exact: Fraction | None
    overall_score: int | None
    overall_level: Level | None
    sections: tuple[SectionResult, ...]
    actions: tuple[Action, ...]
    critical_gaps: tuple[Action, ...]
    applicable: int
    answered: int
    unanswered_codes: tuple[str, ...]
    provisional: bool
    completion: Fraction | None
    explanation: str
    method_version: str = field(default=METHOD_VERSION)
    phase: str | None = None
    state_law: StateLaw | None = None
    critical_not_applicable: tuple[CriticalNotApplicable, ...] = ()

    @property
    def permitted(self) -> bool:
        return self.state_law is None or not self.state_law.prohibits

    def dimension(self, key: str) -> DimensionResult:
        for result in self.dimensions:
            if result.key == key:
                return result
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: fractions as "num/den" strings, levels as their values."""
        return {
            "method_version": self.method_version,
            "dimensions": [d.to_dict() for d in self.dimensions],
            "overall_exact": _fraction_out(self.overall_exact),
            "overall_score": self.overall_score,
            "overall_level": _level_out(self.overall_level),
            "sections": [s.to_dict() for s in self.sections],
            "actions": [a.to_dict() for a in self.actions],
            "critical_gaps": [a.to_dict() for a in self.critical_gaps],
            "applicable": self.applicable,
            "answered": self.answered,
            "unanswered_codes": list(self.unanswered_codes),
            "provisional": self.provisional,
            "completion": _fraction_out(self.completion),
            "explanation": self.explanation,
            "phase": self.phase,
            "state_law": None if self.state_law is None else self.state_law.to_dict(),
            "critical_not_applicable": [c.to_dict() for c in self.critical_not_applicable],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AssessmentResult:
        return cls(
            dimensions=tuple(DimensionResult.from_dict(d) for d in data["dimensions"]),
            overall_exact=_fraction_in(data["overall_exact"]),
            overall_score=data["overall_score"],
            overall_level=_level_in(data["overall_level"]),
            sections=tuple(SectionResult.from_dict(s) for s in data["sections"]),
            actions=tuple(Action.from_dict(a) for a in data["actions"]),
            critical_gaps=tuple(Action.from_dict(a) for a in data["critical_gaps"]),
            applicable=data["applicable"],
            answered=data["answered"],
            unanswered_codes=tuple(data["unanswered_codes"]),
            provisional=data["provisional"],
            completion=_fraction_in(data["completion"]),
            explanation=data["explanation"],
            method_version=data["method_version"],
            # Results frozen by method version 1 have none of these.
            phase=data.get("phase"),
            state_law=StateLaw.from_dict(data["state_law"]) if data.get("state_law") else None,
            critical_not_applicable=tuple(
                CriticalNotApplicable.from_dict(c) for c in data.get("critical_not_applicable", ())
            ),
        )


def _fraction_out(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _fraction_in(value: str | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _level_out(level: Level | None) -> str | None:
    return None if level is None else level.value


def _level_in(value: str | None) -> Level | None:
    return None if value is None else Level(value)


# --- Method --------------------------------------------------------------------------------------


def round_half_up(value: Fraction) -> int:
    """The whole number shown for a score ≥ 0: 79.5 -> 80, 78.5 -> 79 (not banker's rounding)."""
    return math.floor(value + Fraction(1, 2))


def level_for(score: int) -> Level:
    if score >= READY_MIN_SCORE:
        return Level.READY
    if score >= DEVELOPING_MIN_SCORE:
        return Level.DEVELOPING
    return Level.NOT_READY


def answer_credit(question: ScoringQuestion, answer: ScoringAnswer | None) -> Fraction | None:
    """Credit earned, or None when the answer earns none: unanswered, not applicable,
    informational question, or a value the question cannot accept."""
    if answer is None or answer.not_applicable or not question.scored:
        return None
    return _value_credit(question, answer.value.strip())


def _value_credit(question: ScoringQuestion, value: str) -> Fraction | None:
    if question.answer_type == CHOICE:
        return CHOICE_CREDIT.get(value)
    if question.answer_type == SCALE:
        return Fraction(int(value), SCALE_MAX) if value in SCALE_VALUES else None
    if question.answer_type == NUMBER:
        return _number_credit(question, _parse_number(value))
    return None


def _number_credit(question: ScoringQuestion, number: Decimal | None) -> Fraction | None:
    if number is None or question.threshold_full is None:
        return None
    if number >= question.threshold_full:
        return Fraction(1)
    if question.threshold_partial is not None and number >= question.threshold_partial:
        return Fraction(1, 2)
    return Fraction(0)


def _parse_number(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _is_answered(question: ScoringQuestion, answer: ScoringAnswer | None) -> bool:
    """Not applicable counts as answered; an unacceptable value does not."""
    if answer is None:
        return False
    if answer.not_applicable:
        return True
    value = answer.value.strip()
    if question.answer_type == CHOICE:
        return value in CHOICE_CREDIT
    if question.answer_type == SCALE:
        return value in SCALE_VALUES
    if question.answer_type == NUMBER:
        return _parse_number(value) is not None
    return value != ""


@dataclass(frozen=True)
class _Item:
    """One included question with its answer evaluated."""

    question: ScoringQuestion
    answered: bool
    # Credit used in the scores (0 when unanswered); None when the question is in no score.
    credit: Fraction | None

    @property
    def cap(self) -> Level | None:
        if not self.question.critical or not self.answered or self.credit is None:
            return None
        if self.credit == 0:
            return Level.NOT_READY
        if self.credit < 1:
            return Level.DEVELOPING
        return None


def _evaluate(question: ScoringQuestion, answer: ScoringAnswer | None) -> _Item:
    answered = _is_answered(question, answer)
    credit = answer_credit(question, answer)
    not_applicable = answer is not None and answer.not_applicable
    # A critical N/A leaves the scores only once acknowledged; until then it counts as No.
    pending = not_applicable and question.critical and not answer.acknowledged_by
    if credit is None and question.scored and (pending or not not_applicable):
        credit = Fraction(0)
    return _Item(question=question, answered=answered, credit=credit)


def _critical_not_applicable(
    items: Sequence[_Item], answers: Mapping[str, ScoringAnswer]
) -> tuple[CriticalNotApplicable, ...]:
    listed = []
    for item in items:
        answer = answers.get(item.question.code)
        if item.question.critical and answer is not None and answer.not_applicable:
            listed.append(
                CriticalNotApplicable(
                    code=item.question.code,
                    section_code=item.question.section_code,
                    prompt=item.question.prompt,
                    reason=answer.na_reason,
                    marked_by=answer.marked_by,
                    acknowledged_by=answer.acknowledged_by,
                )
            )
    return tuple(listed)


def _included(
    question: ScoringQuestion, models: frozenset[str], phase: str | None, law: StateLaw | None
) -> bool:
    if not question.models & models:
        return False
    if phase is not None and phase not in question.phases:
        return False
    if question.state_duty:
        return law is not None and question.state_duty in law.duties
    return True


def _percent(items: Iterable[_Item], weight: Callable[[ScoringQuestion], int]) -> Fraction | None:
    earned = Fraction(0)
    total = 0
    for item in items:
        if item.credit is None:
            continue
        w = weight(item.question)
        earned += w * item.credit
        total += w
    return None if total == 0 else 100 * earned / total


def _dimension_result(key: str, items: Sequence[_Item]) -> DimensionResult:
    label = DIMENSION_LABELS[key]
    exact = _percent(items, lambda q: q.weight(key))
    if exact is None:
        return DimensionResult(key, label, None, None, None, (), None)
    score = round_half_up(exact)
    uncapped = level_for(score)
    caps = [(item.question.code, item.cap) for item in items if item.question.weight(key) > 0]
    level = min([uncapped, *(cap for _, cap in caps if cap is not None)])
    capped_by = tuple(code for code, cap in caps if level < uncapped and cap == level)
    return DimensionResult(key, label, exact, score, level, capped_by, uncapped)


def _section_result(section: ScoringSection, items: Sequence[_Item]) -> SectionResult:
    own = [item for item in items if item.question.section_code == section.code]
    exact = _percent(own, lambda q: q.total_weight)
    answered = sum(item.answered for item in own)
    return SectionResult(
        code=section.code,
        title=section.title,
        applicable=len(own),
        answered=answered,
        exact=exact,
        score=None if exact is None else round_half_up(exact),
        completion=Fraction(answered, len(own)) if own else None,
    )


def _actions(items: Sequence[_Item]) -> tuple[Action, ...]:
    actions = [
        Action(
            code=item.question.code,
            section_code=item.question.section_code,
            recommendation=item.question.recommendation,
            critical=item.question.critical,
            credit=item.credit,
            gain=item.question.total_weight * (1 - item.credit),
            unanswered=not item.answered,
            prompt=item.question.prompt,
        )
        for item in items
        if item.credit is not None and item.credit < 1
    ]
    positions = {item.question.code: item.question.position for item in items}
    actions.sort(key=lambda a: (not a.critical, -a.gain, positions[a.code], a.code))
    return tuple(actions)


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _capped_reason(dimension: DimensionResult) -> str:
    noun = "question" if len(dimension.capped_by) == 1 else "questions"
    level = dimension.level.label if dimension.level else ""
    return (
        f"{dimension.label} scores {dimension.score} but is capped at {level} "
        f"by critical {noun} {_join(dimension.capped_by)}"
    )


def _score_reason(dimensions: Sequence[DimensionResult], level: Level) -> str:
    next_label, needed = (
        (Level.READY.label, READY_MIN_SCORE)
        if level is Level.DEVELOPING
        else (Level.DEVELOPING.label, DEVELOPING_MIN_SCORE)
    )
    if len(dimensions) == 1:
        only = dimensions[0]
        return f"{only.label} scores {only.score}, below the {needed} needed for {next_label}"
    listed = _join([f"{d.label} ({d.score})" for d in dimensions])
    return f"{listed} score below the {needed} needed for {next_label}"


def _headline(dimensions: Sequence[DimensionResult], overall: Level | None) -> str:
    if overall is None:
        return "Overall: Not assessed — no applicable question carries weight in any dimension."
    if overall is Level.READY:
        return f"Overall: Ready — every assessed dimension scores {READY_MIN_SCORE} or more."
    weakest = [d for d in dimensions if d.level is overall]
    by_score = [d for d in weakest if not d.capped_by]
    reasons = [_score_reason(by_score, overall)] if by_score else []
    reasons += [_capped_reason(d) for d in weakest if d.capped_by]
    return f"Overall: {overall.label} — {'; '.join(reasons)}."


def _explanation(
    dimensions: Sequence[DimensionResult],
    overall: Level | None,
    unanswered: int,
    law: StateLaw | None = None,
) -> str:
    sentences = [_headline(dimensions, overall)]
    if law is not None and law.prohibits:
        readiness = min((d.level for d in dimensions if d.level is not None), default=None)
        sentences = [
            f"Overall: {Level.NOT_PERMITTED.label} — {law.name} law bars this agreement "
            f"({law.citation}).",
            "Readiness as it would stand if the law allowed an agreement: "
            + _headline(dimensions, readiness).removeprefix("Overall: "),
        ]
    not_assessed = [d.label for d in dimensions if not d.assessed]
    if not_assessed and overall is not None:
        verb, pronoun = ("is", "it") if len(not_assessed) == 1 else ("are", "them")
        reason = f"no applicable question weighs on {pronoun}"
        sentences.append(f"{_join(not_assessed)} {verb} not assessed: {reason}.")
    if unanswered:
        noun = "question" if unanswered == 1 else "questions"
        sentences.append(f"Provisional: {unanswered} {noun} unanswered.")
    return " ".join(sentences)


def _check_unique(codes: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"Duplicate {what} code {code!r}.")
        seen.add(code)


def _check_input(
    sections: Sequence[ScoringSection],
    questions: Sequence[ScoringQuestion],
    answers: Mapping[str, ScoringAnswer],
    models: frozenset[str],
    phase: str | None,
) -> None:
    _check_unique((s.code for s in sections), "section")
    _check_unique((q.code for q in questions), "question")
    section_codes = {s.code for s in sections}
    for question in questions:
        if question.section_code not in section_codes:
            raise ValueError(f"Question {question.code}: unknown section {question.section_code}.")
    for key, answer in answers.items():
        if key != answer.code:
            raise ValueError(f"Answer keyed {key!r} is for question {answer.code!r}.")
    unknown = set(models) - MODELS
    if unknown:
        raise ValueError(f"Unknown models {sorted(unknown)}.")
    if phase is not None and phase not in PHASES:
        raise ValueError(f"Unknown phase {phase!r}.")


def score_assessment(
    *,
    sections: Sequence[ScoringSection],
    questions: Sequence[ScoringQuestion],
    answers: Mapping[str, ScoringAnswer],
    models: frozenset[str],
    phase: str | None = None,
    state_law: StateLaw | None = None,
) -> AssessmentResult:
    """Score one assessment. Pure: no I/O; the order of the inputs does not matter.

    `phase` None asks every question whatever its phases (as method version 1 did); `state_law`
    None means no profile is known for the agency's state. Answers for questions not in
    `questions` are ignored. Raises ValueError on inconsistent input (duplicate codes, a
    question in an unknown section, an unknown model or phase).
    """
    models = frozenset(models)
    _check_input(sections, questions, answers, models, phase)
    ordered = sorted(questions, key=lambda q: (q.position, q.code))
    items = [
        _evaluate(q, answers.get(q.code)) for q in ordered if _included(q, models, phase, state_law)
    ]

    dimensions = tuple(_dimension_result(key, items) for key in DIMENSIONS)
    levels = [d.level for d in dimensions if d.level is not None]
    overall_level = min(levels) if levels else None
    if state_law is not None and state_law.prohibits:
        overall_level = Level.NOT_PERMITTED
    overall_exact = _percent(items, lambda q: q.total_weight)
    actions = _actions(items)
    unanswered_codes = tuple(item.question.code for item in items if not item.answered)
    answered = len(items) - len(unanswered_codes)

    return AssessmentResult(
        dimensions=dimensions,
        overall_exact=overall_exact,
        overall_score=None if overall_exact is None else round_half_up(overall_exact),
        overall_level=overall_level,
        sections=tuple(
            _section_result(s, items) for s in sorted(sections, key=lambda s: (s.position, s.code))
        ),
        actions=actions,
        critical_gaps=tuple(a for a in actions if a.critical),
        applicable=len(items),
        answered=answered,
        unanswered_codes=unanswered_codes,
        provisional=bool(unanswered_codes),
        completion=Fraction(answered, len(items)) if items else None,
        explanation=_explanation(dimensions, overall_level, len(unanswered_codes), state_law),
        phase=phase,
        state_law=state_law,
        critical_not_applicable=_critical_not_applicable(items, answers),
    )
