"""The account pages fuzzed through the test client: signing in and out, two-step codes and
set-up, recovery codes, keeping the session alive, changing a password, asking for and using a
password link. Hostile text, wrong types and bodies, duplicated fields, nonsense links.

Whatever is posted: never a 500; a refused form says why in the field's own error element (or
the page answers 400, 403 or 404); and nothing already saved changes (people, memberships,
passwords, two-step devices, audit events, answers) beyond what the post did on purpose.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given
from hypothesis import strategies as st

from audit.models import Event
from tests.factories import PASSWORD, totp_code, totp_device
from tests.fuzzing import (
    EMAILS,
    FEW,
    FUZZ,
    account_state,
    all_field_errors,
    assert_not_a_server_error,
    changes,
    form_alerts,
    is_signed_in,
    last_value,
    mostly,
    nasty_text,
    new_event_kinds,
    password_link,
    sent_as,
    several,
    snapshot,
    unreadable,
)

User = get_user_model()
pytestmark = pytest.mark.slow  # fuzzing, and the cases it found


def assert_stays_on_this_site(location: str) -> None:
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location[:200]
    assert not location.startswith(("//", "/\\", "\\")), location[:200]


# Signing in, two-step codes, changing the password


@FUZZ
@given(
    username=st.one_of(nasty_text, st.sampled_from(["preparer", "PREPARER", "preparer\x00"])),
    password=st.one_of(nasty_text, st.just(PASSWORD)),
    duplicate=st.booleans(),
    next_url=st.one_of(st.just(""), nasty_text, st.sampled_from(["//evil.example", "/\\evil"])),
)
def test_fuzzed_sign_in_never_fails(username, password, duplicate, next_url, answered_draft):
    client = Client()
    data = {"username": [username, "preparer"] if duplicate else username, "password": password}
    before = snapshot()

    data = {**data, "next": next_url}
    response = client.post(reverse("login"), data)

    assert_not_a_server_error(response)
    assert snapshot() == before
    if response.status_code == 400:
        assert unreadable(data)
        return
    if response.status_code == 302:
        signed_in = "preparer" if duplicate else username
        assert (signed_in, password) == ("preparer", PASSWORD)
        assert not response["Location"].startswith(("//", "/\\", "http"))
        return
    assert response.status_code in (200, 429)
    if response.status_code == 429:
        return
    typed = unicodedata.normalize("NFKC", (last_value(data["username"]) or "").strip())
    expected = set()
    if not typed or "\x00" in typed or len(typed) > 150:
        expected.add("username")
    if not password or "\x00" in password:
        expected.add("password")
    errors = all_field_errors(response)
    assert set(errors) == expected, "a message is missing next to a field, or misplaced"
    if expected:
        assert not form_alerts(response)
    else:
        # Which of the two was wrong is not said, on purpose: the message is the form's.
        assert form_alerts(response) == [
            "The username or password is not correct. Both are case-sensitive."
        ]


def test_a_username_too_long_for_the_lockout_table_is_refused_by_the_field(answered_draft):
    response = Client().post(reverse("login"), {"username": "x" * 300, "password": "wrong"})

    assert response.status_code == 200
    assert "A username has at most 150 characters." in response.content.decode()


@pytest.fixture
def command_with_app(command):
    return totp_device(command)


@FEW
@given(
    code=st.one_of(nasty_text, st.lists(nasty_text, max_size=3)),
    next_url=st.one_of(st.just(""), nasty_text, st.just("//evil.example/")),
    real_code=st.booleans(),
)
def test_fuzzed_two_step_codes_never_fail(
    code, next_url, real_code, command, command_with_app, answered_draft
):
    client = Client()
    client.force_login(command)
    device = command_with_app
    if real_code:
        code = f"{totp(device.bin_key, t0=device.t0, step=device.step):06d}"
    before = snapshot()

    data = {"code": code, "next": next_url}
    response = client.post(reverse("mfa_verify"), data)

    assert_not_a_server_error(response)
    assert snapshot() == before
    if response.status_code == 400:
        assert unreadable(data)
        return
    if response.status_code == 302:
        assert response["Location"].startswith("/")
        assert not response["Location"].startswith(("//", "/\\"))
        return
    assert response.status_code == 200
    assert list(all_field_errors(response)) == ["code"], "the refused code has no message by it"


@pytest.mark.parametrize("next_url", ["0", "dashboard", "https://evil.example/", "/method/"])
def test_after_a_valid_code_only_a_path_of_this_site_is_followed(
    next_url, command, command_with_app
):
    client = Client()
    client.force_login(command)
    device = command_with_app
    code = f"{totp(device.bin_key, t0=device.t0, step=device.step):06d}"

    response = client.post(reverse("mfa_verify"), {"code": code, "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == (next_url if next_url.startswith("/") else "/")


@FEW
@given(
    old=st.one_of(nasty_text, st.just(PASSWORD)),
    new1=nasty_text,
    new2=st.one_of(nasty_text, st.just(None)),
)
def test_fuzzed_password_changes_never_fail(old, new1, new2, client_for, preparer, answered_draft):
    client = client_for(preparer)
    new2 = new1 if new2 is None else new2
    before = snapshot()

    data = {"old_password": old, "new_password1": new1, "new_password2": new2}
    response = client.post(reverse("password_change"), data)

    assert_not_a_server_error(response)
    assert snapshot() == before
    user = get_user_model().objects.get(pk=preparer.pk)
    if response.status_code == 400:
        assert unreadable(data)
        assert user.check_password(PASSWORD)
        return
    if response.status_code == 302:
        assert response["Location"] == reverse("password_change_done")
        assert user.check_password(new1)
        user.set_password(PASSWORD)
        user.save()
        preparer.refresh_from_db()  # the next example signs in with the restored password
        return
    assert response.status_code == 200
    assert user.check_password(PASSWORD)

    def readable(text: str) -> bool:
        return bool(text) and "\x00" not in text

    expected = set()
    if old != PASSWORD:
        expected.add("old_password")
    if not readable(new1):
        expected.add("new_password1")
    if not readable(new2) or (readable(new1) and new1 != new2) or not acceptable(new2, user):
        expected.add("new_password2")
    assert set(all_field_errors(response)) == expected, "a message is missing or misplaced"
    assert not form_alerts(response)


def acceptable(password: str, user) -> bool:
    try:
        validate_password(password, user)
    except ValidationError:
        return False
    return True


# Setting up two-step sign-in


@pytest.fixture
def newcomer(team):
    """Sample County's command officer, who must set up two-step sign-in and has not yet."""
    return team["outsider"]


@FEW
@given(
    code=mostly(
        st.sampled_from(["REAL", " REAL "]),
        several(st.one_of(nasty_text, st.sampled_from(["000000", "\u0661" * 6, "9" * 33]))),
    ),
    next_url=st.one_of(st.just(""), nasty_text, st.just("//evil.example/")),
)
def test_fuzzed_two_step_set_up_never_fails_and_turns_on_only_with_the_code(
    code, next_url, newcomer
):
    client = Client()
    client.force_login(newcomer)
    assert client.get(reverse("mfa_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    # Each example starts unthrottled: earlier refusals slow the device down on purpose.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None, last_t=-1
    )
    real = totp_code(device)
    sent = [c.replace("REAL", real) for c in code] if isinstance(code, list) else code
    sent = sent.replace("REAL", real) if isinstance(sent, str) else sent
    before = account_state()

    data = {"code": sent, "next": next_url}
    response = client.post(reverse("mfa_setup"), data)

    assert_not_a_server_error(response)
    after = account_state()
    if response.status_code == 400:
        assert unreadable(data)
        assert after == before
        return
    assert response.status_code == 200
    typed = (last_value(sent) or "").strip()
    if 'id="recovery-codes"' in response.content.decode():
        assert typed == real
        assert TOTPDevice.objects.get(pk=device.pk).confirmed
        assert set(changes(before, after)) == {"totp", "static", "tokens", "events"}
        assert new_event_kinds(before, after) == [
            Event.Kind.MFA_ENABLED,
            Event.Kind.RECOVERY_CODES,
        ]
        codes = re.findall(r"<li>([0-9a-f]{8}-[0-9a-f]{8})</li>", response.content.decode())
        assert len(codes) == 10
        link = re.search(r'class="btn btn-primary" href="([^"]*)"', response.content.decode())
        assert_stays_on_this_site(link.group(1))
        # Undo, so that the next example sets it up again.
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
        StaticDevice.objects.filter(user=newcomer).delete()
        return
    assert after == before, "a refused code changed something"
    assert list(all_field_errors(response)) == ["code"], "the refused code has no message by it"
    assert typed != real or "\x00" in typed


def test_a_set_up_code_typed_as_the_app_shows_it_is_accepted(newcomer):
    # Found by fuzzing: authenticator apps show "123 456"; sign-in takes it, set-up did not.
    client = Client()
    client.force_login(newcomer)
    client.get(reverse("mfa_setup"))
    code = totp_code(TOTPDevice.objects.get(user=newcomer, confirmed=False))

    response = client.post(reverse("mfa_setup"), {"code": f"{code[:3]} {code[3:]}"})

    assert 'id="recovery-codes"' in response.content.decode()


# New recovery codes


@FEW
@given(
    persona=st.sampled_from(["verified", "unverified", "no_device"]),
    junk=st.dictionaries(nasty_text, st.one_of(nasty_text, st.lists(nasty_text)), max_size=3),
)
def test_fuzzed_recovery_code_renewals_replace_only_the_own_codes(
    persona, junk, team, client_for, command
):
    user = {"verified": team["self"], "unverified": command, "no_device": team["preparer"]}[persona]
    if persona == "unverified":
        totp_device(command)
        client = Client()
        client.force_login(command)
    else:
        client = client_for(user)
    before = account_state()

    response = client.post(reverse("recovery_codes_renew"), junk)

    assert_not_a_server_error(response)
    after = account_state()
    if response.status_code == 400:
        assert unreadable(junk)
        assert after == before
        return
    if persona != "verified":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_verify"))
        assert after == before
        return
    assert response.status_code == 200
    codes = re.findall(r"<li>([0-9a-f]{8}-[0-9a-f]{8})</li>", response.content.decode())
    assert len(codes) == 10
    assert set(changes(before, after)) <= {"static", "tokens", "events"}
    own = set(StaticDevice.objects.filter(user=user).values_list("pk", flat=True))
    gone, new = changes(before, after)["tokens"]
    assert {row[0] for row in gone | new} <= own, "someone else's recovery codes changed"
    assert {row[1] for row in new} == {c.replace("-", "") for c in codes}
    assert new_event_kinds(before, after) == [Event.Kind.RECOVERY_CODES]


# Keeping the session alive


@FEW
@given(
    signed_in=st.booleans(),
    kind=st.sampled_from(["multipart", "json", "text", "file"]),
    junk=st.dictionaries(nasty_text, st.one_of(nasty_text, st.lists(nasty_text)), max_size=3),
)
def test_fuzzed_keepalives_never_fail_nor_change_anything(signed_in, kind, junk, team, client_for):
    client = client_for(team["preparer"]) if signed_in else Client()
    before = account_state()

    response = client.post(reverse("session_keepalive"), **sent_as(kind, junk, "x"))

    assert_not_a_server_error(response)
    assert account_state() == before
    if response.status_code == 400:
        assert unreadable(junk)
        return
    assert response.status_code == (200 if signed_in else 401)
    assert response.json()["signed_in"] is signed_in


# Asking for a password-reset link


@FEW
@given(
    email=mostly(
        st.sampled_from(
            [
                "preparer@example.gov",
                "PREPARER@Example.gov",
                " preparer@example.gov ",
                "invited@example.gov",  # no password yet: no link
                "retired@example.gov",  # deactivated: no link
                "nobody@example.gov",
            ]
        ),
        several(EMAILS),
    ),
    junk=st.dictionaries(nasty_text, nasty_text, max_size=2),
)
def test_fuzzed_reset_requests_never_fail_and_mail_only_the_owner(email, junk, team):
    data = {**{n: v for n, v in junk.items() if n != "email"}, "email": email}
    before, sent = account_state(), len(mail.outbox)

    response = Client().post(reverse("password_reset"), data)

    assert_not_a_server_error(response)
    assert account_state() == before
    if response.status_code == 400:
        assert unreadable(data)
        assert len(mail.outbox) == sent
        return
    typed = (last_value(email) or "").strip()
    if response.status_code == 302:
        assert response["Location"] == reverse("password_reset_done")
        # Only the active preparer has both an address and a password to reset.
        owners = [m.to for m in mail.outbox[sent:]]
        expected = typed.casefold() == "preparer@example.gov"
        assert owners == ([["preparer@example.gov"]] if expected else [])
        return
    assert response.status_code == 200
    assert len(mail.outbox) == sent
    assert list(all_field_errors(response)) == ["email"], "the refusal has no message by it"


# Setting a password from an invitation or reset link


def _b64(text: str) -> str:
    return urlsafe_base64_encode(text.encode())


@FEW
@given(
    uid=st.one_of(
        nasty_text.map(_b64),
        nasty_text,
        st.sampled_from(["VALID", "OTHER", _b64(str(2**63)), _b64("-1"), _b64("\u0661"), "=="]),
    ),
    token=st.one_of(nasty_text, st.sampled_from(["VALID", "OTHER", "set-password"])),
    new_password=st.one_of(nasty_text, st.just("a new long passphrase 9")),
)
def test_fuzzed_password_links_never_fail_and_work_only_as_issued(uid, token, new_password, team):
    invited, other = team["invited"], team["preparer"]
    valid_uid, valid_token = password_link(invited).split("/")[-3:-1]
    other_uid, other_token = password_link(other).split("/")[-3:-1]
    uid = {"VALID": valid_uid, "OTHER": other_uid}.get(uid, uid)
    token = {"VALID": valid_token, "OTHER": other_token}.get(token, token)
    url = f"/accounts/password/set/{quote(uid, safe='')}/{quote(token, safe='')}/"
    client = Client()
    before = account_state()

    shown = client.get(url)
    posted = client.post(url, {"new_password1": new_password, "new_password2": new_password})

    for response in (shown, posted):
        assert_not_a_server_error(response)
    assert account_state() == before, "a password link changed something before a form was sent"
    if (uid, token) == (valid_uid, valid_token):
        assert shown.status_code == 302
        assert shown["Location"].endswith("/set-password/")
        return
    if (uid, token) == (other_uid, other_token):
        return  # the preparer's own valid link
    assert shown.status_code in (200, 404)
    if shown.status_code == 200:
        assert "This link no longer works" in shown.content.decode()
        if posted.status_code != 400 or not unreadable(
            {"new_password1": new_password, "new_password2": new_password}
        ):
            assert "This link no longer works" in posted.content.decode()


def _readable(text: str) -> bool:
    return bool(text) and "\x00" not in text


@FEW
@given(
    new1=mostly(
        st.sampled_from(["a new long passphrase 9", "short", "123456789012", "invited-tester"]),
        nasty_text,
    ),
    new2=mostly(st.none(), nasty_text),
    duplicate=st.booleans(),
)
def test_fuzzed_passwords_set_from_a_link_never_fail_and_change_only_that_password(
    new1, new2, duplicate, team
):
    invited = User.objects.get(pk=team["invited"].pk)
    client = Client()
    form_url = client.get(password_link(invited))["Location"]
    new2 = new1 if new2 is None else new2
    before = account_state()

    data = {"new_password1": [new2, new1] if duplicate else new1, "new_password2": new2}
    response = client.post(form_url, data)

    assert_not_a_server_error(response)
    after = account_state()
    if response.status_code == 400:
        assert unreadable(data)
        assert after == before
        return
    expected = set()
    if not _readable(new1):
        expected.add("new_password1")
    if not _readable(new2) or (_readable(new1) and new1 != new2) or not acceptable(new2, invited):
        expected.add("new_password2")
    if response.status_code == 302:
        assert not expected
        assert response["Location"] == reverse("password_reset_complete")
        assert set(changes(before, after)) == {"users", "events"}
        (old_row,), (new_row,) = changes(before, after)["users"]
        assert old_row[0] == new_row[0] == invited.pk
        assert old_row[:2] == new_row[:2] and old_row[3:] == new_row[3:], "more than a password"
        assert User.objects.get(pk=invited.pk).check_password(new1)
        assert new_event_kinds(before, after) == [Event.Kind.PASSWORD_CHANGED]
        return
    assert response.status_code == 200
    assert after == before, "a refused password changed something"
    assert set(all_field_errors(response)) == expected, "a message is missing or misplaced"
    assert not form_alerts(response)


# Signing out


@FEW
@given(
    signed_in=st.booleans(),
    next_url=st.one_of(
        nasty_text,
        st.sampled_from(
            [
                "//evil.example",
                "https://evil.example/",
                "/\\evil",
                "/method/",
                "0",
                "/accounts/logout/",
            ]
        ),
    ),
    junk=st.dictionaries(nasty_text, st.one_of(nasty_text, st.lists(nasty_text)), max_size=2),
)
def test_fuzzed_sign_outs_never_fail_nor_lead_off_the_site(
    signed_in, next_url, junk, team, client_for
):
    client = client_for(team["preparer"]) if signed_in else Client()
    data = {**{n: v for n, v in junk.items() if n != "next"}, "next": next_url}
    before = account_state()

    response = client.post(reverse("logout"), data)

    assert_not_a_server_error(response)
    after = account_state()
    if response.status_code == 400:
        # Signed out first, as asked; the redirect's target could not be read.
        assert unreadable(data)
        assert set(changes(before, after)) <= {"events"}
        return
    if next_url == reverse("logout"):
        # Sent back to itself, Django renders registration/logged_out.html, which only the admin
        # app provides: see the test below.
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert_stays_on_this_site(response["Location"])
    assert set(changes(before, after)) <= {"events"}
    assert new_event_kinds(before, after) == ([Event.Kind.SIGNED_OUT] if signed_in else [])
    assert client.get(reverse("dashboard")).status_code == 302  # signed out


def test_a_sign_out_sent_back_to_itself_shows_this_site_s_page(team, client_for):
    client = client_for(team["preparer"])

    response = client.post(reverse("logout"), {"next": reverse("logout")})

    assert not is_signed_in(client)
    content = response.content.decode()
    assert "Thanks for spending some quality time" not in content  # the admin's page
    assert 'href="/admin/"' not in content
    assert "Readiness" in content and reverse("login") in content
