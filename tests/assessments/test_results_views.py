"""The results page, through the Django test client."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from questionnaires.models import Question
from tests.factories import FULL_MARKS, AnswerFactory, answer_questions, approve
from tests.quick_run import quick_first


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize("persona", quick_first("preparer", "command", "agency_admin"))
def test_it_shows_results_to_every_role_of_the_agency(persona, draft, request, client_for):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("assessment_results", args=[draft.pk]))
    assert response.status_code == 200
    text = page_text(response)
    for label in ("Capacity", "Policy", "Community communication"):
        assert label in text
    assert "Provisional" in text
    assert '<div class="dimension-chart">' in response.content.decode()


def test_it_requires_sign_in(draft, client):
    response = client.get(reverse("assessment_results", args=[draft.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_shows_ready_everywhere_when_all_yes(draft, preparer, client_for):
    answer_questions(draft, preparer, values=FULL_MARKS)
    text = page_text(client_for(preparer).get(reverse("assessment_results", args=[draft.pk])))
    assert "Provisional" not in text
    assert "Overall: Ready" in text
    assert text.count("100") >= 3


def test_it_names_the_critical_gap_that_caps_a_dimension(draft, preparer, client_for):
    # POL-01 (critical, policy 3, community 1) answered No caps policy and community at Not
    # ready although every other answer is Yes.
    answer_questions(draft, preparer, values=FULL_MARKS, overrides={"POL-01": "no"})
    response = client_for(preparer).get(reverse("assessment_results", args=[draft.pk]))
    text = page_text(response)
    assert "Overall: Not ready" in text
    assert "POL-01" in text
    assert (
        f'href="{reverse("section", args=[draft.pk, "POL"])}#POL-01"' in response.content.decode()
    )


def test_it_counts_unanswered_questions_while_provisional(draft, preparer, client_for):
    first = draft.applicable_questions().order_by("position").first()
    AnswerFactory(assessment=draft, question=first, user=preparer, value="yes")
    applicable = draft.applicable_questions().count()
    text = page_text(client_for(preparer).get(reverse("assessment_results", args=[draft.pk])))
    assert f"{applicable - 1} applicable questions are unanswered" in text


def test_an_approved_assessment_keeps_its_snapshot_after_weights_change(
    draft, preparer, command, client_for
):
    answer_questions(draft, preparer, values=FULL_MARKS, overrides={"CAP-04": "no"})
    approve(draft, preparer=preparer, command=command)
    url = reverse("assessment_results", args=[draft.pk])
    before = page_text(client_for(command).get(url))
    # Someone edits the weights behind the app's back: the approved scores must not move.
    Question.objects.filter(questionnaire=draft.questionnaire).update(
        weight_capacity=0, weight_policy=3, weight_community=0, critical=False
    )
    after = page_text(client_for(command).get(url))
    assert "frozen when the assessment was approved" in after
    assert before == after
    assert "CAP-04" in after


@pytest.mark.slow
def test_results_page_queries_do_not_grow_with_answers(
    draft, preparer, client_for, django_assert_max_num_queries
):
    client = client_for(preparer)
    url = reverse("assessment_results", args=[draft.pk])
    # 7 for the session, user, membership, second factor and session save; 3 for the result.
    with django_assert_max_num_queries(13):  # 11, the state-law profile, a baseline to compare
        unanswered = client.get(url)
    answer_questions(draft, preparer, values=FULL_MARKS)
    with django_assert_max_num_queries(13):  # 11, the state-law profile, a baseline to compare
        answered = client.get(url)

    # A redirect to sign-in or an error page would also stay within the budget.
    assert unanswered.status_code == answered.status_code == 200
    assert "Provisional" in page_text(unanswered)
    assert "Overall: Ready" in page_text(answered)
