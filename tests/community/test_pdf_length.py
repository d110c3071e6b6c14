"""The PDF stays within two pages in the longest case the data allows."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from community.models import STATEMENT_MAX_LENGTH
from tests.community.conftest import public_url
from tests.factories import AssessmentFactory, answer_questions, approve


@pytest.mark.slow
def test_every_model_full_statements_and_the_longest_state_law_fit_on_two_pages(
    questionnaire_v2, agency, command, preparer, publish
):
    call_command("load_state_law", stdout=StringIO())  # the shipped file: Texas's is the longest
    assessment = AssessmentFactory(
        agency=agency, created_by=command, models=["JEM", "TFM", "WSO"], phase="operating"
    )
    answer_questions(assessment, preparer)
    assessment = approve(assessment, preparer=preparer, command=command)
    words = "Llame a la Oficina de Información Pública del condado. "
    statement_es = (words * 20)[:STATEMENT_MAX_LENGTH]
    version = publish(
        assessment, statement_en=("Call the county office. " * 40)[:600], statement_es=statement_es
    )
    assert len(version.content["es"]["oversight"]) == 3  # COM-05 is not asked once operating
    assert len(version.content["es"]["complaints"]) == 3

    for language in ("en", "es"):
        reader = PdfReader(io.BytesIO(Client().get(public_url(version, language, True)).content))
        assert len(reader.pages) <= 2, (language, len(reader.pages))
