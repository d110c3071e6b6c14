"""A prepared query gives what its queryset gives: the same rows, fields, related objects and
annotations, for any values, with the SQL compiled once per thread."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import MEMBER, _member_query
from assessments.models import Answer, Assessment, Comment
from assessments.selectors import COMMENTS_OF, MEMBER_ASSESSMENT, SECTION_ANSWERS
from assessments.services import comment_add
from fastquery import PreparedQuery
from jurisdictions.models import StateProfile
from jurisdictions.selectors import NEWEST_PROFILE
from tests.factories import answer_questions, totp_device


def same(left, right) -> None:
    assert type(left) is type(right)
    assert left.__dict__.keys() - {"_state"} == right.__dict__.keys() - {"_state"}
    for name in left.__dict__.keys() - {"_state"}:
        assert getattr(left, name) == getattr(right, name), name


def test_the_member_query_gives_what_its_queryset_gives(preparer, command, admin_user):
    totp_device(command)
    for user in (preparer, command, admin_user):
        prepared, plain = MEMBER.first(user.pk), _member_query(user.pk).first()
        same(prepared, plain)
        assert prepared.readiness_totp_id == plain.readiness_totp_id
        if hasattr(plain, "membership"):
            same(prepared.membership, plain.membership)
            same(prepared.membership.agency, plain.membership.agency)
            assert prepared.membership.user is prepared
    assert MEMBER.first(10**9) is None


def test_the_assessment_query_checks_the_agency(draft, outsider_draft, agency, other_agency):
    found = MEMBER_ASSESSMENT.first(draft.pk, agency.pk)

    assert found == draft and found.agency == agency and found.questionnaire_id
    assert MEMBER_ASSESSMENT.first(outsider_draft.pk, agency.pk) is None
    assert MEMBER_ASSESSMENT.first(outsider_draft.pk, other_agency.pk) == outsider_draft


def test_the_answers_of_a_step_match_the_orm(draft, preparer):
    answer_questions(draft, preparer)
    section = draft.questionnaire.sections.first()

    prepared = SECTION_ANSWERS.all(draft.pk, section.pk)

    expected = Answer.objects.filter(assessment=draft, question__section=section)
    assert [a.pk for a in prepared] == [a.pk for a in expected]
    for mine, theirs in zip(prepared, expected, strict=True):
        same(mine, theirs)
        assert mine.updated_by == theirs.updated_by


def test_the_comments_of_an_assessment_match_the_orm(submitted, command, preparer):
    question = submitted.applicable_questions().first()
    thread = comment_add(assessment=submitted, question=question, user=command, body="Why?")
    comment_add(
        assessment=submitted, question=question, user=preparer, body="See 4.2.", reply_to=thread
    )

    prepared = COMMENTS_OF.all(submitted.pk)

    expected = Comment.objects.filter(assessment=submitted).order_by("created_at", "pk")
    assert [c.pk for c in prepared] == [c.pk for c in expected]
    for mine, theirs in zip(prepared, expected, strict=True):
        same(mine, theirs)
        assert mine.author == theirs.author


def test_the_newest_state_profile_matches_the_orm(state_law):
    assert NEWEST_PROFILE.first("TX") is not None
    for state in ("TX", "CA", "ZZ"):
        prepared = NEWEST_PROFILE.first(state)
        expected = (
            StateProfile.objects.filter(state=state).order_by("-law__version", "-law_id").first()
        )
        assert prepared == expected
        if expected is not None:
            same(prepared, expected)
            assert prepared.law == expected.law


def test_it_compiles_once_and_then_runs_only_the_sql(draft, agency):
    query = PreparedQuery(lambda pk: Assessment.objects.select_related("agency").filter(pk=pk))
    query.first(draft.pk)

    with CaptureQueriesContext(connection) as captured:
        assert query.first(draft.pk) == draft
        assert query.first(draft.pk + 1000) is None

    assert len(captured) == 2


@pytest.mark.django_db(transaction=True)
def test_each_thread_uses_its_own_connection(agency):
    query = PreparedQuery(lambda pk: type(agency).objects.filter(pk=pk))
    found = []

    def run():
        found.append(query.first(agency.pk))
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert found == [agency] * 3


def test_a_value_that_is_not_a_parameter_is_refused(agency):
    query = PreparedQuery(lambda pk: type(agency).objects.all())

    with pytest.raises(ValueError, match="must appear as a parameter"):
        query.first(1)


def test_a_list_value_is_an_in_lookup_compiled_once_per_length(draft, preparer):
    answer_questions(draft, preparer)
    ids = list(Answer.objects.filter(assessment=draft).values_list("question_id", flat=True))
    query = PreparedQuery(
        lambda assessment_id, question_ids: Answer.objects.filter(
            assessment_id=assessment_id, question_id__in=question_ids
        ).order_by("pk")
    )

    for wanted in (ids[:1], ids[:3], ids[1:4], ids):
        expected = list(Answer.objects.filter(assessment=draft, question_id__in=wanted))
        assert [a.pk for a in query.all(draft.pk, wanted)] == sorted(a.pk for a in expected)
    assert query.all(draft.pk, []) == []


def test_text_values_and_the_open_plan_items(draft, agency, command):
    from plans.models import PlanItem
    from plans.selectors import open_items_by_code

    PlanItem.objects.create(agency=agency, title="Memo", question_code="CAP-01", created_by=command)
    PlanItem.objects.create(
        agency=agency, title="Done", question_code="CAP-02", created_by=command, status="done"
    )

    found = open_items_by_code(agency.pk, ["CAP-01", "CAP-02", "ICE-01"])

    assert {code: item.title for code, item in found.items()} == {"CAP-01": "Memo"}
    assert open_items_by_code(agency.pk, []) == {}


def test_the_session_store_reads_live_sessions_only(preparer, client_for):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.sessions import SessionStore

    key = client_for(preparer).session.session_key
    assert SessionStore(key).load()["_auth_user_id"] == str(preparer.pk)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    store = SessionStore(key)
    assert store.load() == {} and store.session_key is None
    assert SessionStore("no-such-session-key").load() == {}
