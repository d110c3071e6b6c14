"""Sessions, two-step sign-in, passwords and lockout, through the views users reach."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticToken

from accounts import middleware
from audit.models import Event
from tests.factories import PASSWORD, totp_code, totp_device
from tests.pages import sign_in


class Clock:
    """A controllable clock for the session limits."""

    def __init__(self) -> None:
        self.value = middleware.now()

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


@pytest.fixture
def clock():
    fake = Clock()
    with mock.patch("accounts.middleware.now", fake):
        yield fake


# Sessions


def test_an_idle_session_ends_after_thirty_minutes(clock, preparer, draft, client_for):
    client = client_for(preparer)
    url = reverse("assessment", args=[draft.pk])
    assert client.get(url).status_code == 200
    clock.advance(29 * 60)
    assert client.get(url).status_code == 200  # activity restarts the idle clock
    clock.advance(31 * 60)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page
    assert Event.objects.filter(kind=Event.Kind.SESSION_ENDED, actor=preparer).exists()
    assert client.get(url).status_code == 302


@pytest.mark.slow
def test_a_session_never_lives_beyond_twelve_hours(clock, preparer, draft, client_for):
    client = client_for(preparer)
    url = reverse("assessment", args=[draft.pk])
    for _ in range(36):  # busy all day: a request every 20 minutes
        assert client.get(url).status_code == 200
        clock.advance(20 * 60)
    clock.advance(60)
    response = client.get(url)
    assert response.status_code == 302
    assert "12-hour limit" in client.get(response["Location"]).content.decode()


def test_the_session_status_does_not_count_as_activity(clock, preparer, client_for):
    client = client_for(preparer)
    client.get(reverse("dashboard"))
    clock.advance(10 * 60)
    status = client.get(reverse("session_status")).json()
    assert (status["signed_in"], status["seconds_left"]) == (True, 20 * 60)
    clock.advance(10 * 60)
    assert client.get(reverse("session_status")).json()["seconds_left"] == 10 * 60
    assert client.post(reverse("session_keepalive")).json()["seconds_left"] == 30 * 60
    assert client.get(reverse("session_status")).json()["seconds_left"] == 30 * 60


def test_the_session_key_changes_at_sign_in_and_dies_at_sign_out(preparer):
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    anonymous_key = client.session.session_key
    sign_in(client, "preparer")
    signed_in_key = client.cookies["sessionid"].value
    assert signed_in_key != anonymous_key
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=signed_in_key).exists()
    replay = Client()
    replay.cookies["sessionid"] = signed_in_key
    assert replay.get(reverse("dashboard")).status_code == 302


# Two-step sign-in


@pytest.mark.parametrize("persona", ["command", "agency_admin"])
def test_command_and_administrators_must_set_up_two_step_sign_in(persona, request, client_for):
    user = request.getfixturevalue(persona)
    client = client_for(user, verified=False)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))


def test_site_administrators_must_use_two_step_sign_in(db, admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("mfa_setup"))


def test_preparers_may_sign_in_without_it(preparer, client_for):
    assert client_for(preparer, verified=False).get(reverse("dashboard")).status_code == 200


def test_a_setting_requires_it_for_everyone(settings, preparer, client_for):
    settings.READINESS_MFA_FOR_EVERYONE = True
    response = client_for(preparer, verified=False).get(reverse("dashboard"))
    assert response["Location"].startswith(reverse("mfa_setup"))


def test_setting_up_gives_recovery_codes_and_each_works_once(command, client_for):
    client = client_for(command, verified=False)
    page = client.get(reverse("mfa_setup")).content.decode()
    assert 'id="setup-key"' in page
    device = command.totpdevice_set.get(confirmed=False)
    response = client.post(reverse("mfa_setup"), {"code": totp_code(device), "next": "/"})
    codes = re.findall(r"<li>([0-9a-f]{8}-[0-9a-f]{8})</li>", response.content.decode())
    assert len(codes) == 10
    assert Event.objects.filter(kind=Event.Kind.MFA_ENABLED, actor=command).exists()
    assert client.get(reverse("dashboard")).status_code == 200

    second = client_for(command, verified=False)
    response = second.post(reverse("mfa_verify"), {"code": codes[0], "next": "/"})
    assert response["Location"] == "/"
    third = client_for(command, verified=False)
    response = third.post(reverse("mfa_verify"), {"code": codes[0], "next": "/"})
    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert StaticToken.objects.filter(device__user=command).count() == 9


def test_a_code_works_only_once(command, client_for):
    device = totp_device(command)
    code = totp_code(device)
    first = client_for(command, verified=False)
    assert first.post(reverse("mfa_verify"), {"code": code, "next": "/"})["Location"] == "/"
    second = client_for(command, verified=False)
    response = second.post(reverse("mfa_verify"), {"code": code, "next": "/"})
    assert response.status_code == 200
    assert "each code works once" in response.content.decode()
    assert second.get(reverse("dashboard"))["Location"].startswith(reverse("mfa_verify"))
    assert Event.objects.filter(kind=Event.Kind.MFA_FAILED, outcome="failure").exists()


def test_a_password_reset_does_not_bypass_two_step_sign_in(command):
    totp_device(command)
    client = Client()
    uid = urlsafe_base64_encode(force_bytes(command.pk))
    token = default_token_generator.make_token(command)
    url = reverse("password_reset_confirm", args=[uid, token])
    form_url = client.get(url)["Location"]
    new_password = "a brand new passphrase for command"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response["Location"] == reverse("password_reset_complete")
    assert client.get(reverse("dashboard")).status_code == 302  # not signed in by the reset
    response = sign_in(client, "command", new_password)
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("mfa_verify"))


def test_the_open_redirect_is_refused_after_verification(command, client_for):
    device = totp_device(command)
    client = client_for(command, verified=False)
    response = client.post(
        reverse("mfa_verify"), {"code": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


# Passwords


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short-pass1", False),  # 11 characters
        ("password1234", False),  # common
        ("123456123456", False),  # common, digits only
        ("804217396512047", True),  # digits only, but not common: no composition rules
        ("twelve chars", True),
        ("a" * 40 + " long passphrases are welcome " + "b" * 10, True),  # 80 characters
    ],
)
def test_password_rules(preparer, client_for, password, accepted):
    client = client_for(preparer)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    preparer.refresh_from_db()
    assert preparer.check_password(password) is accepted
    assert (response.status_code == 302) is accepted


# Lockout


def test_five_failures_lock_the_username_even_with_the_right_password(preparer):
    client = Client()
    for _ in range(4):
        assert sign_in(client, "preparer", "wrong password").status_code == 200
    assert sign_in(client, "preparer", "wrong password").status_code == 429  # the fifth
    response = sign_in(Client(), "preparer")
    assert response.status_code == 429
    page = " ".join(response.content.decode().split())
    assert "Sign-in for this account is paused" in page
    assert "Try again in 15 minutes; each attempt before then starts the wait again." in page
    # Only site administrators can unlock (Django admin or manage.py); agency administrators can't.
    assert "ask a site administrator of Readiness to unlock it" in page
    assert "ask your agency administrator" not in page
    assert Event.objects.filter(kind=Event.Kind.LOCKED_OUT, username="preparer").exists()


def minutes_pass(minutes: int) -> None:
    """Move the recorded failures back, as if `minutes` had passed since them."""
    for model in (AccessAttempt, AccessFailureLog):
        model.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_a_lockout_lasts_the_cool_off_and_then_ends_by_itself(settings, preparer):
    cool_off = settings.AXES_COOLOFF_TIME
    assert cool_off == timedelta(minutes=15)
    for _ in range(5):
        sign_in(Client(), "preparer", "wrong password")

    minutes_pass(9)
    assert sign_in(Client(), "preparer").status_code == 429
    minutes_pass(16)
    assert sign_in(Client(), "preparer").status_code == 302


@pytest.mark.slow
def test_an_attempt_during_a_lockout_starts_the_wait_again(preparer):
    for _ in range(5):
        sign_in(Client(), "preparer", "wrong password")

    minutes_pass(9)
    assert sign_in(Client(), "preparer").status_code == 429
    minutes_pass(9)  # 18 minutes after the fifth failure, 9 after the last attempt
    assert sign_in(Client(), "preparer").status_code == 429
    minutes_pass(16)
    assert sign_in(Client(), "preparer").status_code == 302


@pytest.mark.slow
def test_a_site_administrator_unlocks_in_the_django_admin(preparer, admin_user, client_for):
    for _ in range(5):
        sign_in(Client(), "preparer", "wrong password")
    assert sign_in(Client(), "preparer").status_code == 429
    attempt = AccessAttempt.objects.get(username="preparer")

    site_admin = client_for(admin_user)
    changelist = site_admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert "preparer" in changelist.content.decode()
    response = site_admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert sign_in(Client(), "preparer").status_code == 302


@pytest.mark.slow
def test_the_lockout_message_does_not_reveal_whether_a_username_exists(preparer):
    pages = []
    for username in ("preparer", "nobody-by-this-name"):
        client = Client()
        for _ in range(6):
            response = sign_in(client, username, "wrong password")
        pages.append((response.status_code, response.content.decode()))
    assert pages[0] == pages[1]


@pytest.mark.slow
def test_a_lockout_ends_when_an_administrator_unlocks_the_username(preparer):
    for _ in range(5):
        sign_in(Client(), "preparer", "wrong password")
    assert sign_in(Client(), "preparer").status_code == 429
    call_command("axes_reset_username", "preparer", verbosity=0)
    response = sign_in(Client(), "preparer")
    assert response.status_code == 302


@pytest.mark.slow
def test_other_users_behind_the_same_address_are_not_locked(preparer, command):
    for _ in range(6):
        sign_in(Client(), "preparer", "wrong password")
    assert sign_in(Client(), "command").status_code == 302
