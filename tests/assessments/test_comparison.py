"""An assessment compared with the agency's last approved one: figures hand-computed for a
small questionnaire in two versions (a question added, one removed, one renumbered)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import selectors, services
from assessments.models import Assessment
from plans.models import PlanItem
from tests.factories import AssessmentFactory, answer_questions, approve
from tests.pages import question, text_of
from tests.questionnaire_files import load_questionnaire_text, questionnaire_toml

V2_CARRY_OVER = """
[carry_over]
from_version = 1
[carry_over.codes]
"CAP-01" = "CAP-01"
"CAP-02" = "CAP-02"
"POL-02" = "POL-01"
"""


def save(assessment: Assessment, user, values: dict[str, str]) -> None:
    services.answers_save(
        assessment=assessment,
        user=user,
        data=[
            services.AnswerInput(question_id=question(assessment, code).pk, value=value)
            for code, value in values.items()
        ],
    )


@pytest.fixture
def two_years(db, tmp_path, agency, preparer, command):
    """2026 on version 1 (CAP-01 critical, answered No), approved; 2027 on version 2."""
    load_questionnaire_text(
        tmp_path,
        questionnaire_toml(
            slug="cmp", sections={"CAP": 2, "POL": 2},
            question_overrides={"CAP-01": {"critical": True}},
        ),
    )  # fmt: skip
    earlier = AssessmentFactory(agency=agency, created_by=command, title="2026 review")
    save(earlier, preparer, {"CAP-01": "no", "CAP-02": "yes", "POL-01": "yes", "POL-02": "partial"})
    approve(earlier, preparer=preparer, command=command)
    load_questionnaire_text(
        tmp_path,
        questionnaire_toml(
            slug="cmp", version=2, sections={"CAP": 3, "POL": 1},
            question_overrides={"CAP-01": {"critical": True}},
        )
        + V2_CARRY_OVER,
    )  # fmt: skip
    later = AssessmentFactory(agency=agency, created_by=command, title="2027 review")
    save(later, preparer, {"CAP-01": "yes", "CAP-02": "yes", "CAP-03": "no", "POL-01": "yes"})
    return earlier, later


def test_the_figures_are_the_hand_computed_ones(two_years, agency, command):
    earlier, later = two_years
    done = PlanItem.objects.create(
        agency=agency, title="Adopt the staffing plan", created_by=command,
        status="done", done_at=timezone.now(),
    )  # fmt: skip
    PlanItem.objects.create(agency=agency, title="Still open", created_by=command)

    view = selectors.assessment_comparison(later)

    c = view.comparison
    assert view.baseline == earlier
    # Then: credits 0, 1, 1, ½ over weights 1 each: 2.5 / 4 = 62.5 → 63, capped by CAP-01 (No).
    # Now: 1, 1, 0, 1: 3 / 4 = 75, Developing.
    assert [(d.then, d.now, d.delta, d.change_text) for d in c.dimensions] == [
        (63, 75, 12, "▲ 12")
    ] * 3
    assert [(d.level_then.label, d.level_now.label) for d in c.dimensions] == [
        ("Not ready", "Developing")
    ] * 3
    assert (c.overall.then, c.overall.now, c.overall.change_words) == (63, 75, "up 12 points")
    # Steps: CAP (0 + 1) / 2 = 50 → (1 + 1 + 0) / 3 = 66.7 → 67; POL (1 + ½) / 2 = 75 → 100.
    assert [(s.key, s.then, s.now, s.change_text) for s in c.sections] == [
        ("CAP", 50, 67, "▲ 17"), ("POL", 75, 100, "▲ 25")
    ]  # fmt: skip
    assert [(a.code, a.earlier_code, a.then, a.now, a.by) for a in c.changed_answers] == [
        ("CAP-01", "CAP-01", "No", "Yes", "Preparer Tester"),
        ("POL-01", "POL-02", "Partial / in progress", "Yes", "Preparer Tester"),
    ]
    assert (c.gaps_closed, c.gaps_opened) == (("CAP-01",), ())
    assert (c.not_comparable_new, c.not_comparable_removed) == (("CAP-03",), ("POL-01",))
    assert view.done_since == [done]


def test_the_results_and_compare_pages_show_it(two_years, command, client_for):
    _, later = two_years
    client = client_for(command)

    results = text_of(client.get(reverse("assessment_results", args=[later.pk])).content.decode())
    compare = text_of(client.get(reverse("assessment_compare", args=[later.pk])).content.decode())

    assert "Compared with 2026 review" in results
    assert "Capacity 63 75 ▲ 12 up 12 points Not ready Developing" in results
    assert "CAP-01 Is requirement CAP-01 met? No Yes Preparer Tester" in compare
    assert "POL-01 (was POL-02)" in compare
    assert "Closed since then: CAP-01. Opened since then: none." in compare
    assert "Asked now with no earlier counterpart: CAP-03." in compare
    assert "Asked then with no counterpart now: POL-01." in compare


def test_the_first_assessment_has_nothing_to_compare_with(draft, command, client_for):
    page = client_for(command).get(reverse("assessment_compare", args=[draft.pk]))

    assert "nothing to compare with yet" in text_of(page.content.decode())
    assert selectors.assessment_comparison(draft) is None


def test_an_approved_assessment_compares_with_the_one_approved_before_it(
    two_years, preparer, command
):
    earlier, later = two_years
    later = approve(later, preparer=preparer, command=command)
    earlier.refresh_from_db()

    assert selectors.comparison_baseline(later) == earlier
    assert selectors.comparison_baseline(earlier) is None


@pytest.mark.slow
@pytest.mark.parametrize("size", [5, 50])
def test_the_compare_page_queries_do_not_grow_with_questions_and_answers(
    db, tmp_path, agency, preparer, command, client_for, django_assert_max_num_queries, size
):
    load_questionnaire_text(tmp_path, questionnaire_toml(sections={"CAP": size, "POL": size}))
    earlier = AssessmentFactory(agency=agency, created_by=command, title="2026 review")
    answer_questions(earlier, preparer, values=FILLER_NO)
    approve(earlier, preparer=preparer, command=command)
    later = AssessmentFactory(agency=agency, created_by=command, title="2027 review")
    answer_questions(later, preparer)
    client = client_for(command)

    with django_assert_max_num_queries(COMPARE_PAGE_QUERIES):
        compare = client.get(reverse("assessment_compare", args=[later.pk]))
    with django_assert_max_num_queries(COMPARE_PAGE_QUERIES):
        client.get(reverse("assessment_results", args=[later.pk]))

    assert len(compare.context["compared"].comparison.changed_answers) == 2 * size


# Session, user, membership and device, the assessment and its state law, both results, both
# question lists and answer sets, the plan items done since.
COMPARE_PAGE_QUERIES = 21
FILLER_NO = {"choice": "no", "scale": "0", "number": "0", "text": "None"}


def test_the_dashboard_shows_each_level_and_score_and_the_trend(
    two_years, preparer, command, client_for
):
    _, later = two_years
    client = client_for(command)
    draft_view = text_of(client.get(reverse("dashboard")).content.decode())
    assert (
        "2027 review Jail Enforcement Model, Warrant Service Officer 1 Draft Developing 75 of 100"
        in (draft_view)
    )
    assert "Trend across approved assessments" not in draft_view  # one approved: no trend yet

    approve(later, preparer=preparer, command=command)
    response = client.get(reverse("dashboard"))

    text = text_of(response.content.decode())
    trend = response.context["trend"]
    assert [c.scores["capacity"] for c in trend.columns] == [63, 75]
    assert "Trend across approved assessments" in text
    assert "Capacity: " in trend.description and "63" in trend.description
    assert "2026 review 63 63 63" in text and "2027 review 75 75 75" in text
