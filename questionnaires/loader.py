"""Validate a questionnaire data file and load it into the database.

The file is TOML (see `questionnaires/data/readiness-v2.toml`). Validation collects every
problem with its location before anything is written, so a reviewer fixes a file in one pass.

Version 2 added, per question, the phases it is asked in (with an applicant's own wording), the
"recommended practice" label and the state-law duty that adds it; and, per file, the table of
earlier codes whose answers carry over. A file without them reads as version 1 did: every
question asked in every phase, nothing carried over.
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

from .models import (
    AnswerType,
    PartnershipModel,
    Phase,
    Question,
    QuestionnaireVersion,
    Section,
    StateDuty,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
# Every shipped version, oldest first: assessments keep the version they were started on.
QUESTIONNAIRE_V1 = DATA_DIR / "readiness-v1.toml"
QUESTIONNAIRE_V2 = DATA_DIR / "readiness-v2.toml"
SHIPPED_QUESTIONNAIRES = (QUESTIONNAIRE_V1, QUESTIONNAIRE_V2)
DEFAULT_QUESTIONNAIRE = SHIPPED_QUESTIONNAIRES[-1]

DIMENSION_KEYS = ("capacity", "policy", "community")
ANSWER_TYPES = {choice.value for choice in AnswerType}
MODEL_CODES = {choice.value for choice in PartnershipModel}
PHASE_CODES = tuple(choice.value for choice in Phase)
DUTY_CODES = {choice.value for choice in StateDuty}
SOURCE_MAX_LENGTH = 500
SCORED_TYPES = {AnswerType.CHOICE.value, AnswerType.SCALE.value}
CODE_PATTERN = re.compile(r"^[A-Z]{2,5}-\d{2,3}$")


class DataFileError(Exception):
    """A reviewed data file cannot be loaded; `problems` lists every reason with its place."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class QuestionnaireError(DataFileError):
    """The questionnaire file cannot be loaded."""


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
    phases: tuple[str, ...] = PHASE_CODES
    applicant_prompt: str = ""
    applicant_guidance: str = ""
    recommended_practice: bool = False
    state_duty: str = ""


# Fields added in version 2, left out of the content hash while they hold their defaults so a
# file that does not use them keeps the hash it was loaded with.
_V2_QUESTION_DEFAULTS = {
    "phases": list(PHASE_CODES),
    "applicant_prompt": "",
    "applicant_guidance": "",
    "recommended_practice": False,
    "state_duty": "",
}


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
    # {"from_version": 1, "codes": {"old code": "new code"}}; empty when nothing carries over.
    carry_over: dict = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        data = asdict(self)
        if not data["carry_over"]:
            del data["carry_over"]
        for section in data["sections"]:
            for question in section["questions"]:
                for key, default in _V2_QUESTION_DEFAULTS.items():
                    if question[key] == default or question[key] == tuple(default or ()):
                        del question[key]
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
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
    if len(source) > SOURCE_MAX_LENGTH:
        problems.add(where, f"'source' is {len(source)} characters; keep it within 500.")
    phases = _phases(raw, where, problems)
    applicant_prompt = _text(raw, "applicant_prompt", where, problems, required=False)
    applicant_guidance = _text(raw, "applicant_guidance", where, problems, required=False)
    if (applicant_prompt or applicant_guidance) and Phase.PREPARING not in phases:
        problems.add(
            where, "'applicant_prompt' and 'applicant_guidance' need 'preparing' in 'phases'."
        )
    if applicant_guidance and not applicant_prompt:
        problems.add(where, "'applicant_guidance' needs an 'applicant_prompt'.")
    recommended_practice = raw.get("recommended_practice", False)
    if not isinstance(recommended_practice, bool):
        problems.add(where, "'recommended_practice' must be true or false.")
        recommended_practice = False
    state_duty = raw.get("state_duty", "")
    if state_duty != "" and state_duty not in DUTY_CODES:
        problems.add(
            where, f"unknown state duty {state_duty!r}; use one of {', '.join(sorted(DUTY_CODES))}."
        )
        state_duty = ""
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
        "recommendation", "source", "thresholds", "phases", "applicant_prompt",
        "applicant_guidance", "recommended_practice", "state_duty",
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
        phases=phases,
        applicant_prompt=applicant_prompt,
        applicant_guidance=applicant_guidance,
        recommended_practice=recommended_practice,
        state_duty=str(state_duty),
    )


def _phases(raw: dict, where: str, problems: _Problems) -> tuple[str, ...]:
    phases = raw.get("phases")
    if phases is None:
        return PHASE_CODES
    if not isinstance(phases, list) or not phases:
        problems.add(where, f"'phases' must list at least one of {', '.join(PHASE_CODES)}.")
        return PHASE_CODES
    unknown = [p for p in phases if p not in PHASE_CODES]
    if unknown:
        problems.add(where, f"unknown phase(s) {unknown}; use {', '.join(PHASE_CODES)}.")
    return tuple(p for p in PHASE_CODES if p in phases)


def _carry_over(raw: object, version: int, codes: set[str], problems: _Problems) -> dict:
    """The table of earlier codes whose answers stay valid: checked, then kept as plain data."""
    if raw is None:
        return {}
    where = "carry_over"
    if not isinstance(raw, dict):
        problems.add(where, "must be a table with 'from_version' and 'codes'.")
        return {}
    for key in sorted(set(raw) - {"from_version", "codes"}):
        problems.add(where, f"unknown field '{key}'.")
    from_version = raw.get("from_version")
    if isinstance(from_version, bool) or not isinstance(from_version, int) or from_version < 1:
        problems.add(
            where, f"'from_version' must be a whole number from 1 up, not {from_version!r}."
        )
    elif version and from_version >= version:
        problems.add(where, f"'from_version' ({from_version}) must be below 'version' ({version}).")
    mapping = raw.get("codes")
    if not isinstance(mapping, dict) or not mapping:
        problems.add(where, "'codes' must map earlier codes to this file's codes.")
        return {}
    seen: dict[str, str] = {}
    for old, new in mapping.items():
        if not CODE_PATTERN.match(old):
            problems.add(where, f"earlier code {old!r} must look like CAP-01.")
        if not isinstance(new, str) or new not in codes:
            problems.add(where, f"{old} maps to {new!r}, which is not a question in this file.")
            continue
        if new in seen:
            problems.add(where, f"{old} and {seen[new]} both map to {new}; map each code once.")
        seen[new] = old
    return {"from_version": from_version, "codes": dict(sorted(mapping.items()))}


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
    duties: dict[str, str] = {}
    for section in sections:
        for question in section.questions:
            if question.state_duty and question.state_duty in duties:
                problems.add(
                    f"question {question.code}",
                    f"state duty '{question.state_duty}' is already asked by "
                    f"{duties[question.state_duty]}; ask each duty once.",
                )
            duties.setdefault(question.state_duty, question.code)
    carry_over = _carry_over(data.get("carry_over"), version, set(seen_questions), problems)
    for key in sorted(set(data) - {"slug", "version", "title", "description", "published",
                                   "sections", "carry_over"}):  # fmt: skip
        problems.add("file", f"unknown field '{key}'.")
    if problems.items:
        raise QuestionnaireError(problems.items)
    return QuestionnaireSpec(
        slug, version, title, description, published, tuple(sections), carry_over
    )


def questionnaire_read(path: Path | str) -> QuestionnaireSpec:
    """Read and validate the file at `path` without touching the database."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise QuestionnaireError([f"{path}: cannot be read ({error.strerror})."]) from error
    return parse_questionnaire(text)


@transaction.atomic
def questionnaire_load(*, path: Path | str) -> LoadOutcome:
    """Load the file at `path`. Loading the same file twice changes nothing.

    A version that assessments already use is never changed: a changed file must carry a new
    version number, which then loads beside the old one.
    """
    path = Path(path)
    spec = questionnaire_read(path)
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
    questionnaire.carry_over = spec.carry_over
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
                    applies_preparing=Phase.PREPARING in q.phases,
                    applies_signed=Phase.SIGNED in q.phases,
                    applies_operating=Phase.OPERATING in q.phases,
                    applicant_prompt=q.applicant_prompt,
                    applicant_guidance=q.applicant_guidance,
                    recommended_practice=q.recommended_practice,
                    state_duty=q.state_duty,
                )
            )
    Question.objects.bulk_create(questions)
