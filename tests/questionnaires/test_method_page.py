"""The method page: how scores are calculated, with every question's weights."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from questionnaires.models import Question
from tests.pages import text_of
from tests.quick_run import quick_first


def test_method_page_lists_every_question_with_its_weights(questionnaire, preparer, client_for):
    response = client_for(preparer).get(reverse("method"))
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    assert "How scores are calculated" in text
    assert "rounded half up" in text
    for question in Question.objects.filter(questionnaire=questionnaire):
        row = re.search(
            rf'<th scope="row">{question.code}</th>.*?</tr>', html, flags=re.DOTALL
        ).group(0)
        cells = re.findall(r"<td>(.*?)</td>", row, flags=re.DOTALL)
        assert cells[2:5] == [
            str(question.weight_capacity),
            str(question.weight_policy),
            str(question.weight_community),
        ]


@pytest.mark.parametrize("wanted", quick_first("²", "9" * 5000, "12abc"))
def test_the_method_page_ignores_a_questionnaire_that_is_not_an_id(
    client_for, answered_draft, preparer, wanted
):
    response = client_for(preparer).get(reverse("method"), {"questionnaire": wanted})

    assert response.status_code == 200
