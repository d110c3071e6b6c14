"""Who is told what: email for each event to the right people, opt-outs, the queue, the bell."""

from __future__ import annotations

import logging

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from assessments import services
from assessments.models import Assessment
from notifications.models import EmailOptOut, Notification
from tests.factories import CommandFactory, MemberFactory
from tests.pages import question, text_of


def recipients() -> list[list[str]]:
    return sorted(message.to for message in mail.outbox)


def test_submitting_emails_the_agencys_command_staff_only(
    client_for, complete_draft, preparer, command, agency_admin, outsider
):
    client_for(preparer).post(reverse("assessment_submit", args=[complete_draft.pk]))

    assert recipients() == [[agency_admin.email], [command.email]]
    message = mail.outbox[0]
    assert complete_draft.title in message.subject
    assert "Preparer Tester submitted" in message.body
    assert f"/assessments/{complete_draft.pk}/" in message.body
    html = dict((mimetype, content) for content, mimetype in message.alternatives)["text/html"]
    assert f"/assessments/{complete_draft.pk}/" in html
    assert outsider.email not in str(mail.outbox[0].message())


def test_returning_and_approving_email_who_answered_and_submitted(
    client_for, complete_draft, preparer, command, agency_admin
):
    submitter = MemberFactory(agency=complete_draft.agency, role="preparer", username="submitter")
    services.assessment_submit(assessment=complete_draft, user=submitter)
    mail.outbox.clear()

    client_for(command).post(
        reverse("assessment_return", args=[complete_draft.pk]), {"comment": "Fix ICE-03."}
    )

    assert recipients() == [[preparer.email], [submitter.email]]
    assert "Fix ICE-03." in mail.outbox[0].body
    assert "returned" in mail.outbox[0].subject.lower()

    services.assessment_submit(assessment=complete_draft, user=submitter)
    mail.outbox.clear()
    client_for(agency_admin).post(
        reverse("assessment_approve", args=[complete_draft.pk]), {"attest": "on"}
    )

    assert recipients() == [[preparer.email], [submitter.email]]
    assert mail.outbox[0].subject.startswith("[Readiness] Approved")


def test_a_comment_tells_the_other_side(complete_draft, preparer, command, agency_admin):
    services.assessment_submit(assessment=complete_draft, user=preparer)
    mail.outbox.clear()
    q = question(complete_draft, "CAP-04")

    thread = services.comment_add(
        assessment=complete_draft, question=q, user=command, body="Which plan?"
    )
    assert recipients() == [[preparer.email]]
    mail.outbox.clear()

    services.comment_add(
        assessment=complete_draft, question=q, user=preparer, body="The 2026 one.", reply_to=thread
    )
    assert recipients() == [[agency_admin.email], [command.email]]
    assert "The 2026 one." in mail.outbox[0].body


def test_an_opted_out_member_gets_no_email_but_the_in_app_notification(
    client_for, complete_draft, preparer, command, agency_admin
):
    response = client_for(command).post(
        reverse("email_preferences"), {"kinds": ["returned", "approved", "comment"]}
    )
    assert response.status_code == 302
    assert EmailOptOut.objects.filter(user=command, kind="submitted").exists()

    client_for(preparer).post(reverse("assessment_submit", args=[complete_draft.pk]))

    assert recipients() == [[agency_admin.email]]
    assert Notification.objects.filter(recipient=command, kind="submitted").count() == 1
    account = client_for(command).get(reverse("account")).content.decode()
    assert 'value="submitted"' in account and 'value="submitted" checked' not in account


def test_invitations_and_password_resets_cannot_be_turned_off(client_for, command):
    client = client_for(command)
    refused = client.post(reverse("email_preferences"), {"kinds": ["invitation"]}, follow=True)
    assert "Not saved" in refused.content.decode()
    assert not EmailOptOut.objects.exists()

    client.post(reverse("email_preferences"), {})  # every optional kind off

    assert not EmailOptOut.objects.filter(kind__in=["invitation", "password_reset"]).exists()
    assert set(EmailOptOut.objects.values_list("kind", flat=True)) == {
        "submitted",
        "returned",
        "approved",
        "comment",
    }


def test_a_password_reset_email_has_text_and_html(client, preparer):
    client.post(reverse("password_reset"), {"email": preparer.email})

    assert recipients() == [[preparer.email]]
    message = mail.outbox[0]
    assert "/accounts/password/set/" in message.body
    assert "/accounts/password/set/" in message.alternatives[0][0]


def test_the_bell_counts_unread_notifications_until_opened(
    client_for, complete_draft, preparer, command
):
    services.assessment_submit(assessment=complete_draft, user=preparer)
    client = client_for(command)

    before = text_of(client.get(reverse("dashboard")).content.decode())
    listing = client.get(reverse("notifications")).content.decode()
    after = text_of(client.get(reverse("dashboard")).content.decode())

    assert "Notifications 1 unread" in before
    assert "Preparer Tester submitted" in listing
    assert "Notifications 1 unread" not in after
    assert not Notification.objects.filter(recipient=command, read_at__isnull=True).exists()


# The queue: mail goes out through a task after the change commits, and a failure never
# breaks the request.

QUEUED = {
    "EMAIL_BACKEND": "notifications.backends.QueuedEmailBackend",
    "READINESS_EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


class BrokenBackend:
    attempts = 0

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        BrokenBackend.attempts += 1
        raise ConnectionRefusedError("the mail server is down")


@override_settings(**QUEUED)
def test_mail_is_queued_and_sent_after_the_change_commits(
    client_for, complete_draft, preparer, command, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(preparer).post(reverse("assessment_submit", args=[complete_draft.pk]))
        assert mail.outbox == []  # nothing before the commit

    for callback in callbacks:
        callback()

    assert [command.email] in recipients()


@override_settings(**{**QUEUED, "READINESS_EMAIL_DELIVERY_BACKEND": f"{__name__}.BrokenBackend"})
def test_a_failing_mail_server_does_not_break_the_request_and_is_retried(
    client_for, complete_draft, preparer, agency_admin, django_capture_on_commit_callbacks, caplog
):
    BrokenBackend.attempts = 0
    with (
        caplog.at_level(logging.ERROR, logger="notifications.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_for(preparer).post(reverse("assessment_submit", args=[complete_draft.pk]))

    assert response.status_code == 302
    complete_draft.refresh_from_db()
    assert complete_draft.status == Assessment.Status.SUBMITTED
    # Two command staff, each message tried five times (immediately here: the test queue
    # cannot wait), and each failure logged.
    assert BrokenBackend.attempts == 2 * 5
    assert sum("could not be sent" in r.getMessage() for r in caplog.records) == 10


def test_another_agencys_command_staff_are_not_told(client_for, complete_draft, preparer, outsider):
    CommandFactory(agency=outsider.membership.agency, username="othercommand")

    client_for(preparer).post(reverse("assessment_submit", args=[complete_draft.pk]))

    everyone = [address for message in mail.outbox for address in message.to]
    assert outsider.email not in everyone
    assert "othercommand@example.org" not in everyone
    assert not Notification.objects.filter(recipient=outsider).exists()
