"""The public wording of the community summary: what each 287(g) model allows and does not allow,
and what the answer to each public question means, in English and Spanish.

Kept in its own reviewed data file (`data/public-texts.toml`), keyed by questionnaire slug,
version and question code, because a loaded questionnaire version never changes: adding fields
to readiness-v1.toml or readiness-v2.toml would change their content hash and the loader would
refuse them wherever assessments use them. Validation collects every problem with its place, as
the questionnaire loader does, and checks each question against the shipped questionnaire file
of its version.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .loader import SHIPPED_QUESTIONNAIRES, DataFileError, QuestionnaireError, questionnaire_read
from .models import AnswerType, PartnershipModel

PUBLIC_TEXTS = Path(__file__).resolve().parent / "data" / "public-texts.toml"
LANGUAGES = ("en", "es")
TOPICS = ("oversight", "complaints")
TEXT_MAX_LENGTH = 500
# The answers a public text may describe, by answer type: a text or number answer is never public.
PUBLIC_VALUES = {
    AnswerType.CHOICE.value: ("yes", "partial", "no"),
    AnswerType.SCALE.value: ("0", "1", "2", "3", "4"),
}
MODEL_FIELDS = ("name", "allows", "not_allowed")


class PublicTextsError(DataFileError):
    """The public texts file cannot be used."""


@dataclass(frozen=True)
class ModelText:
    code: str
    name: dict[str, str]
    allows: dict[str, str]
    not_allowed: dict[str, str]


@dataclass(frozen=True)
class PublicQuestion:
    slug: str
    version: int
    code: str
    topic: str
    # answer value -> {"en": ..., "es": ...}
    answers: dict[str, dict[str, str]]


@dataclass(frozen=True)
class PublicTexts:
    models: dict[str, ModelText]
    questions: tuple[PublicQuestion, ...]

    def for_version(self, slug: str, version: int) -> dict[str, PublicQuestion]:
        """The public questions of one questionnaire version, by code (none for an unknown one)."""
        return {q.code: q for q in self.questions if q.slug == slug and q.version == version}


def _both_languages(raw: object, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: give the text in English and Spanish: {{ en = …, es = … }}.")
        return {}
    texts = {}
    for key in sorted(set(raw) - set(LANGUAGES)):
        problems.append(f"{where}: unknown language '{key}'; use en and es.")
    for language in LANGUAGES:
        value = raw.get(language)
        if not isinstance(value, str) or not value.strip():
            name = "English" if language == "en" else "Spanish"
            problems.append(f"{where}: the {name} text ('{language}') is missing or empty.")
            continue
        if len(value.strip()) > TEXT_MAX_LENGTH:
            problems.append(
                f"{where}: '{language}' is {len(value)} characters; keep it within 500."
            )
        texts[language] = value.strip()
    return texts


def _models(raw: object, problems: list[str]) -> dict[str, ModelText]:
    if not isinstance(raw, dict):
        problems.append("models: give [models.JEM], [models.TFM] and [models.WSO].")
        return {}
    models = {}
    for code in sorted(set(raw) - set(PartnershipModel.values)):
        problems.append(f"models: unknown model '{code}'; use JEM, TFM or WSO.")
    for code in PartnershipModel.values:
        table = raw.get(code)
        where = f"model {code}"
        if not isinstance(table, dict):
            problems.append(f"{where}: missing.")
            continue
        known = {f"{name}_{language}" for name in MODEL_FIELDS for language in LANGUAGES}
        for key in sorted(set(table) - known):
            problems.append(f"{where}: unknown field '{key}'.")
        fields = {
            name: _both_languages(
                {language: table.get(f"{name}_{language}") for language in LANGUAGES},
                f"{where} {name}",
                problems,
            )
            for name in MODEL_FIELDS
        }
        models[code] = ModelText(code=code, **fields)
    return models


@functools.cache
def _shipped_questions() -> dict[tuple[str, int], dict[str, str]]:
    """(slug, version) -> {code: answer type} of every shipped questionnaire file."""
    shipped = {}
    for path in SHIPPED_QUESTIONNAIRES:
        spec = questionnaire_read(path)
        shipped[(spec.slug, spec.version)] = {
            q.code: q.answer_type for section in spec.sections for q in section.questions
        }
    return shipped


def _question(raw: object, index: int, problems: list[str]) -> PublicQuestion | None:
    where = f"question {index}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: each question must be a table ([[questions]]).")
        return None
    slug, version, code = raw.get("slug"), raw.get("version"), raw.get("code")
    if not isinstance(slug, str) or not isinstance(code, str) or type(version) is not int:
        problems.append(f"{where}: give its questionnaire 'slug', 'version' and question 'code'.")
        return None
    where = f"question {code} ({slug} v{version})"
    questions = _shipped_questions().get((slug, version))
    if questions is None:
        problems.append(f"{where}: no shipped questionnaire has this slug and version.")
        return None
    answer_type = questions.get(code)
    if answer_type is None:
        problems.append(f"{where}: no such question in that version.")
        return None
    values = PUBLIC_VALUES.get(answer_type)
    if values is None:
        problems.append(
            f"{where}: a {answer_type} answer is typed by staff and is never public; "
            "only choice and scale questions may be."
        )
        return None
    topic = raw.get("topic")
    if topic not in TOPICS:
        problems.append(f"{where}: topic {topic!r}; use one of {', '.join(TOPICS)}.")
    known = {"slug", "version", "code", "topic", *values}
    for key in sorted(set(raw) - known):
        problems.append(f"{where}: unknown field '{key}'.")
    answers = {
        value: _both_languages(raw[value], f"{where}, answer {value}", problems)
        for value in values
        if value in raw
    }
    if not answers:
        problems.append(f"{where}: give the public text of at least one answer.")
    return PublicQuestion(slug, version, code, str(topic), answers)


def parse_public_texts(text: str) -> PublicTexts:
    """Validate the file's text; raise PublicTextsError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PublicTextsError([f"not valid TOML: {error}"]) from error
    problems: list[str] = []
    if data.get("format") != 1:
        problems.append("file: 'format' must be 1.")
    for key in sorted(set(data) - {"format", "models", "questions"}):
        problems.append(f"file: unknown field '{key}'.")
    try:
        models = _models(data.get("models"), problems)
        raw_questions = data.get("questions", [])
        if not isinstance(raw_questions, list):
            problems.append("file: 'questions' must be a list of tables ([[questions]]).")
            raw_questions = []
        questions, seen = [], set()
        for index, raw in enumerate(raw_questions, start=1):
            question = _question(raw, index, problems)
            if question is None:
                continue
            key = (question.slug, question.version, question.code)
            if key in seen:
                problems.append(
                    f"question {question.code} ({question.slug} v{question.version}): listed twice."
                )
            seen.add(key)
            questions.append(question)
    except QuestionnaireError as error:
        problems.extend(f"shipped questionnaire: {problem}" for problem in error.problems)
    if problems:
        raise PublicTextsError(problems)
    return PublicTexts(models=models, questions=tuple(questions))


@functools.cache
def public_texts() -> PublicTexts:
    """The shipped public texts, read and validated once per process."""
    return parse_public_texts(PUBLIC_TEXTS.read_text(encoding="utf-8"))
