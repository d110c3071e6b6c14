"""The public texts of the community summary: the shipped file is valid, and the validator
refuses a public text without its Spanish, a private answer type, or an unknown question."""

from __future__ import annotations

import pytest

from questionnaires.apps import public_texts_check
from questionnaires.public_texts import (
    PUBLIC_TEXTS,
    PublicTextsError,
    parse_public_texts,
    public_texts,
)

SHIPPED = PUBLIC_TEXTS.read_text(encoding="utf-8")
MODELS = SHIPPED.split("# ----")[0]  # the format line and the three models


def question(code: str = "COM-01", version: int = 2, **answers: str) -> str:
    lines = [
        "[[questions]]",
        'slug = "287g-readiness"',
        f"version = {version}",
        f'code = "{code}"',
        'topic = "oversight"',
    ]
    lines += [f"{value} = {text}" for value, text in answers.items()]
    return "\n".join(lines) + "\n"


def problems(text: str) -> list[str]:
    with pytest.raises(PublicTextsError) as error:
        parse_public_texts(text)
    return error.value.problems


def test_the_shipped_file_is_valid_and_covers_both_questionnaire_versions():
    texts = public_texts()
    for version in (1, 2):
        public = texts.for_version("287g-readiness", version)
        assert {q.topic for q in public.values()} == {"oversight", "complaints"}
        for q in public.values():
            assert set(q.answers) == {"yes", "partial", "no"}
            assert all(text["en"] and text["es"] for text in q.answers.values())
    assert set(texts.models) == {"JEM", "TFM", "WSO"}
    assert public_texts_check() == []


def test_a_public_text_without_spanish_is_refused():
    found = problems(MODELS + question(yes='{ en = "A committee meets." }'))
    assert found == [
        "question COM-01 (287g-readiness v2), answer yes: the Spanish text ('es') is missing "
        "or empty."
    ]


def test_an_empty_english_text_is_refused():
    found = problems(MODELS + question(no='{ en = " ", es = "No hay comité." }'))
    assert "the English text ('en') is missing or empty" in found[0]


def test_a_model_without_spanish_is_refused():
    found = problems(MODELS.replace('name_es = "Modelo de Grupo de Trabajo', 'xname_es = "M'))
    assert "model TFM: unknown field 'xname_es'." in found
    assert "model TFM name: the Spanish text ('es') is missing or empty." in found


def test_a_text_answer_is_never_public():
    found = problems(MODELS + question("COM-03", yes='{ en = "x", es = "x" }'))
    assert "a text answer is typed by staff and is never public" in found[0]


def test_an_unknown_question_or_version_is_refused():
    found = problems(
        MODELS
        + question("COM-99", yes='{ en = "x", es = "y" }')
        + question("COM-01", version=9, yes='{ en = "x", es = "y" }')
    )
    assert found == [
        "question COM-99 (287g-readiness v2): no such question in that version.",
        "question COM-01 (287g-readiness v9): no shipped questionnaire has this slug and version.",
    ]


def test_an_answer_the_question_cannot_have_is_refused():
    found = problems(MODELS + question(maybe='{ en = "x", es = "y" }'))
    assert "unknown field 'maybe'" in found[0]
