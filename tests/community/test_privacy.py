"""Nothing private reaches the public summary: a distinctive string is seeded in every private
field of an approved assessment, and none appears in the page or the PDF, in either language."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from assessments import services
from community.models import SummaryPdf
from evidence import services as evidence_services
from questionnaires.models import AnswerType
from tests.community.conftest import COMMITTEE_YES_ES, PUBLISHED_NO_ES, public_url
from tests.factories import AssessmentFactory, answer_questions, approve
from tests.pages import text_of

SECRETS = {
    "note": "Zqx-note-7731",
    "na_reason": "Zqx-na-reason-7732",
    "text_answer": "Zqx-text-answer-7733",
    "number_answer": "777331",
    "comment": "Zqx-comment-7734",
    "reply": "Zqx-reply-7735",
    "return_comment": "Zqx-return-7736",
    "evidence_title": "Zqx-evidence-7737",
    "evidence_reference": "Zqx-reference-7738",
    "title": "Zqx-title-7739",
    "first_name": "Zebulon",
    "last_name": "Quillfeather",
    "command_first": "Ottoline",
    "command_last": "Brambleworth",
    "username": "zqxpreparer",
}


@pytest.fixture
def secret_laden(questionnaire_v2, state_law, agency, command, preparer):
    """An approved assessment with a distinctive string in every private field."""
    preparer.first_name, preparer.last_name = SECRETS["first_name"], SECRETS["last_name"]
    preparer.username = SECRETS["username"]
    preparer.save()
    command.first_name, command.last_name = SECRETS["command_first"], SECRETS["command_last"]
    command.save()
    assessment = AssessmentFactory(
        agency=agency, created_by=command, title=SECRETS["title"], models=["JEM", "WSO"],
        phase="operating",
    )  # fmt: skip
    questions = {q.code: q for q in assessment.applicable_questions()}
    na_code = next(
        code for code, q in questions.items() if not q.critical and code.startswith("CAP")
    )
    answer_questions(
        assessment,
        preparer,
        values={
            AnswerType.CHOICE: "yes",
            AnswerType.SCALE: "3",
            AnswerType.NUMBER: SECRETS["number_answer"],
            AnswerType.TEXT: SECRETS["text_answer"],
        },
        overrides={"COM-10": "no"},
        skip=[na_code],
        note=lambda code: f"{SECRETS['note']} {code}",
    )
    services.answers_save(
        assessment=assessment,
        user=preparer,
        data=[
            services.AnswerInput(
                question_id=questions[na_code].pk,
                not_applicable=True,
                na_reason=SECRETS["na_reason"],
                note=SECRETS["note"],
            )
        ],
    )
    question = questions["COM-01"]
    thread = services.comment_add(
        assessment=assessment, question=question, user=command, body=SECRETS["comment"]
    )
    services.comment_add(
        assessment=assessment, question=question, user=preparer, body=SECRETS["reply"],
        reply_to=thread,
    )  # fmt: skip
    for title, extra in (
        (SECRETS["evidence_title"], {"upload": SimpleUploadedFile("charter.pdf", b"%PDF-1.7 x")}),
        ("Charter reference", {"reference": SECRETS["evidence_reference"]}),
    ):
        evidence_services.evidence_attach(
            assessment=assessment, question=question, user=preparer,
            membership=preparer.membership, title=title, **extra,
        )  # fmt: skip
    services.assessment_submit(assessment=assessment, user=preparer)
    services.assessment_return(
        assessment=assessment, user=command, membership=command.membership,
        comment=SECRETS["return_comment"],
    )  # fmt: skip
    return approve(assessment, preparer=preparer, command=command)


def assert_nothing_private(text: str, where: str) -> None:
    for field, secret in SECRETS.items():
        assert secret.lower() not in text.lower(), f"{field} ({secret}) appears in {where}"


def test_the_public_page_shows_nothing_private_in_either_language(secret_laden, publish):
    version = publish(secret_laden)

    for language in ("en", "es"):
        html = Client().get(public_url(version, language)).content.decode()
        assert_nothing_private(html, f"the {language} page")
    assert_nothing_private(str(version.content), "the frozen content")


def test_the_spanish_page_reads_in_spanish(secret_laden, publish):
    version = publish(secret_laden, statement_en="Call us.", statement_es="Llámenos.")

    response = Client().get(public_url(version, "es"))

    html = response.content.decode()
    assert '<html lang="es">' in html
    text = text_of(html)
    for expected in (
        "Resumen para la comunidad",
        "Modelo de Control en la Cárcel",
        "Oficial de Servicio de Órdenes",
        "En funcionamiento bajo un acuerdo",
        COMMITTEE_YES_ES,
        PUBLISHED_NO_ES,
        "Cómo presentar una queja",
        "Nivel de preparación por área",
        "La ley estatal exige que el sheriff solicite un acuerdo 287(g).",
        "Llámenos.",
    ):
        assert expected in text, expected
    assert "Call us." not in text
    # The state-law summary exists in English only and is marked so.
    assert re.search(r'<p lang="en">Sheriffs who operate a jail must request', html)
    assert '<a href="/p/' in html and 'lang="en">English</a>' in html


def test_the_english_statement_stands_in_marked_as_english(secret_laden, publish):
    version = publish(secret_laden, statement_en="Call us at 555-0100.")

    html = Client().get(public_url(version, "es")).content.decode()

    assert '<p lang="en">Call us at 555-0100.</p>' in html
    assert "publicó esta declaración solo en inglés" in text_of(html)


def pdf_text(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


@pytest.mark.slow
def test_the_pdf_shows_nothing_private_and_reads_back_in_both_languages(secret_laden, publish):
    version = publish(secret_laden, statement_en="Call us.", statement_es="Llámenos.")
    expected = {
        "en": ("How to make a complaint", "What it does not allow", "Call us."),
        "es": ("Cómo presentar una queja", "Lo que no permite", "Llámenos."),
    }
    for language in ("en", "es"):
        response = Client().get(public_url(version, language, pdf=True))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text, reader = pdf_text(response.content)
        flat = " ".join(text.split())
        for phrase in expected[language]:
            assert phrase in flat, (language, phrase)
        assert_nothing_private(flat, f"the {language} PDF")
        assert 1 <= len(reader.pages) <= 2, (language, len(reader.pages))
        assert str(reader.trailer["/Root"]["/Lang"]) == language
    assert SummaryPdf.objects.count() == 2


@pytest.mark.slow
def test_a_pdf_is_rendered_once_and_then_kept(secret_laden, publish, monkeypatch):
    version = publish(secret_laden)
    first = Client().get(public_url(version, "es", pdf=True)).content
    from reports import pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda html: pytest.fail("rendered again"))

    assert Client().get(public_url(version, "es", pdf=True)).content == first
