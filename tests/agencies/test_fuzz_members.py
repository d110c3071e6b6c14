"""The agency administrator's member pages fuzzed through the test client: adding members,
changing roles, deactivating, reactivating and issuing invitation links, with hostile text,
wrong types and bodies, duplicated fields, foreign and nonsense ids.

Whatever is posted: never a 500; a refused form says why in the field's own error element (or
the page answers 400, 403 or 404, or the members page says why); and nothing already saved
changes (people, memberships, roles, passwords, two-step devices, audit events) beyond what the
post did on purpose.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from agencies.models import Membership, Role
from audit.models import Event
from tests.fuzzing import (
    EMAILS,
    FUZZ,
    VALID_EMAIL_254,
    account_state,
    all_field_errors,
    assert_not_a_server_error,
    changes,
    field_errors,
    form_alerts,
    last_value,
    mostly,
    nasty_text,
    new_event_kinds,
    sent_as,
    several,
    unreadable,
    wrong_body,
)
from tests.hypothesis_profiles import examples
from tests.pages import text_of

User = get_user_model()
pytestmark = pytest.mark.slow  # fuzzing, and the cases it found


def shown_messages(client) -> str:
    """The text of the flash messages the next page shows (the members page)."""
    page = client.get(reverse("members")).content.decode()
    found = re.search(r'<div class="messages" role="status">(.*?)</div>\s*</div>', page, re.S)
    return text_of(found.group(1)) if found else ""


def target_pk(team, target: str) -> int:
    return {"missing": 999_999_999, "huge": 2**63}.get(target) or team[target].membership.pk


FOREIGN = ("outsider", "outsider_admin", "missing", "huge")
TARGETS = ["self", "preparer", "command", "invited", "retired", *FOREIGN]


# Adding a member

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

    posted = sent_as(kind, data, file_field)
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

    response = client.post(reverse("member_role", args=[pk]), **sent_as(kind, data, "role"))

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


@settings(FUZZ, max_examples=examples(30))
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
