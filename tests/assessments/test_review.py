"""Review: comments on questions, the submit and approve screens, the attestation, flags and the
words a returned draft is shown with."""

from __future__ import annotations

import re

from django.urls import reverse

from assessments import services
from assessments.models import Answer, Assessment, Comment
from audit.models import Event
from tests.factories import answer_questions
from tests.pages import question, text_of


def comments_url(assessment, code: str) -> str:
    return reverse("question_comments", args=[assessment.pk, question(assessment, code).pk])


def post_comment(client, assessment, code: str, body: str, reply_to=None):
    data = {"body": body, **({"reply_to": reply_to.pk} if reply_to else {})}
    return client.post(comments_url(assessment, code), data)


# Comments: who may, and their life


def test_command_comments_on_a_question_and_it_is_listed_as_open(client_for, submitted, command):
    client = client_for(command)

    response = post_comment(client, submitted, "POL-02", "Which policy number is this?")

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author, comment.question.code, comment.is_open) == (command, "POL-02", True)
    event = Event.objects.get(kind=Event.Kind.QUESTION_COMMENTED)
    assert (event.actor, event.question.code, event.comment) == (
        command,
        "POL-02",
        "Which policy number is this?",
    )
    overview = text_of(client.get(reverse("assessment", args=[submitted.pk])).content.decode())
    assert "Open comments (1)" in overview
    assert "Which policy number is this?" in overview
    assert "Returning with 1 open comment" in overview


def test_a_comment_never_changes_the_answer(client_for, submitted, command):
    before = list(Answer.objects.filter(assessment=submitted).values())

    post_comment(client_for(command), submitted, "POL-02", "Answer should be No.")

    assert list(Answer.objects.filter(assessment=submitted).values()) == before


def test_a_preparer_cannot_start_a_comment_but_replies_and_resolves(
    client_for, submitted, command, preparer
):
    thread = services.comment_add(
        assessment=submitted,
        question=question(submitted, "CAP-04"),
        user=command,
        body="Attach the staffing plan.",
    )
    client = client_for(preparer)

    refused = post_comment(client, submitted, "CAP-04", "A new thread")
    replied = post_comment(client, submitted, "CAP-04", "Attached now.", reply_to=thread)
    resolved = client.post(reverse("comment_resolve", args=[submitted.pk, thread.pk]))

    assert refused.status_code == 403
    assert replied.status_code == 302
    assert resolved.status_code == 302
    thread.refresh_from_db()
    assert not thread.is_open
    assert thread.resolved_by == preparer
    assert [c.body for c in thread.replies.all()] == ["Attached now."]
    assert Event.objects.filter(kind=Event.Kind.COMMENT_RESOLVED, actor=preparer).count() == 1
    page = text_of(client.get(comments_url(submitted, "CAP-04")).content.decode())
    assert "Resolved by Preparer Tester" in page or "Resolved by" in page
    assert "Attached now." in page


def test_a_reply_to_a_resolved_comment_opens_it_again(submitted, command, preparer):
    q = question(submitted, "CAP-04")
    thread = services.comment_add(assessment=submitted, question=q, user=command, body="Which?")
    services.comment_resolve(comment=thread, user=preparer)

    services.comment_add(
        assessment=submitted, question=q, user=command, body="Not yet.", reply_to=thread
    )

    thread.refresh_from_db()
    assert thread.is_open


def test_an_empty_comment_is_refused_and_a_too_long_one_keeps_what_was_typed(
    client_for, submitted, command
):
    client = client_for(command)
    long_text = "Explain " + "x" * 2100

    empty = post_comment(client, submitted, "POL-02", "   ")
    too_long = post_comment(client, submitted, "POL-02", long_text)

    assert empty.status_code == 400
    assert "Write the comment before posting it." in empty.content.decode()
    assert too_long.status_code == 400
    assert long_text in too_long.content.decode()
    assert not Comment.objects.exists()


def test_an_approved_assessment_takes_no_comments(client_for, submitted, command):
    services.assessment_approve(
        assessment=submitted, user=command, membership=command.membership, attested=True
    )

    response = post_comment(client_for(command), submitted, "POL-02", "Late remark.")

    assert response.status_code == 400
    assert "takes no more comments" in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_of_another_agency_are_404(client_for, submitted, command, outsider):
    thread = services.comment_add(
        assessment=submitted, question=question(submitted, "CAP-04"), user=command, body="Hm?"
    )
    client = client_for(outsider)

    assert client.get(comments_url(submitted, "CAP-04")).status_code == 404
    assert post_comment(client, submitted, "CAP-04", "Sneaky").status_code == 404
    resolve = reverse("comment_resolve", args=[submitted.pk, thread.pk])
    assert client.post(resolve).status_code == 404
    thread.refresh_from_db()
    assert thread.is_open
    assert Comment.objects.count() == 1


def test_a_comment_on_a_question_not_asked_is_404(client_for, submitted, command, questionnaire):
    not_asked = questionnaire.questions.exclude(
        pk__in=submitted.applicable_questions().values("pk")
    ).first()
    assert not_asked is not None, "the test questionnaire asks JEM-only questions of JEM"
    url = reverse("question_comments", args=[submitted.pk, not_asked.pk])

    assert client_for(command).get(url).status_code == 404


# The submit screen


def test_the_submit_screen_lists_each_kind_of_item(client_for, draft, preparer, command):
    answer_questions(
        draft, preparer, overrides={"POL-01": "no"}, skip=("COM-02",)
    )  # POL-01 is critical
    Answer.objects.filter(assessment=draft, question__code="CAP-01").update(flagged=True)
    services.comment_add(
        assessment=draft, question=question(draft, "ICE-03"), user=command, body="Who reviewed?"
    )
    client = client_for(preparer)

    response = client.get(reverse("assessment_submit", args=[draft.pk]))

    content = response.content.decode()
    sections = dict(re.findall(r'<dt id="([a-z-]+)">.*?</dt>\s*<dd>(.*?)</dd>', content, re.S))
    assert "COM-02" in re.search(r'id="unanswered">(.*?)</div>', content, re.S).group(1)
    assert "CAP-01" in sections["flagged"]
    assert "POL-01" in sections["critical-gaps"]
    assert "ICE-03" in sections["open-comments"] and "Who reviewed?" in sections["open-comments"]
    assert "without-evidence" in sections
    assert "It cannot be submitted yet" in text_of(content)
    assert "Submit for review</button>" not in content


# The approve screen and the attestation


def test_the_approve_screen_shows_the_scores_to_be_frozen_and_the_statement(
    client_for, submitted, command, settings
):
    settings.READINESS_APPROVAL_STATEMENT = "I approve this as the record of Example County."

    content = client_for(command).get(reverse("assessment_approve", args=[submitted.pk]))

    page = text_of(content.content.decode())
    assert "Scores that will be frozen" in page
    for dimension in ("Capacity", "Policy", "Community"):
        assert dimension in page
    assert "I approve this as the record of Example County." in page


def test_approval_requires_the_attestation(client_for, submitted, command):
    client = client_for(command)

    response = client.post(reverse("assessment_approve", args=[submitted.pk]), {})

    assert response.status_code == 400
    assert "Confirm the statement to approve." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED


def test_approval_stores_the_statement_as_it_read(client_for, submitted, command, settings):
    settings.READINESS_APPROVAL_STATEMENT = "Reviewed and approved as our record."

    client_for(command).post(reverse("assessment_approve", args=[submitted.pk]), {"attest": "on"})

    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.APPROVED
    assert submitted.attestation == "Reviewed and approved as our record."
    event = Event.objects.get(kind=Event.Kind.APPROVED)
    assert event.new["attestation"] == "Reviewed and approved as our record."


def test_flags_must_be_confirmed_and_approval_clears_them(
    client_for, complete_draft, preparer, command
):
    Answer.objects.filter(
        assessment=complete_draft, question__code__in=["CAP-01", "POL-02"]
    ).update(flagged=True)
    services.assessment_submit(assessment=complete_draft, user=preparer)
    client = client_for(command)
    url = reverse("assessment_approve", args=[complete_draft.pk])

    refused = client.post(url, {"attest": "on"})
    approved = client.post(url, {"attest": "on", "confirm_flags": "on"})

    assert refused.status_code == 400
    assert "2 questions are still marked for review" in refused.content.decode()
    assert approved.status_code == 302
    assert not Answer.objects.filter(assessment=complete_draft, flagged=True).exists()
    assert Event.objects.get(kind=Event.Kind.APPROVED).new["flags_cleared"] == 2


# Status words


def test_a_returned_draft_says_so_on_every_dashboard_until_resubmitted(
    client_for, submitted, command, preparer
):
    services.assessment_return(
        assessment=submitted,
        user=command,
        membership=command.membership,
        comment="Attach the MOA review to ICE-03.",
    )
    for user in (preparer, command):
        page = text_of(client_for(user).get(reverse("dashboard")).content.decode())
        assert "Returned for changes" in page
        assert "Attach the MOA review to ICE-03." in page

    services.assessment_submit(assessment=submitted, user=preparer)

    page = text_of(client_for(preparer).get(reverse("dashboard")).content.decode())
    assert "Returned for changes" not in page


def test_command_staff_see_how_many_await_their_review(client_for, submitted, command, preparer):
    command_page = text_of(client_for(command).get(reverse("dashboard")).content.decode())
    preparer_page = text_of(client_for(preparer).get(reverse("dashboard")).content.decode())

    assert "1 awaiting your review" in command_page
    assert "awaiting your review" not in preparer_page


def test_the_section_page_lists_a_questions_comments_beside_it(
    client_for, draft, command, preparer
):
    answer_questions(draft, preparer)
    thread = services.comment_add(
        assessment=draft, question=question(draft, "POL-02"), user=command, body="Cite it."
    )
    services.comment_add(
        assessment=draft, question=question(draft, "POL-02"), user=preparer, body="4.12",
        reply_to=thread,
    )  # fmt: skip

    page = client_for(preparer).get(reverse("section", args=[draft.pk, "POL"])).content.decode()

    fieldset = re.search(r'<fieldset[^>]*id="POL-02".*?</fieldset>', page, re.S).group(0)
    assert "Comments: 1, 1 open." in text_of(fieldset)
    assert "Command Tester: “Cite it.” (1 reply)" in text_of(fieldset)
    assert comments_url(draft, "POL-02") in fieldset
    other = re.search(r'<fieldset[^>]*id="POL-01".*?</fieldset>', page, re.S).group(0)
    assert "Comments" not in other and "Comment on this question" not in other


def test_command_staff_may_start_a_comment_from_any_question(client_for, draft, command):
    page = client_for(command).get(reverse("section", args=[draft.pk, "POL"])).content.decode()

    fieldset = re.search(r'<fieldset[^>]*id="POL-01".*?</fieldset>', page, re.S).group(0)
    assert "Comment on this question" in fieldset
