"""An approved assessment of Example County on questionnaire version 2, operating a JEM and WSO
program, with the public questions answered in distinctive ways."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community import services
from questionnaires.loader import QUESTIONNAIRE_V2, questionnaire_load
from tests.factories import AssessmentFactory, answer_questions, approve

# What the answers to the public questions mean on the page (questionnaires/data/public-texts.toml).
COMMITTEE_YES = "has a written charter or membership list and a set meeting schedule"
COMMITTEE_YES_ES = "tiene un estatuto o una lista de miembros por escrito"
PROCEDURE_PARTIAL = "A written procedure for complaints about 287(g) activities is in draft"
PUBLISHED_NO = "The 287(g) complaint process is not yet published."
PUBLISHED_NO_ES = "El proceso de quejas sobre el programa 287(g) todavía no está publicado."


@pytest.fixture
def questionnaire_v2(db):
    return questionnaire_load(path=QUESTIONNAIRE_V2).questionnaire


@pytest.fixture
def approved_v2(questionnaire_v2, state_law, agency, command, preparer):
    assessment = AssessmentFactory(
        agency=agency,
        created_by=command,
        title="2026 readiness review",
        models=["JEM", "WSO"],
        phase="operating",
    )
    answer_questions(
        assessment, preparer, overrides={"COM-01": "yes", "POL-09": "partial", "COM-10": "no"}
    )
    return approve(assessment, preparer=preparer, command=command)


@pytest.fixture
def publish(command):
    """publish(assessment, statement_en="", statement_es=""): a new version, by command staff."""

    def do(assessment, **statements):
        return services.summary_publish(
            assessment=assessment, user=command, membership=command.membership, **statements
        )

    return do


def public_url(version, language: str = "en", pdf: bool = False) -> str:
    name = {
        ("en", False): "public_summary",
        ("es", False): "public_summary_es",
        ("en", True): "public_summary_pdf",
        ("es", True): "public_summary_pdf_es",
    }[(language, pdf)]
    return reverse(name, args=[version.summary.slug])
