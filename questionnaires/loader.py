"""Validate a questionnaire data file and load it into the database.

The file is TOML (see `questionnaires/data/readiness-v1.toml`). Validation collects every
problem with its location before anything is written, so a reviewer fixes a file in one pass.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from .models import AnswerType, PartnershipModel, Question, QuestionnaireVersion, Section

DEFAULT_QUESTIONNAIRE = Path(__file__).resolve().parent / "data" / "readiness-v1.toml"

DIMENSION_KEYS = ("capacity", "policy", "community")
ANSWER_TYPES = {choice.value for choice in AnswerType}
MODEL_CODES = {choice.value for choice in PartnershipModel}
SCORED_TYPES = {AnswerType.CHOICE.value, AnswerType.SCALE.value}
CODE_PATTERN = re.compile(r"^[A-Z]{2,5}-\d{2,3}$")


class QuestionnaireError(Exception):
    """The file cannot be loaded; `problems` lists every reason with its location."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    prompt: str
    guidance: str
    answer_type: str
    weight_capacity: int
    weight_policy: int
    weight_community: int
    critical: bool
    models: tuple[str, ...]
    recommendation: str
    source: str
    threshold_full: str | None = None
    threshold_partial: str | None = None


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    summary: str
    questions: tuple[QuestionSpec, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class QuestionnaireSpec:
    slug: str
    version: int
    title: str
    description: str
    published: bool
    sections: tuple[SectionSpec, ...]

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class LoadOutcome:
    questionnaire: QuestionnaireVersion
    action: str  # "created", "updated" or "unchanged"

    @property
    def message(self) -> str:
        q = self.questionnaire
        sections, questions = q.sections.count(), q.questions.count()
        return f"{q.slug} v{q.version} {self.action}: {sections} sections, {questions} questions."


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _text(raw: dict, key: str, where: str, problems: _Problems, *, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        problems.add(where, f"'{key}' must be text, not {type(value).__name__}.")
        return ""
    value = value.strip()
    if required and not value:
        problems.add(where, f"'{key}' is missing or empty.")
    return value


def _threshold(raw: dict, key: str, where: str, problems: _Problems) -> str | None:
    if key not in raw:
        return None
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.add(where, f"threshold '{key}' must be a number.")
        return None
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        problems.add(where, f"threshold '{key}' must be a number, not {value!r}.")
        return None


def _parse_question(raw: object, where: str, problems: _Problems) -> QuestionSpec | None:
    if not isinstance(raw, dict):
        problems.add(where, "each question must be a table ([[sections.questions]]).")
        return None
    code = raw.get("code")
    if isinstance(code, str) and code.strip():
        code = code.strip()
        where = f"question {code}"
        if not CODE_PATTERN.match(code):
            problems.add(where, "code must look like CAP-01 (letters, a hyphen, digits).")
    else:
        problems.add(where, "'code' is missing.")
        code = ""
    prompt = _text(raw, "prompt", where, problems)
    guidance = _text(raw, "guidance", where, problems)
    source = _text(raw, "source", where, problems)
    answer_type = raw.get("answer_type")
    if answer_type not in ANSWER_TYPES:
        problems.add(
            where,
            f"unknown answer type {answer_type!r}; use one of {', '.join(sorted(ANSWER_TYPES))}.",
        )
    weights = raw.get("weights")
    values = {key: 0 for key in DIMENSION_KEYS}
    if not isinstance(weights, dict):
        problems.add(where, "'weights' is missing; give capacity, policy and community (0-3).")
    else:
        for key in sorted(set(weights) - set(DIMENSION_KEYS)):
            problems.add(where, f"unknown weight '{key}'; use capacity, policy and community.")
        for key in DIMENSION_KEYS:
            weight = weights.get(key)
            if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 3:
                problems.add(where, f"weight '{key}' is {weight!r}; weights are whole numbers 0-3.")
            else:
                values[key] = weight
    critical = raw.get("critical", False)
    if not isinstance(critical, bool):
        problems.add(where, "'critical' must be true or false.")
        critical = False
    models = raw.get("models")
    if not isinstance(models, list) or not models:
        problems.add(where, "'models' must list at least one of JEM, TFM, WSO.")
        models = []
    else:
        unknown = [m for m in models if m not in MODEL_CODES]
        if unknown:
            problems.add(where, f"unknown model(s) {unknown}; use JEM, TFM or WSO.")
    thresholds = raw.get("thresholds")
    threshold_full = threshold_partial = None
    if thresholds is not None:
        if answer_type != AnswerType.NUMBER or not isinstance(thresholds, dict):
            problems.add(where, "'thresholds' (full, partial) are only for number questions.")
        else:
            threshold_full = _threshold(thresholds, "full", where, problems)
            threshold_partial = _threshold(thresholds, "partial", where, problems)
            if threshold_full is None or threshold_partial is None:
                problems.add(where, "'thresholds' needs both 'full' and 'partial'.")
            elif Decimal(threshold_partial) > Decimal(threshold_full):
                problems.add(where, "threshold 'partial' must not exceed 'full'.")
    total_weight = sum(values.values())
    scored = answer_type in SCORED_TYPES or thresholds is not None
    if scored and total_weight == 0:
        problems.add(where, "a scored question needs at least one weight above 0.")
    if answer_type in ANSWER_TYPES and not scored and total_weight > 0:
        problems.add(
            where,
            "number and text questions are informational: give them weights of 0, "
            "or thresholds (full, partial) to score them.",
        )
    if critical and total_weight == 0:
        problems.add(where, "a critical question must weigh on at least one dimension.")
    recommendation = _text(raw, "recommendation", where, problems, required=scored)
    known = {
        "code", "prompt", "guidance", "answer_type", "weights", "critical", "models",
        "recommendation", "source", "thresholds",
    }  # fmt: skip
    for key in sorted(set(raw) - known):
        problems.add(where, f"unknown field '{key}'.")
    return QuestionSpec(
        code=code,
        prompt=prompt,
        guidance=guidance,
        answer_type=str(answer_type),
        weight_capacity=values["capacity"],
        weight_policy=values["policy"],
        weight_community=values["community"],
        critical=critical,
        models=tuple(sorted(m for m in models if m in MODEL_CODES)),
        recommendation=recommendation,
        source=source,
        threshold_full=threshold_full,
        threshold_partial=threshold_partial,
    )


def parse_questionnaire(text: str) -> QuestionnaireSpec:
    """Validate the file's text; raise QuestionnaireError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise QuestionnaireError([f"not valid TOML: {error}"]) from error
    problems = _Problems()
    slug = _text(data, "slug", "file", problems)
    title = _text(data, "title", "file", problems)
    description = _text(data, "description", "file", problems, required=False)
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.add("file", f"'version' must be a whole number from 1 up, not {version!r}.")
        version = 0
    published = data.get("published", False)
    if not isinstance(published, bool):
        problems.add("file", "'published' must be true or false.")
        published = False
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.add("file", "no [[sections]] found.")
        raw_sections = []
    sections: list[SectionSpec] = []
    seen_questions: dict[str, str] = {}
    seen_sections: set[str] = set()
    for index, raw_section in enumerate(raw_sections, start=1):
        where = f"section {index}"
        if not isinstance(raw_section, dict):
            problems.add(where, "must be a table ([[sections]]).")
            continue
        code = _text(raw_section, "code", where, problems)
        if code:
            where = f"section {code}"
            if code in seen_sections:
                problems.add(where, "duplicate section code.")
            seen_sections.add(code)
        section_title = _text(raw_section, "title", where, problems)
        summary = _text(raw_section, "summary", where, problems, required=False)
        raw_questions = raw_section.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            problems.add(where, "has no questions.")
            raw_questions = []
        questions = []
        for q_index, raw_question in enumerate(raw_questions, start=1):
            question = _parse_question(raw_question, f"{where}, question {q_index}", problems)
            if question is None:
                continue
            if question.code and question.code in seen_questions:
                problems.add(
                    f"question {question.code}",
                    f"duplicate code (also in section {seen_questions[question.code]}).",
                )
            seen_questions[question.code] = code
            questions.append(question)
        sections.append(SectionSpec(code, section_title, summary, tuple(questions)))
    if problems.items:
        raise QuestionnaireError(problems.items)
    return QuestionnaireSpec(slug, version, title, description, published, tuple(sections))


@transaction.atomic
def questionnaire_load(*, path: Path | str) -> LoadOutcome:
    """Load the file at `path`. Loading the same file twice changes nothing.

    A version that assessments already use is never changed: a changed file must carry a new
    version number, which then loads beside the old one.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise QuestionnaireError([f"{path}: cannot be read ({error.strerror})."]) from error
    spec = parse_questionnaire(text)
    existing = (
        QuestionnaireVersion.objects.select_for_update()
        .filter(slug=spec.slug, version=spec.version)
        .first()
    )
    if existing is not None:
        if existing.content_hash == spec.content_hash:
            return LoadOutcome(existing, "unchanged")
        if existing.is_used:
            count = existing.assessments.count()
            raise QuestionnaireError(
                [
                    f"{spec.slug} v{spec.version} is used by {count} assessment(s) and cannot be "
                    f"changed. Give the changed file a new version number (version = "
                    f"{spec.version + 1}) to load it beside the current one."
                ]
            )
        existing.sections.all().delete()
        questionnaire = existing
        action = "updated"
    else:
        questionnaire = QuestionnaireVersion(slug=spec.slug, version=spec.version)
        action = "created"
    questionnaire.title = spec.title
    questionnaire.description = spec.description
    questionnaire.published = spec.published
    questionnaire.content_hash = spec.content_hash
    questionnaire.source_file = path.name
    questionnaire.save()
    _create_tree(questionnaire, spec)
    return LoadOutcome(questionnaire, action)


def _create_tree(questionnaire: QuestionnaireVersion, spec: QuestionnaireSpec) -> None:
    position = 0
    questions = []
    for section_position, section_spec in enumerate(spec.sections, start=1):
        section = Section.objects.create(
            questionnaire=questionnaire,
            code=section_spec.code,
            title=section_spec.title,
            summary=section_spec.summary,
            position=section_position,
        )
        for q in section_spec.questions:
            position += 1
            questions.append(
                Question(
                    questionnaire=questionnaire,
                    section=section,
                    code=q.code,
                    position=position,
                    prompt=q.prompt,
                    guidance=q.guidance,
                    answer_type=q.answer_type,
                    weight_capacity=q.weight_capacity,
                    weight_policy=q.weight_policy,
                    weight_community=q.weight_community,
                    critical=q.critical,
                    recommendation=q.recommendation,
                    applies_jem="JEM" in q.models,
                    applies_tfm="TFM" in q.models,
                    applies_wso="WSO" in q.models,
                    threshold_full=q.threshold_full,
                    threshold_partial=q.threshold_partial,
                    source=q.source,
                )
            )
    Question.objects.bulk_create(questions)
