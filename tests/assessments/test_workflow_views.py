"""Submitting, approving, returning and reopening; locked answers; activity; other agencies."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment, ScoreSnapshot
from audit.models import Event
from tests.factories import answer_questions
from tests.pages import form_fields, question, section_url, text_of
from tests.quick_run import quick_first


def overview_url(assessment: Assessment) -> str:
    return reverse("assessment", args=[assessment.pk])


def answers_of(assessment: Assessment) -> dict[int, dict]:
    return {
        a.question_id: services.answer_content(a)
        for a in Answer.objects.filter(assessment=assessment)
    }


def activity_rows(response) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    assert body, "the activity page shows no table"
    return [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


@pytest.fixture
def approved(submitted, command) -> Assessment:
    services.assessment_approve(
        assessment=submitted,
        user=command,
        membership=command.membership,
        attested=True,
        flags_confirmed=True,
    )
    return Assessment.objects.get(pk=submitted.pk)


# Submitting


def test_an_incomplete_draft_is_not_submitted_and_the_missing_questions_are_listed(
    client_for, draft, preparer
):
    answer_questions(draft, preparer, skip=("CAP-02", "ICE-07", "COM-02"))
    client = client_for(preparer)

    response = client.post(reverse("assessment_submit", args=[draft.pk]))

    # The submit screen, rendered again with what is missing: nothing parked in the session.
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT
    assert draft.submitted_at is None
    content = response.content.decode()
    assert "Not submitted: 3 question(s) need an answer" in content
    missing = re.search(
        r'<div class="alert alert-danger" id="unanswered">(.*?)</div>', content, re.S
    )
    assert missing, "the submit screen does not list the missing questions"
    links = re.findall(r'<a href="([^"]+)">([A-Z]+-\d+)</a>', missing.group(1))
    assert links == [
        (f"{section_url(draft, 'CAP')}#CAP-02", "CAP-02"),
        (f"{section_url(draft, 'ICE')}#ICE-07", "ICE-07"),
        (f"{section_url(draft, 'COM')}#COM-02", "COM-02"),
    ]


def test_a_complete_draft_is_submitted_for_review(client_for, complete_draft, preparer):
    client = client_for(preparer)

    response = client.post(reverse("assessment_submit", args=[complete_draft.pk]))

    assert response.status_code == 302
    complete_draft.refresh_from_db()
    assert complete_draft.status == Assessment.Status.SUBMITTED
    assert complete_draft.submitted_by == preparer
    assert complete_draft.submitted_at is not None
    assert Event.objects.filter(assessment=complete_draft, kind=Event.Kind.SUBMITTED).exists()
    assert "Submitted for review." in client.get(response.url).content.decode()


def test_opening_the_submit_screen_submits_nothing(client_for, complete_draft, preparer):
    response = client_for(preparer).get(reverse("assessment_submit", args=[complete_draft.pk]))

    assert response.status_code == 200
    assert "Submit for review</button>" in response.content.decode()
    complete_draft.refresh_from_db()
    assert complete_draft.status == Assessment.Status.DRAFT


# Approving, returning and reopening: who may


@pytest.mark.parametrize(
    ("name", "data"),
    quick_first(("assessment_approve", {}), ("assessment_return", {"comment": "Check POL-02."})),
)
def test_a_preparer_cannot_approve_or_return(client_for, submitted, preparer, name, data):
    response = client_for(preparer).post(reverse(name, args=[submitted.pk]), data)

    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED
    assert submitted.approved_by is None
    assert not ScoreSnapshot.objects.exists()
    assert not Event.objects.filter(kind__in=[Event.Kind.APPROVED, Event.Kind.RETURNED]).exists()


def test_a_preparer_cannot_reopen(client_for, approved, preparer):
    response = client_for(preparer).post(reverse("assessment_reopen", args=[approved.pk]))

    assert response.status_code == 403
    assert Assessment.objects.count() == 1
    approved.refresh_from_db()
    assert approved.status == Assessment.Status.APPROVED


def test_a_preparer_is_not_offered_approve_or_return(client_for, submitted, preparer):
    content = client_for(preparer).get(overview_url(submitted)).content.decode()

    assert reverse("assessment_approve", args=[submitted.pk]) not in content
    assert reverse("assessment_return", args=[submitted.pk]) not in content


# Approving


@pytest.mark.parametrize("persona", quick_first("command", "agency_admin"))
def test_command_staff_approve_and_the_scores_are_frozen(request, client_for, submitted, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)

    response = client.post(reverse("assessment_approve", args=[submitted.pk]), {"attest": "on"})

    assert response.status_code == 302
    assert response.url == overview_url(submitted)
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.APPROVED
    assert submitted.approved_by == user
    assert submitted.approved_at is not None
    snapshot = ScoreSnapshot.objects.get(assessment=submitted)
    assert snapshot.result
    assert Event.objects.filter(assessment=submitted, kind=Event.Kind.APPROVED).count() == 1
    content = client.get(response.url).content.decode()
    assert "Approved. The assessment is locked and its scores are frozen." in content
    assert f"Approved by {user.get_full_name()}" in content


def test_a_draft_cannot_be_approved(client_for, complete_draft, command):
    client = client_for(command)

    response = client.post(reverse("assessment_approve", args=[complete_draft.pk]))

    complete_draft.refresh_from_db()
    assert complete_draft.status == Assessment.Status.DRAFT
    assert not ScoreSnapshot.objects.exists()
    assert "not submitted for review" in client.get(response.url).content.decode()


# Returning


def test_command_returns_with_a_comment_that_preparers_see(
    client_for, submitted, command, preparer
):
    response = client_for(command).post(
        reverse("assessment_return", args=[submitted.pk]),
        {"comment": "Attach the MOA review by county counsel to ICE-03."},
    )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.DRAFT
    event = Event.objects.get(assessment=submitted, kind=Event.Kind.RETURNED)
    assert event.actor == command
    assert event.comment == "Attach the MOA review by county counsel to ICE-03."
    content = text_of(client_for(preparer).get(overview_url(submitted)).content.decode())
    assert "Returned for changes by Command Tester" in content
    assert "Attach the MOA review by county counsel to ICE-03." in content


@pytest.mark.parametrize("comment", quick_first("", "   "))
def test_returning_without_a_comment_is_refused(client_for, submitted, command, comment):
    client = client_for(command)

    response = client.post(reverse("assessment_return", args=[submitted.pk]), {"comment": comment})

    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED
    assert not Event.objects.filter(kind=Event.Kind.RETURNED).exists()
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not returned: say what must change" in page
    assert 'id="comment-error"' in page


def test_a_too_long_return_comment_is_refused_with_the_limit(client_for, submitted, command):
    client = client_for(command)

    response = client.post(
        reverse("assessment_return", args=[submitted.pk]), {"comment": "x" * 5001}
    )

    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED
    assert response.status_code == 400
    page = response.content.decode()
    assert "5000 characters" in page
    assert re.search(r'<textarea[^>]*name="comment"[^>]*>x{5001}</textarea>', page), "text lost"


def test_the_return_comment_limit_is_shown_before_it_is_reached(client_for, submitted, command):
    page = client_for(command).get(overview_url(submitted)).content.decode()

    assert re.search(r'<textarea[^>]*name="comment"[^>]*maxlength="5000"', page)
    assert "Up to 5000 characters." in page


def test_a_comment_at_the_limit_with_line_breaks_is_accepted_as_the_browser_counted_it(
    client_for, submitted, command
):
    # A browser counts each line break once against maxlength but sends it as CRLF.
    typed = "\n".join(["y" * 99] * 50)
    assert len(typed) == 4999

    client_for(command).post(
        reverse("assessment_return", args=[submitted.pk]),
        {"comment": typed.replace("\n", "\r\n")},
    )

    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.DRAFT
    assert Event.objects.get(assessment=submitted, kind=Event.Kind.RETURNED).comment == typed


def test_a_returned_assessment_can_be_edited_again(client_for, submitted, command, preparer):
    client_for(command).post(
        reverse("assessment_return", args=[submitted.pk]), {"comment": "Recheck CAP-01."}
    )
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(submitted, "CAP")))
    fields[f"q{question(submitted, 'CAP-01').pk}-value"] = "partial"

    response = client.post(section_url(submitted, "CAP"), fields)

    assert response.status_code == 302
    assert Answer.objects.get(assessment=submitted, question__code="CAP-01").value == "partial"


# Reopening


def test_reopening_starts_revision_2_from_the_approved_answers(client_for, approved, command):
    approved_answers = answers_of(approved)
    approved_at = approved.approved_at

    response = client_for(command).post(reverse("assessment_reopen", args=[approved.pk]))

    revision = Assessment.objects.get(reopened_from=approved)
    assert response.status_code == 302
    assert response.url == overview_url(revision)
    assert revision.revision == 2
    assert revision.status == Assessment.Status.DRAFT
    assert revision.title == approved.title
    assert revision.models == approved.models
    assert answers_of(revision) == approved_answers
    assert len(approved_answers) == approved.applicable_questions().count()
    approved.refresh_from_db()
    assert approved.status == Assessment.Status.APPROVED
    assert approved.approved_at == approved_at
    assert answers_of(approved) == approved_answers
    assert ScoreSnapshot.objects.filter(assessment=approved).count() == 1


def test_an_approved_revision_is_reopened_only_once(client_for, approved, command):
    client = client_for(command)
    client.post(reverse("assessment_reopen", args=[approved.pk]))

    response = client.post(reverse("assessment_reopen", args=[approved.pk]))

    assert Assessment.objects.filter(reopened_from=approved).count() == 1
    assert "already been reopened" in client.get(response.url).content.decode()


def test_a_submitted_assessment_cannot_be_reopened(client_for, submitted, command):
    client = client_for(command)

    client.post(reverse("assessment_reopen", args=[submitted.pk]))

    assert Assessment.objects.count() == 1


def test_editing_a_reopened_revision_leaves_the_approved_one_unchanged(
    client_for, approved, command, preparer
):
    approved_answers = answers_of(approved)
    client_for(command).post(reverse("assessment_reopen", args=[approved.pk]))
    revision = Assessment.objects.get(reopened_from=approved)
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(revision, "CAP")))
    fields[f"q{question(revision, 'CAP-01').pk}-value"] = "no"

    response = client.post(section_url(revision, "CAP"), fields)

    assert response.status_code == 302
    assert Answer.objects.get(assessment=revision, question__code="CAP-01").value == "no"
    assert answers_of(approved) == approved_answers


# Locked answers


@pytest.mark.parametrize(
    ("state", "says"),
    quick_first(("submitted", "submitted for review"), ("approved", "approved")),
)
def test_answers_cannot_be_changed_once_submitted_or_approved(
    request, client_for, preparer, command, state, says
):
    assessment = request.getfixturevalue(state)
    before = answers_of(assessment)
    events = Event.objects.filter(assessment__isnull=False).count()
    for user in (preparer, command):
        client = client_for(user)
        fields = form_fields(client.get(section_url(assessment, "CAP")))
        fields[f"q{question(assessment, 'CAP-01').pk}-value"] = "no"
        fields[f"q{question(assessment, 'CAP-01').pk}-note"] = "Changed after the fact."

        response = client.post(section_url(assessment, "CAP"), fields)

        # Refused, and what was sent is shown again to be copied, with no way to save it.
        assert response.status_code == 409
        page = response.content.decode()
        message = f"This assessment is {says}: its answers can no longer be changed."
        assert "Nothing was saved. " + message in page
        assert "Changed after the fact.</textarea>" in page
        assert re.search(r'<input[^>]*value="no"[^>]*checked', page) or re.search(
            r'<input[^>]*checked[^>]*value="no"', page
        )
        assert 'name="save"' not in page
    assert answers_of(assessment) == before
    assert Event.objects.filter(assessment__isnull=False).count() == events


def test_the_section_page_of_an_approved_assessment_is_read_only(client_for, approved, preparer):
    content = client_for(preparer).get(section_url(approved, "CAP")).content.decode()

    assert "This assessment is approved: answers are shown read-only." in content
    assert re.search(r'<fieldset[^>]*id="CAP-01"[^>]* disabled', content)
    assert 'name="save"' not in content


# Activity


def test_the_activity_page_lists_changes_newest_first(client_for, draft, preparer, command):
    answer_questions(draft, preparer, skip=("CAP-01",))
    client = client_for(preparer)
    target = f"q{question(draft, 'CAP-01').pk}"
    fields = form_fields(client.get(section_url(draft, "CAP")))
    client.post(
        section_url(draft, "CAP"),
        {**fields, f"{target}-value": "yes", f"{target}-note": "Binder A"},
    )
    fields = form_fields(client.get(section_url(draft, "CAP")))
    client.post(section_url(draft, "CAP"), {**fields, f"{target}-value": "no"})
    client.post(reverse("assessment_submit", args=[draft.pk]))
    client_for(command).post(
        reverse("assessment_return", args=[draft.pk]),
        {"comment": "Add the date counsel reviewed the MOA."},
    )

    response = client.get(reverse("assessment_activity", args=[draft.pk]))

    assert response.status_code == 200
    rows = activity_rows(response)
    assert "Command Tester Returned to draft status: submitted → draft" in rows[0]
    assert "“Add the date counsel reviewed the MOA.”" in rows[0]
    assert "Preparer Tester Submitted for review status: draft → submitted" in rows[1]
    assert "Preparer Tester Answer changed CAP-01" in rows[2]
    assert rows[2].endswith("Yes; note: “Binder A” → No; note: “Binder A”")
    assert "Preparer Tester Answer changed CAP-01" in rows[3]
    assert rows[3].endswith("Unanswered → Yes; note: “Binder A”")


def test_the_activity_page_is_paginated_25_at_a_time(client_for, draft, preparer):
    answer_questions(draft, preparer, limit=30)
    client = client_for(preparer)
    url = reverse("assessment_activity", args=[draft.pk])

    first = client.get(url)
    second = client.get(url, {"page": 2})

    first_rows, second_rows = activity_rows(first), activity_rows(second)
    assert Event.objects.filter(assessment=draft).count() == 31
    assert len(first_rows) == 25
    assert len(second_rows) == 6
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    assert not any("Assessment started" in row for row in first_rows)
    assert "Assessment started" in second_rows[-1]
    assert set(first_rows).isdisjoint(second_rows)


# Other agencies


@pytest.mark.slow
@pytest.mark.parametrize(
    ("state", "method", "name", "data"),
    [
        ("draft", "get", "assessment", {}),
        ("draft", "get", "section", {}),
        ("draft", "post", "section", "CAP-01"),
        ("draft", "get", "assessment_activity", {}),
        ("complete_draft", "post", "assessment_submit", {}),
        ("submitted", "post", "assessment_approve", {}),
        ("submitted", "post", "assessment_return", {"comment": "Redo it."}),
        ("approved", "post", "assessment_reopen", {}),
    ],
)
def test_another_agency_gets_404_and_changes_nothing(
    request, client_for, outsider, state, method, name, data
):
    assessment = request.getfixturevalue(state)
    args = [assessment.pk, "CAP"] if name == "section" else [assessment.pk]
    if data == "CAP-01":
        data = {
            f"q{question(assessment, 'CAP-01').pk}-value": "no",
            f"q{question(assessment, 'CAP-01').pk}-version": "1",
        }
    before = (Assessment.objects.values().get(pk=assessment.pk), answers_of(assessment))
    counts = (assessment_events(), Assessment.objects.count(), ScoreSnapshot.objects.count())

    response = getattr(client_for(outsider), method)(reverse(name, args=args), data)

    assert response.status_code == 404
    assert assessment.title not in response.content.decode()
    assert (Assessment.objects.values().get(pk=assessment.pk), answers_of(assessment)) == before
    assert (assessment_events(), Assessment.objects.count(), ScoreSnapshot.objects.count()) == (
        counts
    )


def assessment_events() -> int:
    """Events about assessments; signing in (which the test clients do) adds others."""
    return Event.objects.filter(assessment__isnull=False).count()
