"""Agency administrators add members, change roles, deactivate and reactivate, issue links."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from agencies import services as members
from agencies.models import Membership, Role
from audit.models import Event
from notifications.models import Notification
from tests.factories import PASSWORD, MemberFactory
from tests.quick_run import quick_first

NEW_PASSWORD = "quiet-harbor-lantern-42"
User = get_user_model()


def invite_url_in(response) -> str:
    match = re.search(r'id="invite-link"[^>]*value="([^"]+)"', response.content.decode())
    assert match, "the page shows no invitation link"
    return html.unescape(match.group(1))


def add_member(client, **overrides):
    data = {
        "username": "jsmith",
        "first_name": "Jane",
        "last_name": "Smith",
        "email": "j.smith@example.gov",
        "role": Role.PREPARER,
        "title": "Records supervisor",
        **overrides,
    }
    return client.post(reverse("member_add"), data)


def set_password_with(link: str, password: str = NEW_PASSWORD):
    """Open the link as the new member would and post the new password. Returns the client and
    the last response."""
    client = Client()
    response = client.get(link, follow=True)
    if not response.context["validlink"]:
        return client, response
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": password, "new_password2": password}, follow=True
    )
    return client, response


def signs_in(username: str, password: str) -> bool:
    """Through the sign-in page, as axes needs the request."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] == reverse("dashboard")


def sessions_of(user) -> list[Session]:
    return [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


def role_of(user) -> str:
    return Membership.objects.get(user=user).role


@pytest.fixture
def admin_client(agency_admin, client_for):
    return client_for(agency_admin)


@pytest.fixture
def second_admin(agency):
    return MemberFactory(username="secondadmin", agency=agency, role=Role.AGENCY_ADMIN)


# Adding members and their invitation links


def test_it_adds_a_member_whose_link_sets_a_password_once(admin_client, agency):
    response = add_member(admin_client)

    assert response.status_code == 200
    user = User.objects.get(username="jsmith")
    assert user.is_active
    assert not user.has_usable_password()
    assert user.membership.agency == agency
    assert user.membership.role == Role.PREPARER
    assert user.membership.title == "Records supervisor"
    link = invite_url_in(response)
    assert link.startswith("http://testserver/accounts/password/set/")
    assert "UTC" in response.content.decode()

    _, done = set_password_with(link)
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert signs_in("jsmith", NEW_PASSWORD)

    _, again = set_password_with(link, "another-long-password-77")
    assert again.context["validlink"] is False
    assert "This link no longer works" in again.content.decode()
    assert signs_in("jsmith", NEW_PASSWORD)


def test_the_invitation_link_is_emailed_to_the_new_member_alone(admin_client, agency_admin):
    response = add_member(admin_client)

    link = invite_url_in(response)
    assert [message.to for message in mail.outbox] == [["j.smith@example.gov"]]
    message = mail.outbox[0]
    assert link in message.body
    assert link in message.alternatives[0][0]
    assert "Your username is jsmith" in message.body
    assert "has been emailed to Jane Smith at" in response.content.decode()
    # The link sets the password: it is not kept as an in-app notification.
    assert not Notification.objects.exists()


def test_a_member_without_an_address_gets_the_link_by_hand(admin_client):
    response = add_member(admin_client, email="")

    assert mail.outbox == []
    assert "has no email address, so nothing was sent" in response.content.decode()


def test_a_new_link_is_emailed_too(admin_client):
    add_member(admin_client)
    member = Membership.objects.get(user__username="jsmith")
    mail.outbox.clear()

    response = admin_client.post(reverse("member_invite", args=[member.pk]))

    assert [message.to for message in mail.outbox] == [["j.smith@example.gov"]]
    assert invite_url_in(response) in mail.outbox[0].body


def test_an_expired_invitation_link_is_refused(admin_client):
    link = invite_url_in(add_member(admin_client))
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)

    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        _, response = set_password_with(link)

    assert response.context["validlink"] is False
    assert not User.objects.get(username="jsmith").has_usable_password()


def test_it_refuses_a_duplicate_username(admin_client, preparer):
    response = add_member(admin_client, username="Preparer")

    assert response.status_code == 200
    assert "The username “Preparer” is already taken" in response.content.decode()
    assert not User.objects.filter(username="Preparer").exists()


def test_it_records_member_added(admin_client, agency_admin, agency):
    add_member(admin_client, role=Role.COMMAND)

    event = Event.objects.get(kind=Event.Kind.MEMBER_ADDED)
    assert event.actor == agency_admin
    assert event.subject_user.username == "jsmith"
    assert event.agency == agency
    assert event.new["role"] == Role.COMMAND
    assert event.ip_address == "127.0.0.1"


def test_a_new_link_replaces_the_old_one(admin_client):
    first = invite_url_in(add_member(admin_client))
    membership = User.objects.get(username="jsmith").membership

    response = admin_client.post(reverse("member_invite", args=[membership.pk]))

    second = invite_url_in(response)
    assert second != first
    _, refused = set_password_with(first)
    assert refused.context["validlink"] is False
    _, accepted = set_password_with(second)
    assert accepted.redirect_chain[-1][0] == reverse("password_reset_complete")


def test_it_records_a_new_link(admin_client, agency_admin, agency):
    add_member(admin_client)
    member = User.objects.get(username="jsmith")

    admin_client.post(
        reverse("member_invite", args=[member.membership.pk]), REMOTE_ADDR="198.51.100.23"
    )

    event = Event.objects.get(kind=Event.Kind.INVITE_ISSUED)
    assert (event.actor, event.subject_user, event.agency) == (agency_admin, member, agency)
    assert (event.outcome, event.ip_address) == ("success", "198.51.100.23")


def test_no_new_link_for_a_member_who_has_a_password(admin_client, preparer):
    response = admin_client.post(
        reverse("member_invite", args=[preparer.membership.pk]), follow=True
    )

    assert "has already set a password" in response.content.decode()
    assert 'id="invite-link"' not in response.content.decode()
    assert not Event.objects.filter(kind=Event.Kind.INVITE_ISSUED).exists()


# Changing roles


def test_it_changes_a_role_and_records_it(admin_client, preparer, agency_admin):
    response = admin_client.post(
        reverse("member_role", args=[preparer.membership.pk]), {"role": Role.COMMAND}
    )

    assert response.status_code == 302
    assert role_of(preparer) == Role.COMMAND
    event = Event.objects.get(kind=Event.Kind.ROLE_CHANGED)
    assert (event.old, event.new) == ({"role": "preparer"}, {"role": "command"})
    assert event.subject_user == preparer
    assert event.actor == agency_admin
    assert event.ip_address == "127.0.0.1"


def test_nobody_changes_their_own_role(admin_client, agency_admin, second_admin):
    response = admin_client.post(
        reverse("member_role", args=[agency_admin.membership.pk]), {"role": Role.PREPARER}
    )

    assert "You cannot change your own role" in response.content.decode()
    assert role_of(agency_admin) == Role.AGENCY_ADMIN
    assert not Event.objects.filter(kind=Event.Kind.ROLE_CHANGED).exists()


def test_the_last_agency_admin_cannot_be_demoted(admin_client, agency_admin):
    response = admin_client.post(
        reverse("member_role", args=[agency_admin.membership.pk]), {"role": Role.COMMAND}
    )

    assert "is the last active agency administrator" in response.content.decode()
    assert role_of(agency_admin) == Role.AGENCY_ADMIN


def test_an_admin_demoted_a_moment_ago_can_no_longer_act(agency_admin, second_admin):
    stale = Membership.objects.get(user=second_admin)
    members.member_role_change(
        membership=second_admin.membership,
        actor_membership=agency_admin.membership,
        role=Role.PREPARER,
    )

    with pytest.raises(PermissionDenied):
        members.member_role_change(
            membership=agency_admin.membership, actor_membership=stale, role=Role.PREPARER
        )
    assert role_of(agency_admin) == Role.AGENCY_ADMIN


def test_a_role_must_be_one_of_the_three(agency_admin, preparer):
    with pytest.raises(ValidationError, match="Choose one of the roles"):
        members.member_role_change(
            membership=preparer.membership,
            actor_membership=agency_admin.membership,
            role="superuser",
        )


# Deactivating and reactivating


def test_deactivation_ends_a_live_session_at_once(admin_client, preparer, client_for):
    member_client = client_for(preparer)
    assert member_client.get(reverse("dashboard")).status_code == 200
    assert sessions_of(preparer)

    response = admin_client.post(reverse("member_deactivate", args=[preparer.membership.pk]))

    assert response.status_code == 302
    preparer.refresh_from_db()
    assert not preparer.is_active
    assert sessions_of(preparer) == []
    next_page = member_client.get(reverse("dashboard"))
    assert next_page.status_code == 302
    assert next_page["Location"].startswith(reverse("login"))
    assert not signs_in("preparer", PASSWORD)
    event = Event.objects.get(kind=Event.Kind.MEMBER_DEACTIVATED)
    assert event.subject_user == preparer
    assert (event.old, event.new) == ({"active": True}, {"active": False})


def test_it_keeps_other_users_sessions(admin_client, preparer, command, client_for):
    command_client = client_for(command)

    admin_client.post(reverse("member_deactivate", args=[preparer.membership.pk]))

    assert command_client.get(reverse("dashboard")).status_code == 200


def test_nobody_deactivates_themselves(admin_client, agency_admin, second_admin):
    response = admin_client.post(
        reverse("member_deactivate", args=[agency_admin.membership.pk]), follow=True
    )

    assert "You cannot deactivate your own account" in response.content.decode()
    agency_admin.refresh_from_db()
    assert agency_admin.is_active


def test_it_reactivates_a_member(admin_client, preparer, agency_admin):
    members.member_deactivate(
        membership=preparer.membership, actor_membership=agency_admin.membership
    )

    response = admin_client.post(reverse("member_reactivate", args=[preparer.membership.pk]))

    assert response.status_code == 302
    assert signs_in("preparer", PASSWORD)
    event = Event.objects.get(kind=Event.Kind.MEMBER_REACTIVATED)
    assert event.subject_user == preparer
    assert event.actor == agency_admin


def test_state_changing_member_urls_refuse_get(admin_client, preparer):
    pk = preparer.membership.pk
    for name in ("member_deactivate", "member_reactivate", "member_invite"):
        assert admin_client.get(reverse(name, args=[pk])).status_code == 405


# The members list


def test_the_members_list_shows_each_member(admin_client, preparer, command, agency_admin):
    preparer.membership.title = "Records clerk"
    preparer.membership.save()

    response = admin_client.get(reverse("members"))

    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Preparer Tester", "preparer", "Records clerk", "Command", "Never"):
        assert text in page
    rows = {m.user.username: two_step for m, two_step in response.context["rows"]}
    # The fixture client gave the admin an authenticator; the preparer has none.
    assert rows == {"agencyadmin": True, "command": False, "preparer": False}


def test_member_pages_meet_the_page_rules(admin_client, preparer):
    """One h1 before any h2, no inline script or style (the CSP forbids them)."""
    pages = {
        "list": admin_client.get(reverse("members")),
        "add": admin_client.get(reverse("member_add")),
        "role": admin_client.get(reverse("member_role", args=[preparer.membership.pk])),
        "invite": add_member(admin_client),
        "audit": admin_client.get(reverse("agency_audit")),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        page = response.content.decode()
        main = page[page.index("<main") :]
        headings = re.findall(r"<h([1-6])", main)
        assert headings[0] == "1" and headings.count("1") == 1, name
        assert " style=" not in page, name
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == [], name


# Who may manage members


@pytest.mark.parametrize("persona", quick_first("preparer", "command"))
def test_it_requires_an_agency_admin(persona, request, client_for, preparer):
    client = client_for(request.getfixturevalue(persona))
    pk = preparer.membership.pk

    assert client.get(reverse("members")).status_code == 403
    assert client.get(reverse("member_add")).status_code == 403
    assert add_member(client).status_code == 403
    assert client.post(reverse("member_role", args=[pk]), {"role": "command"}).status_code == 403
    assert client.post(reverse("member_deactivate", args=[pk])).status_code == 403
    assert client.post(reverse("member_invite", args=[pk])).status_code == 403
    assert not User.objects.filter(username="jsmith").exists()
    assert role_of(preparer) == Role.PREPARER


@pytest.mark.parametrize("role", [Role.COMMAND, Role.AGENCY_ADMIN])
def test_it_checks_the_agency(role, outsider, preparer, client_for):
    Membership.objects.filter(user=outsider).update(role=role)
    client = client_for(outsider)
    pk = preparer.membership.pk

    assert client.get(reverse("member_role", args=[pk])).status_code == 404
    assert client.post(reverse("member_role", args=[pk]), {"role": "command"}).status_code == 404
    assert client.post(reverse("member_deactivate", args=[pk])).status_code == 404
    assert client.post(reverse("member_reactivate", args=[pk])).status_code == 404
    assert client.post(reverse("member_invite", args=[pk])).status_code == 404
    preparer.refresh_from_db()
    assert preparer.is_active
    assert role_of(preparer) == Role.PREPARER


def test_an_outsider_cannot_add_members_to_another_agency(
    outsider, agency, other_agency, client_for
):
    Membership.objects.filter(user=outsider).update(role=Role.AGENCY_ADMIN)
    outsider.membership.refresh_from_db()

    with pytest.raises(PermissionDenied):
        members.member_add(
            agency=agency,
            actor_membership=outsider.membership,
            username="intruder",
            first_name="In",
            last_name="Truder",
            email="",
            role=Role.AGENCY_ADMIN,
        )
    # Through the page, a new member always joins the administrator's own agency.
    add_member(client_for(outsider), agency=agency.pk)

    assert not User.objects.filter(username="intruder").exists()
    assert User.objects.get(username="jsmith").membership.agency == other_agency
    assert not agency.memberships.filter(user__username="jsmith").exists()


@pytest.mark.parametrize("persona", ["preparer", "command"])
def test_nobody_raises_their_own_role(persona, request):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        members.member_role_change(
            membership=user.membership, actor_membership=user.membership, role=Role.AGENCY_ADMIN
        )
    assert role_of(user) == persona
