"""The account page (password, two-step sign-in, recovery codes) and the session clock the
page's script reads."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import middleware
from audit.models import Event
from tests.pages import text_of


def test_a_preparer_can_find_and_turn_on_optional_two_step_sign_in(preparer, client_for):
    client = client_for(preparer)

    page = text_of(client.get(reverse("account")).content.decode())
    assert "Off. It is optional for your role" in page
    setup = client.get(reverse("mfa_setup"))
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=preparer, confirmed=False)
    response = client.post(reverse("mfa_setup"), {"code": f"{totp(device.bin_key):06d}"})
    assert "Your recovery codes" in response.content.decode()

    page = text_of(client.get(reverse("account")).content.decode())
    assert "On: you sign in with your password and a code" in page
    assert "You have 10 unused recovery codes." in page


def test_new_recovery_codes_replace_the_old_ones(command, client_for):
    client = client_for(command)
    client.get(reverse("account"))
    old = set(StaticToken.objects.filter(device__user=command).values_list("token", flat=True))

    response = client.post(reverse("recovery_codes_renew"))

    shown = response.content.decode()
    new = set(StaticToken.objects.filter(device__user=command).values_list("token", flat=True))
    assert len(new) == 10 and not new & old
    assert all(f"{code[:8]}-{code[8:]}" in shown for code in new)
    assert f'href="{reverse("account")}"' in shown
    page = text_of(client.get(reverse("account")).content.decode())
    assert "You have 10 unused recovery codes." in page


def test_renewing_recovery_codes_needs_a_post(command, client_for):
    response = client_for(command).get(reverse("recovery_codes_renew"))

    assert response.status_code == 405
    assert not Event.objects.filter(kind=Event.Kind.RECOVERY_CODES).exists()


def test_the_header_links_to_the_account_page_by_name(preparer, client_for):
    html = client_for(preparer).get(reverse("dashboard")).content.decode()
    assert f'<a class="link-light" href="{reverse("account")}">Your account</a>' in html


@pytest.fixture
def clock():
    current = {"value": middleware.now()}
    with mock.patch("accounts.middleware.now", lambda: current["value"]):
        yield current


@pytest.mark.slow
def test_the_session_clock_names_the_absolute_limit_when_it_comes_first(
    clock, preparer, client_for, settings
):
    client = client_for(preparer)
    client.get(reverse("dashboard"))
    assert client.get(reverse("session_status")).json() == {
        "signed_in": True,
        "seconds_left": 30 * 60,
        "ends": "idle",
    }
    for _ in range(71):  # active all day, a page every 10 minutes: 11 h 50 min
        clock["value"] += 10 * 60
        assert client.get(reverse("dashboard")).status_code == 200

    status = client.get(reverse("session_status")).json()
    assert status == {"signed_in": True, "seconds_left": 10 * 60, "ends": "absolute"}
    # Staying signed in cannot move the absolute limit.
    assert client.post(reverse("session_keepalive")).json()["seconds_left"] == 10 * 60


def test_the_session_clock_answers_json_once_the_session_has_ended(clock, preparer, client_for):
    client = client_for(preparer)
    client.get(reverse("dashboard"))
    clock["value"] += 31 * 60

    response = client.get(reverse("session_status"))

    assert response.status_code == 200
    assert response.json() == {"signed_in": False, "seconds_left": 0}
    # The reason is shown on the sign-in page the script goes to.
    assert "without activity" in client.get(reverse("login")).content.decode()
