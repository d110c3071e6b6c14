"""The dashboard each persona reaches."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, AssessmentFactory, answer_questions, approve
from tests.quick_run import quick_first

# Sessions, the user, the membership, its agency, the assessments, their questions and answers.
# The dashboard also lists the member's plan items and the plan's counts.
DASHBOARD_QUERIES = 13


def row_text(response, title: str) -> str:
    """The visible text of the dashboard table row naming `title`."""
    rows = re.findall(r"<tr>(.*?)</tr>", response.content.decode(), flags=re.S)
    matching = [row for row in rows if title in row]
    assert len(matching) == 1, f"expected one row for {title!r}, found {len(matching)}"
    return " ".join(re.sub(r"<[^>]+>", " ", matching[0]).split())


def test_the_dashboard_requires_sign_in(db):
    response = Client().get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('dashboard')}"


@pytest.mark.parametrize("persona", quick_first("preparer", "command", "agency_admin"))
def test_it_shows_the_agency_assessments_to_every_role(
    request, persona, draft, agency, preparer, command, client_for
):
    answer_questions(draft, preparer, limit=3)
    earlier = AssessmentFactory(agency=agency, created_by=command, title="2026 readiness review")
    answer_questions(earlier, preparer)
    approved = approve(earlier, preparer=preparer, command=command)
    applicable_draft = draft.applicable_questions().count()
    applicable_approved = approved.applicable_questions().count()
    client = client_for(request.getfixturevalue(persona))

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert "Draft" in row_text(response, "2027 readiness review")
    assert f"3 of {applicable_draft} answered" in row_text(response, "2027 readiness review")
    approved_row = row_text(response, "2026 readiness review")
    assert "Approved" in approved_row
    assert f"{applicable_approved} of {applicable_approved} answered (100%)" in approved_row


def test_it_shows_a_new_assessment_as_nothing_answered(client_for, draft, preparer):
    response = client_for(preparer).get(reverse("dashboard"))

    applicable = draft.applicable_questions().count()
    assert applicable > 0
    assert f"0 of {applicable} answered (0%)" in row_text(response, "2027 readiness review")


def test_the_outsider_never_sees_example_county(client_for, draft, outsider_draft, outsider):
    response = client_for(outsider).get(reverse("dashboard"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Sample review" in content
    assert "2027 readiness review" not in content
    assert "Example County" not in content


def test_a_user_without_an_agency_is_told_so(client_for, draft):
    loner = get_user_model().objects.create_user(username="loner", password=PASSWORD)

    response = client_for(loner).get(reverse("dashboard"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "You are not a member of any agency" in content
    assert "2027 readiness review" not in content


@pytest.mark.slow
@pytest.mark.parametrize("count", [2, 20])
def test_the_dashboard_query_count_does_not_grow_with_assessments(
    count, client_for, questionnaire, agency, preparer, command, django_assert_max_num_queries
):
    for number in range(count):
        assessment = AssessmentFactory(agency=agency, created_by=command, title=f"Review {number}")
        if number % 2 == 0:
            answer_questions(assessment, preparer)
            approve(assessment, preparer=preparer, command=command)
        else:
            answer_questions(assessment, preparer, limit=2)
    client = client_for(preparer)

    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert response.content.decode().count(" answered (") == count
