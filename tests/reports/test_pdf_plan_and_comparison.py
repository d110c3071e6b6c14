"""The report's readiness-plan table and its comparison page, read back with pypdf."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from assessments import selectors
from assessments import services as assessment_services
from plans import services as plan_services
from tests.assessments.test_comparison import two_years  # noqa: F401 (fixture)
from tests.factories import answer_questions
from tests.reports.test_pdf import download, pages_text

pytestmark = pytest.mark.slow


def test_a_report_without_a_plan_says_so(draft, preparer, command, client_for):
    answer_questions(
        draft, preparer, values={"choice": "no", "scale": "0", "number": "0", "text": "x"}
    )

    text = " ".join(pages_text(download(client_for(command), draft).content))

    assert "No plan yet: these actions have no owner, target date or status." in text


def test_the_plan_table_shows_owner_target_date_and_status(draft, preparer, command, client_for):
    answer_questions(
        draft, preparer, values={"choice": "no", "scale": "0", "number": "0", "text": "x"}
    )
    codes = [a.code for a in selectors.assessment_result(draft).actions]
    assessment_services.plan_from_actions(
        assessment=draft, user=command, membership=command.membership, codes=codes
    )
    first = draft.plan_items.order_by("priority").first()
    target = timezone.localdate() + datetime.timedelta(days=45)
    plan_services.item_update(
        item=first, user=command, membership=command.membership,
        changes={"owner": preparer, "target_date": target, "status": "in_progress"},
    )  # fmt: skip

    text = " ".join(pages_text(download(client_for(command), draft).content))

    assert "Readiness plan: owner, target date and status of each item" in text
    assert f"{first.question_code}: {first.title[:40]}" in text
    assert f"Preparer Tester {target:%Y-%m-%d} In progress" in text
    assert "No plan yet" not in text


def test_the_report_compares_with_the_last_approved_assessment(two_years, command, client_for):  # noqa: F811
    _, later = two_years

    pages = pages_text(download(client_for(command), later).content)

    page = next(p for p in pages if "Compared with 2026 review" in p)
    assert "Capacity 63 75 up 12 points Not ready → Developing" in page
    assert "Critical gaps closed: CAP-01. Opened: none." in page
    assert "CAP-01 No → Yes; POL-01 Partial / in progress → Yes" in page
    assert "asked now with no earlier counterpart CAP-03" in page
