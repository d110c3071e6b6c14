"""The state view: a state reviewer sees the approved results of the agencies of their state
that share with them, and nothing else; every view is recorded in the agency's trail."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Agency, Role, StateReviewer
from agencies.services import agency_sharing_set
from audit.models import Event
from oversight.selectors import state_table
from plans.models import PlanItem
from reports import pdf
from tests.factories import (
    AgencyFactory,
    AssessmentFactory,
    MemberFactory,
    answer_questions,
    approve,
)
from tests.pages import text_of
from tests.questionnaire_files import load_questionnaire_text, questionnaire_toml
from tests.reports import renderers

LAKEVIEW = "Lakeview County Sheriff's Office"


@pytest.fixture
def small_questionnaire(db, tmp_path):
    """Four questions (two capacity, two policy): quick to answer and approve."""
    return load_questionnaire_text(
        tmp_path, questionnaire_toml(slug="state", sections={"CAP": 2, "POL": 2})
    )


def approved_review(agency, *, title="2026 readiness review", models=("JEM",), **answers):
    """An approved review of `agency`, answered "yes" unless `answers` (code: value) say."""
    command = MemberFactory(agency=agency, role=Role.AGENCY_ADMIN)
    assessment = AssessmentFactory(agency=agency, created_by=command, title=title, models=models)
    answer_questions(assessment, command, overrides=answers)
    return approve(assessment, preparer=command, command=command)


def share(agency: Agency) -> Agency:
    Agency.objects.filter(pk=agency.pk).update(shares_with_state=True)
    agency.shares_with_state = True
    return agency


@pytest.fixture
def texas(small_questionnaire, agency, other_agency):
    """Example County (TX) shares, with an approved review; Lakeview County (TX) does not share;
    Sample County (NC) shares. Each has an approved review."""
    lakeview = AgencyFactory(name=LAKEVIEW, county="Lakeview County")
    example = share(agency)
    approved_review(example)
    approved_review(lakeview)
    approved_review(share(other_agency))
    return {"example": example, "lakeview": lakeview, "sample": other_agency}


def test_a_reviewer_sees_only_the_sharing_agencies_of_their_state(
    texas, state_reviewer, client_for
):
    page = text_of(client_for(state_reviewer).get(reverse("state_overview")).content.decode())

    assert "Example County Sheriff's Office" in page
    assert "Lakeview" not in page
    assert "Sample County" not in page
    assert "Agencies (1)" in page


def test_a_reviewer_of_another_state_sees_none_of_texas(texas, other_state_reviewer, client_for):
    page = text_of(client_for(other_state_reviewer).get(reverse("state_overview")).content.decode())

    assert "Sample County Sheriff's Office" in page
    assert "Example County" not in page and "Lakeview" not in page


def test_only_the_latest_approved_assessment_is_shown_never_a_draft(
    small_questionnaire, agency, state_reviewer, client_for
):
    share(agency)
    approved_review(agency, title="2025 readiness review", **{"CAP-01": "no"})
    approved_review(agency, title="2026 readiness review")
    AssessmentFactory(agency=agency, title="2027 draft under way")

    page = text_of(client_for(state_reviewer).get(reverse("state_overview")).content.decode())

    assert "2027 draft" not in page
    body = client_for(state_reviewer).get(reverse("state_csv")).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["Agency"], r["Assessment"], r["Overall level"]) for r in rows] == [
        ("Example County Sheriff's Office", "2026 readiness review", "Ready")
    ]


def test_a_sharing_agency_without_an_approved_assessment_is_listed_without_results(
    small_questionnaire, agency, state_reviewer, client_for
):
    share(agency)
    AssessmentFactory(agency=agency, title="First draft")

    page = text_of(client_for(state_reviewer).get(reverse("state_overview")).content.decode())

    assert "Example County Sheriff's Office No approved assessment yet" in page
    assert "First draft" not in page
    response = client_for(state_reviewer).get(reverse("state_report_pdf", args=[agency.pk]))
    assert response.status_code == 404


def test_the_report_is_the_latest_approved_one(texas, state_reviewer, client_for, monkeypatch):
    monkeypatch.setattr(pdf, "render_pdf", lambda html: b"%PDF-1.7 stand-in")
    AssessmentFactory(agency=texas["example"], title="2027 draft")

    response = client_for(state_reviewer).get(
        reverse("state_report_pdf", args=[texas["example"].pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "2026-readiness-review-rev1-approved" in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["state_report_pdf", "state_compare"])
def test_another_agency_is_404_whether_it_does_not_share_is_elsewhere_or_does_not_exist(
    texas, state_reviewer, client_for, name
):
    client = client_for(state_reviewer)
    for pk in (texas["lakeview"].pk, texas["sample"].pk, 999_999):
        assert client.get(reverse(name, args=[pk])).status_code == 404, pk


def test_stopping_sharing_hides_the_agency_at_once(texas, state_reviewer, client_for):
    client = client_for(state_reviewer)
    example = texas["example"]
    admin = MemberFactory(username="exampleadmin", agency=example, role=Role.AGENCY_ADMIN)

    agency_sharing_set(
        agency=example, actor_membership=admin.membership, shares=False, ip_address=None
    )

    assert "Example County" not in text_of(client.get(reverse("state_overview")).content.decode())
    assert client.get(reverse("state_compare", args=[example.pk])).status_code == 404


def test_the_comparison_shows_scores_then_and_now_without_people(
    small_questionnaire, agency, state_reviewer, client_for
):
    share(agency)
    earlier = approved_review(agency, title="2025 readiness review", **{"CAP-01": "no"})
    later = approved_review(agency, title="2026 readiness review")

    response = client_for(state_reviewer).get(reverse("state_compare", args=[agency.pk]))

    page = text_of(response.content.decode())
    assert response.status_code == 200
    assert "against “2025 readiness review”" in page
    assert "CAP-01" in page
    for member in (earlier.approved_by, later.approved_by):  # who answered stays with the agency
        assert member.get_full_name() not in page


def test_each_view_is_recorded_in_the_trail_of_each_agency_seen(
    texas, state_reviewer, client_for, monkeypatch
):
    monkeypatch.setattr(pdf, "render_pdf", lambda html: b"%PDF-1.7 stand-in")
    client = client_for(state_reviewer)
    example = texas["example"]

    client.get(reverse("state_overview"))
    client.get(reverse("state_csv"))
    client.get(reverse("state_report_pdf", args=[example.pk]))
    client.get(reverse("state_compare", args=[example.pk]))

    events = Event.objects.filter(kind=Event.Kind.STATE_REVIEW_VIEWED).order_by("pk")
    assert [(e.agency_id, e.actor_id, e.new["view"]) for e in events] == [
        (example.pk, state_reviewer.pk, view) for view in ("table", "csv", "report", "comparison")
    ]
    assert {e.assessment.status for e in events} == {"approved"}


def test_the_agency_administrators_read_the_views_in_their_audit_log(
    texas, state_reviewer, agency_admin, client_for
):
    client_for(state_reviewer).get(reverse("state_compare", args=[texas["example"].pk]))

    log = text_of(client_for(agency_admin).get(reverse("agency_audit")).content.decode())
    members = text_of(client_for(agency_admin).get(reverse("members")).content.decode())

    assert "Txreviewer Tester Viewed by the state reviewer" in log
    assert (
        "Opened the comparison with the previous approved assessment (state reviewer for TX)" in log
    )
    assert "Viewed by the state reviewer 1 time, last on" in members


def test_filters_by_level_model_and_phase(small_questionnaire, state_reviewer, client_for):
    ready = share(AgencyFactory(name="Alpha County Sheriff's Office"))
    approved_review(ready, models=("JEM",))
    weak = share(AgencyFactory(name="Bravo County Sheriff's Office"))
    approved_review(weak, models=("TFM",), **{"CAP-01": "no", "CAP-02": "no", "POL-01": "no"})
    client = client_for(state_reviewer)

    def names(**query) -> list[str]:
        body = client.get(reverse("state_csv"), query).content.decode("utf-8-sig")
        return [row["Agency"] for row in csv.DictReader(io.StringIO(body))]

    assert names(level="ready") == ["Alpha County Sheriff's Office"]
    assert names(level="not_ready") == ["Bravo County Sheriff's Office"]
    assert names(model="TFM") == ["Bravo County Sheriff's Office"]
    assert names(phase="operating") == []
    assert names(level="nonsense") == [
        "Alpha County Sheriff's Office",
        "Bravo County Sheriff's Office",
    ]


def test_sorts_by_a_column_either_way_without_script(
    small_questionnaire, state_reviewer, client_for
):
    for name, capacity in (("Alpha", "no"), ("Bravo", "yes"), ("Charlie", "partial")):
        agency = share(AgencyFactory(name=f"{name} County Sheriff's Office"))
        approved_review(agency, **{"CAP-01": capacity})
    client = client_for(state_reviewer)

    def order(sort: str) -> list[str]:
        body = client.get(reverse("state_csv"), {"sort": sort}).content.decode("utf-8-sig")
        return [row["Agency"].split()[0] for row in csv.DictReader(io.StringIO(body))]

    assert order("capacity") == ["Alpha", "Charlie", "Bravo"]
    assert order("-capacity") == ["Bravo", "Charlie", "Alpha"]
    page = client.get(reverse("state_overview"), {"sort": "capacity"}).content.decode()
    assert 'aria-sort="ascending"><a href="?sort=-capacity">Capacity' in page


def test_the_summary_chart_counts_agencies_at_each_level_per_dimension(
    small_questionnaire, state_reviewer, client_for
):
    approved_review(share(AgencyFactory(name="Alpha County Sheriff's Office")))
    approved_review(
        share(AgencyFactory(name="Bravo County Sheriff's Office")),
        **{"CAP-01": "no", "CAP-02": "no", "POL-01": "no"},  # 25 in every dimension
    )

    page = text_of(client_for(state_reviewer).get(reverse("state_overview")).content.decode())

    assert "Capacity 1 0 1" in page  # the table of the chart: Ready, Developing, Not ready
    assert "Capacity Ready 1 · Developing 0 · Not ready 1" in page


def test_the_table_shows_plan_counts_and_days_to_the_state_deadline(
    texas, state_law, state_reviewer, client_for
):
    example = texas["example"]
    creator = example.memberships.first().user
    PlanItem.objects.create(agency=example, title="Staffing", created_by=creator)
    PlanItem.objects.create(
        agency=example, title="Policy", created_by=creator, status=PlanItem.Status.DONE
    )

    body = client_for(state_reviewer).get(reverse("state_csv")).content.decode("utf-8-sig")

    row = next(csv.DictReader(io.StringIO(body)))
    assert (row["Plan items open"], row["Plan items done"]) == ("1", "1")
    assert row["Days to state deadline"] == "30"  # the Texas mandate of `state_law`


def test_the_csv_neutralises_formulas(small_questionnaire, state_reviewer, client_for):
    approved_review(share(AgencyFactory(name="=HYPERLINK(1) County", county="+1")))

    body = client_for(state_reviewer).get(reverse("state_csv")).content.decode("utf-8-sig")

    row = next(csv.DictReader(io.StringIO(body)))
    assert (row["Agency"], row["County"]) == ("'=HYPERLINK(1) County", "'+1")


def sharing_agencies(count: int) -> None:
    for number in range(count):
        agency = share(AgencyFactory(name=f"County {number} Sheriff's Office"))
        approved_review(agency)
        PlanItem.objects.create(
            agency=agency, title="Staffing", created_by=agency.memberships.first().user
        )


@pytest.mark.parametrize("agencies", [1, 6])
def test_the_state_table_is_read_in_four_queries_whatever_the_number_of_agencies(
    small_questionnaire, state_reviewer, django_assert_num_queries, agencies
):
    sharing_agencies(agencies)
    reviewer = StateReviewer.objects.select_related("user").get(user=state_reviewer)

    # The agencies, their latest approved assessments, the plan counts, the state-law profile.
    with django_assert_num_queries(4):
        table = state_table(reviewer=reviewer)
        [row.result.overall_level for row in table.rows]

    assert len(table.rows) == agencies


@pytest.mark.slow
@pytest.mark.parametrize("agencies", [1, 6])
def test_the_state_page_makes_the_same_queries_whatever_the_number_of_agencies(
    small_questionnaire, state_reviewer, client_for, django_assert_num_queries, agencies
):
    sharing_agencies(agencies)
    client = client_for(state_reviewer)
    client.get(reverse("state_overview"))  # the session's first request checks two-step

    # The session, the user (with the reviewer row), the four of `state_table`, and the audit
    # rows written in one insert (in its savepoint: three statements).
    with django_assert_num_queries(9):
        response = client.get(reverse("state_overview"))

    assert response.status_code == 200
    assert f"Agencies ({agencies})" in text_of(response.content.decode())


@pytest.fixture
def database_queue(settings):
    """The production queue: approval only queues the report; a worker makes it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# The worker commits and closes its connections, as in production.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_reviewer_waits_for_the_background_render_and_the_view_is_recorded_when_served(
    database_queue, texas, state_reviewer, client_for, monkeypatch
):
    monkeypatch.setattr(pdf, "write_pdf", renderers.quick)
    client = client_for(state_reviewer)
    url = reverse("state_report_pdf", args=[texas["example"].pk])

    waiting = client.get(url)
    assert "Preparing the report" in text_of(waiting.content.decode())
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in (
        waiting.content.decode()
    )
    assert client.get(url, HTTP_ACCEPT="application/json").json() == {"shown": "queued"}
    assert not Event.objects.filter(kind=Event.Kind.STATE_REVIEW_VIEWED).exists()

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)

    assert client.get(url, HTTP_ACCEPT="application/json").json() == {"shown": "done"}
    served = client.get(url)
    assert served.content.startswith(b"%PDF")
    assert Event.objects.filter(kind=Event.Kind.STATE_REVIEW_VIEWED).count() == 1
