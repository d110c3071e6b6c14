"""The Django admin: changes to people, roles and two-step devices are audited as in the app, and
nobody named in the audit trail can be deleted."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Role
from audit.models import Event
from tests.factories import PASSWORD, totp_device
from tests.pages import agency_form, membership_row

User = get_user_model()
ADMIN_IP = "192.0.2.50"
# Changes made in the Django admin, by site administrators: beyond the quick run.
pytestmark = pytest.mark.slow


@pytest.fixture
def site_admin_client(site_admin_client):
    """The site administrator, signed in past two-step sign-in, from ADMIN_IP."""
    site_admin_client.defaults["REMOTE_ADDR"] = ADMIN_IP
    return site_admin_client


def only(kind: str) -> Event:
    return Event.objects.get(kind=kind)


def assert_done_by_the_site_admin(event: Event, *, subject, agency) -> None:
    assert (event.actor.username, event.subject_user, event.agency) == ("admin", subject, agency)
    assert (event.outcome, event.ip_address) == ("success", ADMIN_IP)


def user_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not False}


# Roles


def test_a_role_changed_in_the_membership_admin_is_recorded(site_admin_client, preparer, agency):
    membership = preparer.membership
    response = site_admin_client.post(
        reverse("admin:agencies_membership_change", args=[membership.pk]),
        {"user": preparer.pk, "agency": agency.pk, "role": Role.COMMAND, "title": "Sergeant"},
    )

    assert response.status_code == 302
    event = only(Event.Kind.ROLE_CHANGED)
    assert_done_by_the_site_admin(event, subject=preparer, agency=agency)
    assert (event.old, event.new) == ({"role": "preparer"}, {"role": "command"})


def test_a_title_change_alone_records_no_role_change(site_admin_client, preparer, agency):
    site_admin_client.post(
        reverse("admin:agencies_membership_change", args=[preparer.membership.pk]),
        {"user": preparer.pk, "agency": agency.pk, "role": Role.PREPARER, "title": "Sergeant"},
    )

    assert not Event.objects.filter(kind=Event.Kind.ROLE_CHANGED).exists()


def test_a_role_changed_in_the_agencys_member_list_is_recorded(site_admin_client, preparer, agency):
    membership = preparer.membership
    response = site_admin_client.post(
        reverse("admin:agencies_agency_change", args=[agency.pk]),
        agency_form(agency, membership_row(membership, role=Role.AGENCY_ADMIN)),
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.AGENCY_ADMIN
    event = only(Event.Kind.ROLE_CHANGED)
    assert_done_by_the_site_admin(event, subject=preparer, agency=agency)
    assert (event.old, event.new) == ({"role": "preparer"}, {"role": "agency_admin"})


def test_a_member_added_in_the_admin_is_recorded(site_admin_client, agency):
    newcomer = User.objects.create_user("newcomer", password=PASSWORD)

    response = site_admin_client.post(
        reverse("admin:agencies_membership_add"),
        {"user": newcomer.pk, "agency": agency.pk, "role": Role.COMMAND, "title": ""},
    )

    assert response.status_code == 302
    event = only(Event.Kind.MEMBER_ADDED)
    assert_done_by_the_site_admin(event, subject=newcomer, agency=agency)
    assert event.new == {"username": "newcomer", "role": "command"}


def test_moving_a_member_to_another_agency_is_recorded_in_both_and_ends_the_sessions(
    site_admin_client, preparer, agency, other_agency, client_for
):
    preparers_browser = client_for(preparer)
    assert preparers_browser.get(reverse("dashboard")).status_code == 200

    response = site_admin_client.post(
        reverse("admin:agencies_membership_change", args=[preparer.membership.pk]),
        {"user": preparer.pk, "agency": other_agency.pk, "role": Role.COMMAND, "title": ""},
    )

    assert response.status_code == 302
    events = Event.objects.filter(kind=Event.Kind.MEMBER_MOVED).order_by("pk")
    assert [event.agency for event in events] == [agency, other_agency]
    for event in events:
        assert_done_by_the_site_admin(event, subject=preparer, agency=event.agency)
        assert event.old == {"agency": agency.name, "role": "preparer"}
        assert event.new == {"agency": other_agency.name, "role": "command"}
        assert "1 session(s) ended" in event.comment
    assert preparers_browser.get(reverse("dashboard")).status_code == 302


@pytest.mark.parametrize("how", ["delete page", "bulk action", "agency's member list"])
def test_deleting_a_membership_is_recorded_and_ends_the_sessions(
    site_admin_client, preparer, agency, client_for, how
):
    preparers_browser = client_for(preparer)
    assert preparers_browser.get(reverse("dashboard")).status_code == 200
    membership = preparer.membership

    if how == "delete page":
        url = reverse("admin:agencies_membership_delete", args=[membership.pk])
        data = {"post": "yes"}
    elif how == "bulk action":
        url = reverse("admin:agencies_membership_changelist")
        data = {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"}
    else:
        url = reverse("admin:agencies_agency_change", args=[agency.pk])
        data = agency_form(agency, membership_row(membership, DELETE="on"))
    response = site_admin_client.post(url, data)

    assert response.status_code == 302
    assert not agency.memberships.exists()
    event = only(Event.Kind.MEMBERSHIP_DELETED)
    assert_done_by_the_site_admin(event, subject=preparer, agency=agency)
    assert event.old == {"agency": agency.name, "role": "preparer"}
    assert event.comment == "Membership deleted in the Django admin. 1 session(s) ended."
    assert preparers_browser.get(reverse("dashboard")).status_code == 302


def test_granting_site_administration_is_recorded(site_admin_client, preparer, agency):
    response = site_admin_client.post(
        reverse("admin:auth_user_change", args=[preparer.pk]), user_form(preparer, is_staff=True)
    )

    assert response.status_code == 302
    event = only(Event.Kind.SITE_ROLE_CHANGED)
    assert_done_by_the_site_admin(event, subject=preparer, agency=agency)
    assert (event.old, event.new) == ({"is_staff": False}, {"is_staff": True})


# Passwords

NEW_PASSWORD = "lantern-quarry-81-meadow"


@pytest.mark.parametrize(
    "data, comment",
    [
        (
            {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            "In the Django admin.",
        ),
        (
            {"usable_password": "false", "unset-password": "1"},
            "Password sign-in turned off. In the Django admin.",
        ),
    ],
    ids=["set", "turned off"],
)
def test_a_password_set_in_the_user_admin_is_recorded(
    site_admin_client, preparer, agency, client_for, data, comment
):
    preparers_browser = client_for(preparer)
    assert preparers_browser.get(reverse("dashboard")).status_code == 200

    response = site_admin_client.post(
        reverse("admin:auth_user_password_change", args=[preparer.pk]), data
    )

    assert response.status_code == 302
    event = only(Event.Kind.PASSWORD_CHANGED)
    assert_done_by_the_site_admin(event, subject=preparer, agency=agency)
    assert event.comment == comment
    assert preparers_browser.get(reverse("dashboard")).status_code == 302


def test_a_refused_password_records_nothing(site_admin_client, preparer):
    response = site_admin_client.post(
        reverse("admin:auth_user_password_change", args=[preparer.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": "something else"},
    )

    assert response.status_code == 200
    assert not Event.objects.filter(kind=Event.Kind.PASSWORD_CHANGED).exists()


# Deactivating


def test_deactivating_in_the_user_admin_is_recorded_and_ends_the_sessions(
    site_admin_client, preparer, agency, client_for
):
    preparers_browser = client_for(preparer)
    assert preparers_browser.get(reverse("dashboard")).status_code == 200

    response = site_admin_client.post(
        reverse("admin:auth_user_change", args=[preparer.pk]), user_form(preparer, is_active=False)
    )

    assert response.status_code == 302
    event = only(Event.Kind.MEMBER_DEACTIVATED)
    assert_done_by_the_site_admin(event, subject=preparer, agency=agency)
    assert (event.old, event.new) == ({"active": True}, {"active": False})
    assert "1 session(s) ended" in event.comment
    assert preparers_browser.get(reverse("dashboard")).status_code == 302


def test_reactivating_in_the_user_admin_is_recorded(site_admin_client, preparer, agency):
    preparer.is_active = False
    preparer.save()

    site_admin_client.post(
        reverse("admin:auth_user_change", args=[preparer.pk]), user_form(preparer, is_active=True)
    )

    event = only(Event.Kind.MEMBER_REACTIVATED)
    assert_done_by_the_site_admin(event, subject=preparer, agency=agency)
    assert (event.old, event.new) == ({"active": False}, {"active": True})


# Two-step devices


def totp_form(user, **changes) -> dict:
    data = {
        "user": user.pk,
        "name": "Replacement phone",
        "confirmed": "on",
        "key": "3132333435363738393031323334353637383930",
        "step": 30,
        "t0": 0,
        "digits": 6,
        "tolerance": 1,
        "drift": 0,
        "throttling_failure_count": 0,
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not False}


def static_form(user) -> dict:
    return {
        "user": user.pk,
        "name": "Recovery codes",
        "confirmed": "on",
        "token_set-TOTAL_FORMS": "1",
        "token_set-INITIAL_FORMS": "0",
        "token_set-MIN_NUM_FORMS": "0",
        "token_set-MAX_NUM_FORMS": "1000",
        "token_set-0-token": "a1b2c3d4",
    }


@pytest.mark.parametrize(
    "url, form, device",
    [
        ("admin:otp_totp_totpdevice_add", totp_form, "Replacement phone (TOTP device)"),
        ("admin:otp_static_staticdevice_add", static_form, "Recovery codes (static device)"),
    ],
    ids=["authenticator", "recovery codes"],
)
def test_adding_a_device_is_recorded(site_admin_client, command, agency, url, form, device):
    response = site_admin_client.post(reverse(url), form(command))

    assert response.status_code == 302
    event = only(Event.Kind.MFA_ENABLED)
    assert_done_by_the_site_admin(event, subject=command, agency=agency)
    assert event.comment == f"{device}. In the Django admin."


def test_a_device_is_recorded_when_confirmed_not_when_added_unconfirmed(
    site_admin_client, command, agency
):
    site_admin_client.post(
        reverse("admin:otp_totp_totpdevice_add"), totp_form(command, confirmed=False)
    )
    assert not Event.objects.filter(kind=Event.Kind.MFA_ENABLED).exists()
    device = TOTPDevice.objects.get(user=command, name="Replacement phone")

    response = site_admin_client.post(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]), totp_form(command)
    )

    assert response.status_code == 302
    event = only(Event.Kind.MFA_ENABLED)
    assert_done_by_the_site_admin(event, subject=command, agency=agency)
    assert event.comment == "Replacement phone (TOTP device). In the Django admin."


def test_removing_a_lost_authenticator_is_recorded(site_admin_client, command, agency):
    device = totp_device(command)

    response = site_admin_client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    event = only(Event.Kind.MFA_REMOVED)
    assert_done_by_the_site_admin(event, subject=command, agency=agency)
    assert device.name in event.comment


def test_removing_devices_in_bulk_records_each(site_admin_client, command, agency_admin, agency):
    devices = [totp_device(command), totp_device(agency_admin)]
    recovery_codes = StaticDevice.objects.create(user=command, name="Recovery codes")

    site_admin_client.post(
        reverse("admin:otp_totp_totpdevice_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [device.pk for device in devices],
            "post": "yes",
        },
    )
    site_admin_client.post(
        reverse("admin:otp_static_staticdevice_changelist"),
        {"action": "delete_selected", "_selected_action": [recovery_codes.pk], "post": "yes"},
    )

    assert not TOTPDevice.objects.filter(pk__in=[device.pk for device in devices]).exists()
    assert not StaticDevice.objects.filter(pk=recovery_codes.pk).exists()
    events = Event.objects.filter(kind=Event.Kind.MFA_REMOVED)
    assert sorted(event.subject_user.username for event in events) == [
        "agencyadmin",
        "command",
        "command",
    ]
    for event in events:
        assert_done_by_the_site_admin(event, subject=event.subject_user, agency=agency)


# The trail outlives the people in it


def trail() -> list[tuple]:
    return list(
        Event.objects.order_by("pk").values_list("pk", "kind", "actor_id", "subject_user_id")
    )


@pytest.mark.parametrize("how", ["delete page", "bulk action"])
def test_someone_named_in_the_trail_cannot_be_deleted(site_admin_client, preparer, how):
    Client().post(reverse("login"), {"username": "preparer", "password": "wrong password"})
    Client().post(reverse("login"), {"username": "preparer", "password": PASSWORD})
    before = trail()
    assert {row[1] for row in before} == {Event.Kind.SIGN_IN_FAILED, Event.Kind.SIGNED_IN}

    if how == "delete page":
        response = site_admin_client.post(
            reverse("admin:auth_user_delete", args=[preparer.pk]), {"post": "yes"}
        )
    else:
        response = site_admin_client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "delete_selected", "_selected_action": [preparer.pk], "post": "yes"},
        )

    assert response.status_code == 200
    page = response.content.decode()
    assert "would require deleting the following protected related objects" in page
    assert "Signed in" in page and "Sign-in failed" in page
    assert User.objects.filter(pk=preparer.pk).exists()
    assert trail() == before


def test_someone_never_named_in_the_trail_can_still_be_deleted(site_admin_client, db):
    typo = User.objects.create_user("jsmiht")

    response = site_admin_client.post(
        reverse("admin:auth_user_delete", args=[typo.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk=typo.pk).exists()
