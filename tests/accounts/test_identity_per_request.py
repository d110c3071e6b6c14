"""Who is signed in, their role and their two-step state are read once per request, in one
query, and never kept between requests: a change shows on the member's next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from agencies.models import Role
from tests.factories import totp_device

IDENTITY_TABLES = ("auth_user", "assessments_membership", "otp_totp_", "otp_static_")


def identity_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured if any(f'FROM "{t}' in q["sql"] for t in IDENTITY_TABLES)]


@pytest.mark.parametrize("persona", ["preparer", "command"])
def test_the_member_their_agency_and_their_two_step_state_cost_one_query(
    persona, request, client_for, draft
):
    client = client_for(request.getfixturevalue(persona))

    queries = identity_queries(client, reverse("section", args=[draft.pk, "CAP"]))

    assert len(queries) == 1, queries
    assert "assessments_membership" in queries[0] and "otp_totp" in queries[0]


def test_a_role_change_shows_on_the_members_next_request(client_for, preparer, agency_admin, draft):
    member = client_for(preparer)
    assert member.get(reverse("section", args=[draft.pk, "CAP"])).status_code == 200

    client_for(agency_admin).post(
        reverse("member_role", args=[preparer.membership.pk]), {"role": Role.COMMAND}
    )

    # Command staff must use two-step sign-in: the next page sends them to set it up.
    response = member.get(reverse("section", args=[draft.pk, "CAP"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))


def test_a_demotion_shows_on_the_members_next_request(client_for, command, agency_admin, draft):
    member = client_for(command)
    assert member.get(reverse("assessment_start")).status_code == 200

    client_for(agency_admin).post(
        reverse("member_role", args=[command.membership.pk]), {"role": Role.PREPARER}
    )

    assert member.get(reverse("assessment_start")).status_code == 403


def test_a_removed_device_ends_the_two_step_state_on_the_next_request(
    client_for, command, site_admin_client, draft
):
    member = client_for(command)
    device = totp_device(command)
    assert member.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert member.get(reverse("section", args=[draft.pk, "CAP"])).status_code == 200

    response = site_admin_client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert response.status_code == 302

    response = member.get(reverse("section", args=[draft.pk, "CAP"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))
    assert DEVICE_ID_SESSION_KEY not in member.session


def test_an_unconfirmed_device_no_longer_counts(client_for, command, draft):
    member = client_for(command)
    device = totp_device(command)
    device.confirmed = False
    device.save()

    response = member.get(reverse("section", args=[draft.pk, "CAP"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_setup"))


def test_another_users_device_in_the_session_does_not_verify(client_for, command, agency_admin):
    member = client_for(command)
    session = member.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(agency_admin).persistent_id
    session.save()

    response = member.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))
