"""Cross-site request forgery: every form of the app refuses a post without a valid CSRF token
(missing, garbage, stale, without the cookie, another session's), answers with the site's own
"This form had expired" page, and changes nothing; the same posts with a valid token work.

The check is site-wide (Django's CSRF middleware and templates/403_csrf.html), so the forms of
every app are checked here, each listed below.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.mfa import pending_totp_device
from assessments.models import Answer, Assessment
from audit.models import Event
from questionnaires.models import Question
from tests.factories import PASSWORD, totp_code, totp_device
from tests.fuzzing import (
    FEW,
    FUZZ,
    SPECIALS,
    account_state,
    is_signed_in,
    nasty_text,
    password_link,
    snapshot,
    statuses,
    unreadable,
)
from tests.hypothesis_profiles import examples
from tests.pages import form_fields, section_url
from tests.quick_run import quick_first


def csrf_token(response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert found, "the page has no CSRF token"
    return found.group(1)


# The checklist, start, workflow, sign-in, two-step and password-change forms


FORM_ENDPOINTS = [
    "section",
    "assessment_start",
    "assessment_submit",
    "assessment_approve",
    "assessment_return",
    "assessment_reopen",
    "login",
    "mfa_verify",
    "password_change",
]


def _csrf_target(endpoint, assessment, fields):
    if endpoint == "section":
        return section_url(assessment, "CAP"), {**fields}
    if endpoint in ("login", "mfa_verify", "password_change", "assessment_start"):
        data = {
            "login": {"username": "preparer", "password": PASSWORD},
            "mfa_verify": {"code": "123456"},
            "password_change": {
                "old_password": PASSWORD,
                "new_password1": "another-long-password-9",
                "new_password2": "another-long-password-9",
            },
            "assessment_start": {"title": "Forged", "models": ["JEM"]},
        }[endpoint]
        return reverse(endpoint), data
    return reverse(endpoint, args=[assessment.pk]), {"comment": "Forged."}


def _state():
    return (
        snapshot(),
        statuses(),
        Assessment.objects.count(),
        get_user_model().objects.get(username="preparer").password,
        Event.objects.filter(kind__in=[Event.Kind.SIGNED_IN, Event.Kind.RETURNED]).count(),
    )


@pytest.mark.slow
@FUZZ
@given(
    endpoint=st.sampled_from(FORM_ENDPOINTS),
    mode=st.sampled_from(["missing", "garbage", "stale", "no_cookie", "other_session"]),
    garbage=nasty_text,
)
def test_fuzzed_posts_without_a_valid_csrf_token_are_refused_and_change_nothing(
    endpoint, mode, garbage, answered_draft, preparer, command
):
    user = command if endpoint in ("assessment_approve", "assessment_reopen") else preparer
    client = Client(enforce_csrf_checks=True)
    stale = Client(enforce_csrf_checks=True)
    stale_token = csrf_token(stale.get(reverse("login")))
    if endpoint != "login":
        client.force_login(user)
        if user == command:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = totp_device(command).persistent_id
            session.save()
    page = client.get(section_url(answered_draft, "CAP") if endpoint != "login" else "/")
    fields = form_fields(page) if endpoint != "login" else {}
    url, data = _csrf_target(endpoint, answered_draft, fields)
    if mode == "garbage":
        data["csrfmiddlewaretoken"] = garbage
    elif mode == "stale":
        # A token of an earlier page whose secret the cookie no longer holds, as after signing
        # in again in another tab (the secret rotates at sign-in).
        data["csrfmiddlewaretoken"] = stale_token
        client.cookies.pop("csrftoken", None)
        client.get(reverse("login") if endpoint == "login" else section_url(answered_draft, "CAP"))
    elif mode == "no_cookie":
        data["csrfmiddlewaretoken"] = stale_token
        client.cookies.pop("csrftoken", None)
    elif mode == "other_session":
        data["csrfmiddlewaretoken"] = stale_token
        client.cookies["csrftoken"] = "x" * 32
    before = _state()

    response = client.post(url, data)

    assert _state() == before
    if response.status_code == 400:
        assert unreadable(data)  # refused before the token is even read
        return
    assert response.status_code == 403, (endpoint, mode, response.status_code)
    assert "This form had expired" in response.content.decode()


def test_a_valid_csrf_token_is_accepted(answered_draft, preparer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(preparer)
    page = client.get(section_url(answered_draft, "CAP"))
    token = csrf_token(page)
    fields = form_fields(page)
    target = Question.objects.get(questionnaire=answered_draft.questionnaire, code="CAP-04")

    response = client.post(
        section_url(answered_draft, "CAP"),
        {**fields, f"q{target.pk}-value": "no", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert Answer.objects.get(assessment=answered_draft, question=target).value == "no"


# The member and account forms, each in every way


def _verified(client, user) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()


def _csrf_case(endpoint: str, team, client: Client) -> tuple[str, str, dict]:
    """Sign `client` in as whoever uses `endpoint`; return (the page with the form, the URL the
    form posts to, what a valid form sends)."""
    admin = team["self"]
    as_admin = {
        "member_add": (
            reverse("member_add"),
            {"username": "forged", "first_name": "F", "last_name": "G", "role": "agency_admin"},
        ),
        "member_role": (
            reverse("member_role", args=[team["preparer"].membership.pk]),
            {"role": "agency_admin"},
        ),
        "member_deactivate": (
            reverse("member_deactivate", args=[team["preparer"].membership.pk]),
            {},
        ),
        "member_reactivate": (
            reverse("member_reactivate", args=[team["retired"].membership.pk]),
            {},
        ),
        "member_invite": (reverse("member_invite", args=[team["invited"].membership.pk]), {}),
        "recovery_codes_renew": (reverse("recovery_codes_renew"), {}),
    }
    if endpoint in as_admin:
        client.force_login(admin)
        _verified(client, admin)
        url, data = as_admin[endpoint]
        page = {
            "member_add": url,
            "member_role": url,
            "recovery_codes_renew": reverse("account"),
        }.get(endpoint, reverse("members"))
        return page, url, data
    if endpoint == "mfa_setup":
        client.force_login(team["outsider"])
        device = pending_totp_device(team["outsider"])
        return reverse("mfa_setup"), reverse("mfa_setup"), {"code": totp_code(device)}
    if endpoint in ("session_keepalive", "logout"):
        client.force_login(team["preparer"])
        return reverse("dashboard"), reverse(endpoint), {}
    if endpoint == "password_reset":
        url = reverse("password_reset")
        return url, url, {"email": "preparer@example.gov"}
    assert endpoint == "password_reset_confirm"
    form_url = client.get(password_link(team["invited"]))["Location"]
    passwords = {"new_password1": "a forged long password 7", "new_password2": ""}
    passwords["new_password2"] = passwords["new_password1"]
    return form_url, form_url, passwords


MEMBER_AND_ACCOUNT_ENDPOINTS = [
    "member_add",
    "member_role",
    "member_deactivate",
    "member_reactivate",
    "member_invite",
    "mfa_setup",
    "recovery_codes_renew",
    "session_keepalive",
    "password_reset",
    "password_reset_confirm",
    "logout",
]
CSRF_MODES = ["missing", "garbage", "stale", "no_cookie", "other_session"]


@pytest.mark.parametrize("mode", quick_first(*CSRF_MODES))
@pytest.mark.parametrize("endpoint", quick_first(*MEMBER_AND_ACCOUNT_ENDPOINTS))
def test_posts_without_a_valid_csrf_token_are_refused_and_change_nothing(endpoint, mode, team):
    client = Client(enforce_csrf_checks=True)
    stale_token = csrf_token(Client(enforce_csrf_checks=True).get(reverse("login")))
    page, url, data = _csrf_case(endpoint, team, client)
    assert client.get(page).status_code == 200
    if mode == "garbage":
        data["csrfmiddlewaretoken"] = SPECIALS[
            MEMBER_AND_ACCOUNT_ENDPOINTS.index(endpoint) % len(SPECIALS)
        ]
    elif mode == "stale":
        # A token of an earlier page whose secret the cookie no longer holds.
        data["csrfmiddlewaretoken"] = stale_token
        client.cookies.pop("csrftoken", None)
        client.get(page)
    elif mode == "no_cookie":
        data["csrfmiddlewaretoken"] = stale_token
        client.cookies.pop("csrftoken", None)
    elif mode == "other_session":
        data["csrfmiddlewaretoken"] = stale_token
        client.cookies["csrftoken"] = "x" * 32
    before, sent, signed_in = account_state(), len(mail.outbox), is_signed_in(client)

    response = client.post(url, data)

    assert response.status_code == 403, (endpoint, mode, response.status_code)
    assert "This form had expired" in response.content.decode()
    assert account_state() == before
    assert len(mail.outbox) == sent
    assert is_signed_in(client) == signed_in


@pytest.mark.slow
@settings(FEW, max_examples=examples(15))
@given(endpoint=st.sampled_from(MEMBER_AND_ACCOUNT_ENDPOINTS), garbage=nasty_text)
def test_fuzzed_csrf_tokens_are_refused(endpoint, garbage, team):
    client = Client(enforce_csrf_checks=True)
    page, url, data = _csrf_case(endpoint, team, client)
    client.get(page)
    data["csrfmiddlewaretoken"] = garbage
    before = account_state()

    response = client.post(url, data)

    assert account_state() == before
    if response.status_code == 400:
        assert unreadable(data)
        return
    assert response.status_code == 403
    assert "This form had expired" in response.content.decode()


@pytest.mark.parametrize("endpoint", quick_first(*MEMBER_AND_ACCOUNT_ENDPOINTS))
def test_the_same_posts_with_a_valid_token_are_accepted(endpoint, team):
    client = Client(enforce_csrf_checks=True)
    page, url, data = _csrf_case(endpoint, team, client)
    data["csrfmiddlewaretoken"] = csrf_token(client.get(page))
    before = account_state()

    response = client.post(url, data)

    assert response.status_code in (200, 302)
    assert "This form had expired" not in response.content.decode()
    if endpoint == "session_keepalive":
        assert response.json()["signed_in"] is True
    elif endpoint == "password_reset":
        assert len(mail.outbox) == 1
    elif endpoint == "logout":
        assert not is_signed_in(client)
    else:
        assert account_state() != before, f"{endpoint} did nothing with a valid token"
