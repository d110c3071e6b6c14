"""The agency administrator's member pages and the account pages fuzzed through the test client:
hostile text, wrong types and bodies, duplicated fields, foreign and nonsense ids, missing or
stale CSRF tokens.

Whatever is posted: never a 500; a refused form says why in the field's own error element (or
the page answers 400, 403 or 404, or the members page says why); and nothing already saved
changes (people, memberships, roles, passwords, two-step devices, audit events) beyond what the
post did on purpose.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.mfa import pending_totp_device
from assessments.models import Event, Membership, Role
from tests.assessments.test_fuzz_checklist import (
    FEW,
    FUZZ,
    SPECIALS,
    acceptable,
    all_field_errors,
    assert_not_a_server_error,
    csrf_token,
    field_errors,
    form_alerts,
    last_value,
    nasty_text,
    text_of,
    unreadable,
    wrong_body,
)
from tests.factories import MemberFactory, totp_code, totp_device

User = get_user_model()


def account_state() -> dict[str, set]:
    """Everything a form of these pages could change by mistake, as sets of rows."""
    return {
        "users": set(
            User.objects.values_list(
                "pk",
                "username",
                "password",
                "is_active",
                "email",
                "first_name",
                "last_name",
                "is_staff",
                "is_superuser",
            )
        ),
        "memberships": set(
            Membership.objects.values_list("pk", "user_id", "agency_id", "role", "title")
        ),
        # Not the throttling counters: a refused code counts against its device on purpose.
        "totp": set(TOTPDevice.objects.values_list("pk", "user_id", "key", "confirmed")),
        "static": set(StaticDevice.objects.values_list("pk", "user_id", "confirmed")),
        "tokens": set(StaticToken.objects.values_list("device_id", "token")),
        "events": set(Event.objects.values_list("pk", "kind", "actor_id", "subject_user_id")),
    }


def changes(before: dict, after: dict) -> dict[str, tuple[set, set]]:
    """What changed, by table: (rows gone, rows new)."""
    return {
        name: (before[name] - after[name], after[name] - before[name])
        for name in before
        if before[name] != after[name]
    }


def new_event_kinds(before: dict, after: dict) -> list[str]:
    return sorted(row[1] for row in after["events"] - before["events"])


def shown_messages(client) -> str:
    """The text of the flash messages the next page shows (the members page)."""
    page = client.get(reverse("members")).content.decode()
    found = re.search(r'<div class="messages" role="status">(.*?)</div>\s*</div>', page, re.S)
    return text_of(found.group(1)) if found else ""


def assert_stays_on_this_site(location: str) -> None:
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location[:200]
    assert not location.startswith(("//", "/\\", "\\")), location[:200]


def mostly(good, bad):
    """`good` half the time, else `bad` (st.one_of would give each branch of `bad` a share)."""
    return st.booleans().flatmap(lambda ok: good if ok else bad)


def several(values):
    """A field sent once, or any number of times (a list: duplicated fields; empty: missing)."""
    return st.one_of(values, st.lists(values, max_size=3))


# Fixtures


@pytest.fixture
def team(agency, other_agency, agency_admin, preparer, command, outsider):
    """Example County's members of every kind, and Sample County's, by name."""
    invited = MemberFactory(username="invited", agency=agency, password=None)
    retired = MemberFactory(username="retired", agency=agency, role=Role.COMMAND, is_active=False)
    other_admin = MemberFactory(username="otheradmin", agency=other_agency, role=Role.AGENCY_ADMIN)
    preparer.email = "preparer@example.gov"
    preparer.save()
    for user, email in ((invited, "invited@example.gov"), (retired, "retired@example.gov")):
        user.email = email
        user.save()
    return {
        "self": agency_admin,
        "preparer": preparer,
        "command": command,
        "invited": invited,
        "retired": retired,
        "outsider": outsider,
        "outsider_admin": other_admin,
    }


def target_pk(team, target: str) -> int:
    return {"missing": 999_999_999, "huge": 2**63}.get(target) or team[target].membership.pk


FOREIGN = ("outsider", "outsider_admin", "missing", "huge")
TARGETS = ["self", "preparer", "command", "invited", "retired", *FOREIGN]


# Adding a member

VALID_EMAIL_254 = "j" * 64 + "@" + ("d" * 62 + ".") * 2 + "e" * 59 + ".gov"
USERNAMES = st.one_of(
    nasty_text,
    st.sampled_from(
        [
            "jsmith",
            "preparer",
            "PREPARER",
            " jdoe ",
            "j.doe@x+y-z_",
            "\ufdfa" * 10,  # one character, 18 in the normal form the username is stored in
            "\ufb01le",  # the "fi" ligature: "file" once stored
            "\u00a8x",  # NFKC: a space and a combining mark
            "a" * 150,
            "a" * 151,
            "\u0130stanbul",
        ]
    ),
)
EMAILS = st.one_of(
    nasty_text,
    st.sampled_from(
        [
            "",
            "j.smith@example.gov",
            "J.Smith@EXAMPLE.GOV",
            "preparer@example.gov",
            VALID_EMAIL_254,
            VALID_EMAIL_254[:-4] + "x.gov",  # 255
            "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "gov",  # valid, 308 characters
            "not-an-email",
            "a@b\x00.gov",
            "j@\u0130\u0130.gov",
        ]
    ),
)
ROLES = st.one_of(st.sampled_from([*Role.values, "AGENCY_ADMIN", "admin", " command"]), nasty_text)
NAMES = st.one_of(nasty_text, st.sampled_from(["Jo", "O\u2019Brien", "\u05e9\u05e8\u05d4"]))
BODY_KINDS = ["urlencoded", "multipart", "multipart", "multipart", "json", "text", "file"]
ADD_FIELDS = ["username", "first_name", "last_name", "email", "role", "title"]
WELL_TYPED = {
    "username": st.one_of(
        st.from_regex(r"[a-z][a-z0-9._@+-]{2,20}", fullmatch=True),
        st.sampled_from(["\ufb01le", "a" * 150, "\u0130stanbul", "j.doe@x+y-z_", "PREPARER"]),
    ),
    "first_name": st.sampled_from(["Jo", "Ana Mar\u00eda", "\u05e9\u05e8\u05d4"]),
    "last_name": st.sampled_from(["O\u2019Brien", "Smith", "x" * 150]),
    "email": st.sampled_from(["", "j.smith@example.gov", "J.Smith@EXAMPLE.GOV", VALID_EMAIL_254]),
    "role": st.sampled_from(Role.values),
    "title": st.sampled_from(["", "Sergeant", "\u202eright-to-left\u202c", "x" * 100]),
}
HOSTILE = {
    "username": several(USERNAMES),
    "first_name": several(NAMES),
    "last_name": several(NAMES),
    "email": several(EMAILS),
    "role": several(ROLES),
    "title": several(nasty_text),
}


def _posted(kind: str, data: dict, file_field: str) -> dict:
    if kind == "multipart":
        return {"data": data}
    if kind == "urlencoded":
        pairs = [
            (name, value)
            for name, values in data.items()
            for value in (values if isinstance(values, list) else [values])
        ]
        return {
            "data": "&".join(f"{quote(n, safe='')}={quote(v, safe='')}" for n, v in pairs),
            "content_type": "application/x-www-form-urlencoded",
        }
    flat = {name: last_value(value) or "" for name, value in data.items()}
    return wrong_body(kind, flat, file_field)


def too_big(posted: dict) -> bool:
    """Whether an encoded body is over Django's limit (percent-encoding triples a character)."""
    body = posted["data"]
    return (
        isinstance(body, str) and len(body.encode()) > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )


def expected_add_errors(data: dict, kind: str, file_field: str) -> set[str]:
    """The fields whose message the member form must show, worked out independently."""
    if kind in ("json", "text"):
        return {"username", "first_name", "last_name", "role"}  # Django reads none of it

    def typed(name: str) -> str:
        if kind == "file" and name == file_field:
            return ""
        return (last_value(data.get(name)) or "").strip()

    expected = {file_field} if kind == "file" else set()
    username = unicodedata.normalize("NFKC", typed("username"))
    if (
        not username
        or "\x00" in username
        or len(username) > 150
        or not _valid(UnicodeUsernameValidator(), username)
    ):
        expected.add("username")
    for name, limit in (("first_name", 150), ("last_name", 150), ("title", 100)):
        text = typed(name)
        if (name != "title" and not text) or "\x00" in text or len(text) > limit:
            expected.add(name)
    email = typed("email")
    if email and (
        len(User.objects.normalize_email(email)) > 254 or not _valid(validate_email, email)
    ):
        expected.add("email")
    role = None if kind == "file" and file_field == "role" else last_value(data.get("role"))
    if role not in Role.values:  # a choice is not stripped
        expected.add("role")
    if not expected and User.objects.filter(username__iexact=username).exists():
        expected.add("username")  # checked once the form is valid, as it is saved
    return expected


def _valid(validator, value: str) -> bool:
    try:
        validator(value)
    except ValidationError:
        return False
    return True


@FUZZ
@given(
    hostile=st.sets(st.sampled_from(ADD_FIELDS), max_size=3),
    values=st.data(),
    kind=st.sampled_from(BODY_KINDS),
    file_field=st.sampled_from(ADD_FIELDS),
    junk=st.dictionaries(nasty_text, nasty_text, max_size=2),
)
def test_fuzzed_member_additions_never_fail_nor_change_anyone(
    hostile, values, kind, file_field, junk, team, client_for
):
    client = client_for(team["self"])
    fields = {
        name: values.draw((HOSTILE if name in hostile else WELL_TYPED)[name], label=name)
        for name in ADD_FIELDS
    }
    username, email, role = fields["username"], fields["email"], fields["role"]
    data = {**{n: v for n, v in junk.items() if n not in fields}, **fields}
    expected = expected_add_errors(data, kind, file_field)
    before = account_state()

    posted = _posted(kind, data, file_field)
    response = client.post(reverse("member_add"), **posted)

    assert_not_a_server_error(response)
    after = account_state()
    if response.status_code == 400:
        assert kind in ("urlencoded", "multipart", "file")
        assert unreadable(data) or too_big(posted)
        assert after == before
        return
    assert response.status_code == 200
    if 'id="invite-link"' in response.content.decode():
        assert not expected, f"added although {sorted(expected)} should have been refused"
        assert set(changes(before, after)) == {"users", "memberships", "events"}
        assert not changes(before, after)["users"][0], "an existing account changed"
        assert new_event_kinds(before, after) == [Event.Kind.MEMBER_ADDED]
        user = User.objects.order_by("-pk").first()
        assert user.username == unicodedata.normalize("NFKC", last_value(username).strip())
        assert user.email == User.objects.normalize_email((last_value(email) or "").strip())
        assert not user.has_usable_password()
        assert (user.membership.agency_id, user.membership.role) == (
            team["self"].membership.agency_id,
            last_value(role),
        )
        return
    assert after == before, "a refused addition changed something"
    errors = all_field_errors(response)
    assert set(errors) == expected, "a message is missing next to a field, or misplaced"
    alerts = form_alerts(response)
    if kind in ("json", "text"):
        assert len(alerts) == 1 and "not this page's form" in alerts[0]
    else:
        assert not alerts
    if kind == "file":
        assert "a file cannot be sent here" in " ".join(errors[file_field])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # Found by fuzzing on PostgreSQL: both passed the form and failed in the database.
        ("username", "\ufdfa" * 10, "A username has at most 150 characters"),
        ("email", "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "gov", "at most 254 characters"),
    ],
)
def test_a_username_or_address_too_long_for_its_column_is_refused_by_the_field(
    field, value, message, team, client_for
):
    client = client_for(team["self"])
    data = {"username": "jsmith", "first_name": "J", "last_name": "Smith", "role": "preparer"}
    before = account_state()

    response = client.post(reverse("member_add"), {**data, field: value})

    assert response.status_code == 200
    assert message in " ".join(field_errors(response, field))
    assert account_state() == before


def test_a_username_is_stored_and_checked_for_duplicates_in_its_normal_form(team, client_for):
    client = client_for(team["self"])
    data = {"first_name": "F", "last_name": "Ile", "role": "preparer"}

    client.post(reverse("member_add"), {**data, "username": "\ufb01le"})
    response = client.post(reverse("member_add"), {**data, "username": "file"})

    assert User.objects.filter(username="file").count() == 1
    assert "is already taken" in " ".join(field_errors(response, "username"))


@pytest.mark.parametrize("kind", ["json", "text", "file"])
def test_a_member_body_that_is_not_a_form_is_refused_saying_why(kind, team, client_for):
    client = client_for(team["self"])
    data = {"username": "scripted", "first_name": "S", "last_name": "Cript", "role": "command"}
    before = account_state()

    response = client.post(reverse("member_add"), **wrong_body(kind, data, "first_name"))

    assert response.status_code == 200
    assert account_state() == before
    if kind == "file":
        assert field_errors(response, "first_name") == ["Type this in; a file cannot be sent here."]
    else:
        assert form_alerts(response) == [
            f"Nothing was saved: what was sent was not this page's form (it came as "
            f"{'application/json' if kind == 'json' else 'text/plain'}). Fill in the form on "
            "the page and send it again."
        ]
        assert field_errors(response, "username")


# Changing a role


@FUZZ
@given(
    target=st.sampled_from(TARGETS),
    persona=st.sampled_from(["self", "self", "self", "command"]),
    role=mostly(st.sampled_from(Role.values), several(ROLES)),
    kind=st.sampled_from(["multipart", "multipart", "multipart", "json", "file"]),
    junk=st.dictionaries(nasty_text, nasty_text, max_size=2),
)
def test_fuzzed_role_changes_never_fail_nor_change_anyone_else(
    target, persona, role, kind, junk, team, client_for
):
    # Examples share the database: start each from the fixture's roles, not an earlier
    # example's (the command officer made an administrator, who then demoted the first one).
    for user in team.values():
        Membership.objects.filter(pk=user.membership.pk).update(role=user.membership.role)
    client = client_for(team[persona])
    pk = target_pk(team, target)
    data = {**{n: v for n, v in junk.items() if n != "role"}, "role": role}
    before = account_state()

    response = client.post(reverse("member_role", args=[pk]), **_posted(kind, data, "role"))

    assert_not_a_server_error(response)
    after = account_state()
    if response.status_code != 302:
        assert after == before, "a refused role change changed something"
    if target in FOREIGN:
        assert response.status_code in (400, 404)
        return
    if persona == "command":
        assert response.status_code in (400, 403)
        return
    if response.status_code == 400:
        assert unreadable(data)
        return
    wanted = last_value(role) if kind == "multipart" else None
    if response.status_code == 302:
        assert wanted in Role.values
        member = Membership.objects.get(pk=pk)
        assert member.role == wanted
        gone, new = changes(before, after).get("memberships", (set(), set()))
        assert {row[0] for row in gone | new} <= {pk}, "another membership changed"
        assert set(changes(before, after)) <= {"memberships", "events"}
        said = shown_messages(client)
        if new:
            assert new_event_kinds(before, after) == [Event.Kind.ROLE_CHANGED]
            assert "role changed from" in said
        else:
            assert not new_event_kinds(before, after)
            assert "nothing changed" in said
        return
    assert response.status_code == 200
    messages = field_errors(response, "role")
    assert messages, "the refusal has no message by the role"
    said = " ".join(messages)
    if kind == "file":
        assert messages == ["Type this in; a file cannot be sent here."]
    elif kind == "json":
        assert messages == ["Choose Preparer, Command or Agency administrator."]
        assert "not this page's form" in " ".join(form_alerts(response))
    elif wanted not in Role.values:
        assert messages == ["Choose Preparer, Command or Agency administrator."]
    else:
        assert target == "self", f"a change of {target} to {wanted} was refused: {said}"
        assert "your own role" in said or "last active agency administrator" in said, said


# Deactivating, reactivating, issuing a new invitation link

STATUS_ACTIONS = {
    "member_deactivate": ("is deactivated and signed out everywhere", "Not deactivated: "),
    "member_reactivate": ("can sign in again", "Not reactivated: "),
    "member_invite": (None, "No new link: "),
}


@settings(FUZZ, max_examples=30)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(list(STATUS_ACTIONS)),
            st.sampled_from(TARGETS),
            st.sampled_from(["self", "self", "command"]),
            st.dictionaries(nasty_text, st.one_of(nasty_text, st.lists(nasty_text)), max_size=3),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_fuzzed_member_status_posts_never_fail_and_change_only_their_member(
    steps, team, client_for
):
    # Examples share the database: the command officer may come deactivated from an earlier one.
    User.objects.filter(pk=team["command"].pk).update(is_active=True)
    clients = {"self": client_for(team["self"]), "command": client_for(team["command"])}
    for action, target, persona, junk in steps:
        if persona == "command" and not clients["command"].session.get("_auth_user_id"):
            continue  # deactivated by an earlier step, which ended the session
        pk = target_pk(team, target)
        before = account_state()

        response = clients[persona].post(reverse(action, args=[pk]), junk)

        assert_not_a_server_error(response)
        after = account_state()
        if target in FOREIGN:
            assert response.status_code in (400, 404)
        elif persona == "command":
            assert response.status_code in (400, 403)
        elif response.status_code == 400:
            assert unreadable(junk)
        if response.status_code in (400, 403, 404):
            assert after == before, "a refused post changed something"
            continue
        done, refused = STATUS_ACTIONS[action]
        member = Membership.objects.select_related("user").get(pk=pk)
        if action == "member_invite" and response.status_code == 200:
            assert "Earlier links for" in response.content.decode()
            assert set(changes(before, after)) == {"users", "events"}
            assert new_event_kinds(before, after) == [Event.Kind.INVITE_ISSUED]
            assert not member.user.has_usable_password()
            (old_row,), (new_row,) = changes(before, after)["users"]
            assert old_row[0] == new_row[0] == member.user_id
            continue
        assert response.status_code == 302
        assert response["Location"] == reverse("members")
        said = shown_messages(clients[persona])
        if said.startswith(refused):
            assert after == before, f"{action} was refused but changed something"
            assert len(said) > len(refused) + 10, "the refusal does not say why"
            continue
        assert done and done in said, said
        assert set(changes(before, after)) == {"users", "events"}
        (old_row,), (new_row,) = changes(before, after)["users"]
        assert old_row[0] == new_row[0] == member.user_id
        assert old_row[:3] == new_row[:3] and old_row[4:] == new_row[4:], "more than is_active"
        assert new_row[3] is (action == "member_reactivate")
        assert new_event_kinds(before, after) == [
            Event.Kind.MEMBER_DEACTIVATED
            if action == "member_deactivate"
            else Event.Kind.MEMBER_REACTIVATED
        ]


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

    response = client.post(reverse("session_keepalive"), **_posted(kind, junk, "x"))

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


def _link(user) -> str:
    return reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


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
    valid_uid, valid_token = _link(invited).split("/")[-3:-1]
    other_uid, other_token = _link(other).split("/")[-3:-1]
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
    form_url = client.get(_link(invited))["Location"]
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

    assert not _signed_in(client)
    content = response.content.decode()
    assert "Thanks for spending some quality time" not in content  # the admin's page
    assert 'href="/admin/"' not in content
    assert "Readiness" in content and reverse("login") in content


# CSRF: missing, garbage and stale tokens are refused and change nothing


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
    form_url = client.get(_link(team["invited"]))["Location"]
    passwords = {"new_password1": "a forged long password 7", "new_password2": ""}
    passwords["new_password2"] = passwords["new_password1"]
    return form_url, form_url, passwords


CSRF_ENDPOINTS = [
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


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("mode", CSRF_MODES)
@pytest.mark.parametrize("endpoint", CSRF_ENDPOINTS)
def test_posts_without_a_valid_csrf_token_are_refused_and_change_nothing(endpoint, mode, team):
    client = Client(enforce_csrf_checks=True)
    stale_token = csrf_token(Client(enforce_csrf_checks=True).get(reverse("login")))
    page, url, data = _csrf_case(endpoint, team, client)
    assert client.get(page).status_code == 200
    if mode == "garbage":
        data["csrfmiddlewaretoken"] = SPECIALS[CSRF_ENDPOINTS.index(endpoint) % len(SPECIALS)]
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
    before, sent, signed_in = account_state(), len(mail.outbox), _signed_in(client)

    response = client.post(url, data)

    assert response.status_code == 403, (endpoint, mode, response.status_code)
    assert "This form had expired" in response.content.decode()
    assert account_state() == before
    assert len(mail.outbox) == sent
    assert _signed_in(client) == signed_in


@settings(FEW, max_examples=15)
@given(endpoint=st.sampled_from(CSRF_ENDPOINTS), garbage=nasty_text)
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


@pytest.mark.parametrize("endpoint", CSRF_ENDPOINTS)
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
        assert not _signed_in(client)
    else:
        assert account_state() != before, f"{endpoint} did nothing with a valid token"
