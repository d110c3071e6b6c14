"""Starting a new assessment from an earlier one, on the next questionnaire version, through
the start page: what carries over, and the overview's list of what changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Assessment
from questionnaires.loader import QUESTIONNAIRE_V2, questionnaire_load
from tests.factories import AssessmentFactory, answer_questions, approve
from tests.pages import text_of


@pytest.fixture
def earlier(questionnaire, agency, preparer, command):
    """The 2026 review, approved on version 1, before version 2 was loaded."""
    assessment = AssessmentFactory(agency=agency, created_by=command, title="2026 review")
    answer_questions(assessment, preparer)
    approve(assessment, preparer=preparer, command=command)
    questionnaire_load(path=QUESTIONNAIRE_V2)
    return assessment


def test_the_start_page_offers_earlier_assessments_and_carries_answers_over(
    earlier, command, client_for
):
    client = client_for(command)
    page = text_of(client.get(reverse("assessment_start")).content.decode())
    assert "2026 review (rev. 1, approved, questionnaire v1)" in page

    response = client.post(
        reverse("assessment_start"),
        {"title": "2027 review", "models": ["JEM", "WSO"], "phase": "preparing",
         "carry_from": earlier.pk},
    )  # fmt: skip

    new = Assessment.objects.get(title="2027 review")
    assert response.status_code == 302
    assert (new.questionnaire.version, new.carried_from) == (2, earlier)
    assert new.answers.filter(question__code="CAP-12").exists()  # CAP-09 in version 1
    overview = text_of(client.get(reverse("assessment", args=[new.pk])).content.decode())
    carried = new.answers.count()
    assert f"Started from “2026 review” (questionnaire version 1) {carried} answers carried" in (
        overview
    )
    assert "New or changed questions, with no earlier answer carried to them" in overview
    assert "Earlier answers not carried over" in overview and "CAP-01" in overview


def test_another_agencys_assessment_cannot_be_the_start(
    earlier, outsider_draft, command, client_for
):
    response = client_for(command).post(
        reverse("assessment_start"),
        {"title": "2027 review", "models": ["JEM"], "carry_from": outsider_draft.pk},
    )

    assert response.status_code == 200
    assert "Choose one of this agency" in text_of(response.content.decode())
    assert "2027 review" in response.content.decode()  # what was typed is kept
    assert not Assessment.objects.filter(title="2027 review").exists()
