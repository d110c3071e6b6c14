"""A database made by the code before the apps were split migrates forward with every row.

The schema is built at the migrations of that code (assessments 0003, reports 0001), filled
through the historical models as that code would have filled it, then migrated to the current
head; the rows are then read through today's models.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from agencies.models import Agency, Membership
from assessments.models import Answer, Assessment, ScoreSnapshot
from audit.models import Event
from questionnaires.models import Question, QuestionnaireVersion, Section
from reports.models import CachedReport

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE_THE_SPLIT = [
    ("assessments", "0003_audit_rows_outlive_people"),
    ("reports", "0001_initial"),
    # Its tables (state only, above) without the columns questionnaire version 2 added.
    ("questionnaires", "0001_initial"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def head():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_database():
    """The schema of the code before the split; the current head again afterwards."""
    old = migrate(BEFORE_THE_SPLIT)
    yield old
    migrate(head())


def fill(old) -> dict:
    """Rows of every kind that code wrote, through its own (historical) models."""
    User = old.get_model("auth", "User")
    OldAgency = old.get_model("assessments", "Agency")
    OldMembership = old.get_model("assessments", "Membership")
    OldVersion = old.get_model("assessments", "QuestionnaireVersion")
    OldSection = old.get_model("assessments", "Section")
    OldQuestion = old.get_model("assessments", "Question")
    OldAssessment = old.get_model("assessments", "Assessment")
    OldAnswer = old.get_model("assessments", "Answer")
    OldEvent = old.get_model("assessments", "Event")
    OldSnapshot = old.get_model("assessments", "ScoreSnapshot")
    OldReport = old.get_model("reports", "CachedReport")
    ContentType = old.get_model("contenttypes", "ContentType")

    chief = User.objects.create(username="chief", is_staff=True)
    clerk = User.objects.create(username="clerk")
    agency = OldAgency.objects.create(
        name="Example County Sheriff's Office", slug="example", state="TX", operates_jail=True
    )
    OldMembership.objects.create(user=chief, agency=agency, role="command")
    OldMembership.objects.create(user=clerk, agency=agency, role="preparer", title="Records")
    version = OldVersion.objects.create(
        slug="287g-readiness", version=1, title="Readiness", published=True, content_hash="0" * 64
    )
    section = OldSection.objects.create(
        questionnaire=version, code="CAP", title="Capacity", position=1
    )
    question = OldQuestion.objects.create(
        questionnaire=version,
        section=section,
        code="CAP-01",
        position=1,
        prompt="Is there a jail?",
        answer_type="choice",
        weight_capacity=2,
        source="Test",
    )
    assessment = OldAssessment.objects.create(
        agency=agency,
        questionnaire=version,
        title="2026 readiness review",
        considers_jem=True,
        status="approved",
        created_by=chief,
        approved_by=chief,
        approved_at="2026-11-01T12:00:00Z",
    )
    OldAnswer.objects.create(
        assessment=assessment, question=question, value="yes", note="GO-114", updated_by=clerk
    )
    OldSnapshot.objects.create(assessment=assessment, result={"overall": {"score": 100}})
    OldReport.objects.create(assessment=assessment, fingerprint="f" * 64, pdf=b"%PDF-1.7 test")
    events = {
        "answer": OldEvent.objects.create(
            agency=agency,
            assessment=assessment,
            question=question,
            actor=clerk,
            kind="answer_changed",
            ip_address="198.51.100.7",
            old={
                "value": "",
                "not_applicable": False,
                "na_reason": "",
                "note": "",
                "flagged": False,
            },
            new={
                "value": "yes",
                "not_applicable": False,
                "na_reason": "",
                "note": "GO-114",
                "flagged": False,
            },
        ),
        "report": OldEvent.objects.create(
            agency=agency,
            assessment=assessment,
            actor=chief,
            kind="report_downloaded",
            new={"revision": 1, "status": "approved"},
        ),
        "json": OldEvent.objects.create(
            agency=agency,
            assessment=assessment,
            actor=chief,
            kind="report_downloaded",
            new={"export": "json", "revision": 1, "status": "approved"},
        ),
        "csv": OldEvent.objects.create(
            agency=agency,
            assessment=assessment,
            actor=chief,
            kind="report_downloaded",
            new={"export": "csv", "revision": 1, "status": "approved"},
        ),
        "moved": OldEvent.objects.create(
            agency=agency,
            actor=chief,
            subject_user=clerk,
            kind="role_changed",
            old={"agency": "Other", "role": "preparer"},
            new={"agency": agency.name, "role": "preparer"},
        ),
        "site": OldEvent.objects.create(
            agency=agency,
            actor=chief,
            subject_user=clerk,
            kind="role_changed",
            old={"is_staff": False},
            new={"is_staff": True},
        ),
        "role": OldEvent.objects.create(
            agency=agency,
            actor=chief,
            subject_user=clerk,
            kind="role_changed",
            old={"role": "preparer"},
            new={"role": "command"},
        ),
        "deleted": OldEvent.objects.create(
            agency=agency,
            actor=chief,
            subject_user=clerk,
            kind="member_deactivated",
            old={"agency": agency.name, "role": "preparer"},
        ),
        "added": OldEvent.objects.create(
            agency=agency,
            actor=chief,
            subject_user=clerk,
            kind="member_added",
            new={"role": "preparer"},
        ),
        "signin": OldEvent.objects.create(
            agency=agency, actor=clerk, kind="signed_in", ip_address="203.0.113.9"
        ),
    }
    # A content type as the admin and permissions knew it before the split.
    event_type, _ = ContentType.objects.get_or_create(app_label="assessments", model="event")
    return {
        "agency": agency.pk,
        "assessment": assessment.pk,
        "question": question.pk,
        "events": {name: event.pk for name, event in events.items()},
        "event_type": event_type.pk,
    }


def test_rows_written_before_the_split_survive_it(old_database):
    ids = fill(old_database)

    migrate(head())

    agency = Agency.objects.get(pk=ids["agency"])
    assert agency.name == "Example County Sheriff's Office"
    assert {(m.user.username, m.role, m.title) for m in Membership.objects.all()} == {
        ("chief", "command", ""),
        ("clerk", "preparer", "Records"),
    }
    assert QuestionnaireVersion.objects.get().sections.get().code == "CAP"
    question = Question.objects.get(pk=ids["question"])
    assert (question.code, question.section, question.weight_capacity) == (
        "CAP-01",
        Section.objects.get(code="CAP"),
        2,
    )
    assessment = Assessment.objects.get(pk=ids["assessment"])
    assert (assessment.agency, assessment.status, assessment.approved_by.username) == (
        agency,
        "approved",
        "chief",
    )
    answer = Answer.objects.get()
    assert (answer.assessment, answer.question, answer.value, answer.note) == (
        assessment,
        question,
        "yes",
        "GO-114",
    )
    assert ScoreSnapshot.objects.get().result == {"overall": {"score": 100}}
    assert bytes(CachedReport.objects.get(assessment=assessment).pdf) == b"%PDF-1.7 test"
    assert Event.objects.count() == len(ids["events"])
    answer_event = Event.objects.get(pk=ids["events"]["answer"])
    assert (answer_event.question, answer_event.ip_address, answer_event.new["note"]) == (
        question,
        "198.51.100.7",
        "GO-114",
    )
    assert answer_event.new_summary == "Yes; note: “GO-114”"


def test_events_move_to_the_kinds_that_now_carry_their_payloads(old_database):
    ids = fill(old_database)

    migrate(head())

    def event(name):
        return Event.objects.get(pk=ids["events"][name])

    assert (event("report").kind, event("report").new) == (
        "report_downloaded",
        {"revision": 1, "status": "approved"},
    )
    assert (event("json").kind, event("json").new) == (
        "export_downloaded",
        {"revision": 1, "status": "approved"},
    )
    assert event("csv").kind == "answers_csv_downloaded"
    assert event("moved").kind == "member_moved"
    assert event("site").kind == "site_role_changed"
    assert event("role").kind == "role_changed"
    assert event("deleted").kind == "membership_deleted"
    assert event("added").new == {"role": "preparer", "username": "clerk"}
    assert (event("signin").kind, event("signin").ip_address) == ("signed_in", "203.0.113.9")


def test_content_types_follow_their_models(old_database):
    ids = fill(old_database)

    migrate(head())

    from django.contrib.contenttypes.models import ContentType

    moved = ContentType.objects.get(pk=ids["event_type"])
    assert (moved.app_label, moved.model) == ("audit", "event")
    assert ContentType.objects.get_for_model(Event).pk == ids["event_type"]
