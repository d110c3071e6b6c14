"""Sharing with the state reviewers: the agency administrator's choice, off by default,
audited; and the state reviewer, who is never an agency member and must use two-step sign-in."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.urls import reverse

from accounts.mfa import mfa_required_by_policy
from agencies import access
from agencies.models import Agency, Role, StateReviewer
from agencies.services import agency_sharing_set
from audit.models import Event
from tests.factories import PASSWORD, AgencyFactory
from tests.pages import text_of

User = get_user_model()


def test_an_agency_does_not_share_until_its_administrator_says_so(agency, state_reviewer):
    reviewer = state_reviewer.state_reviewer

    assert agency.shares_with_state is False
    assert not access.may_review_state(reviewer, agency)


def test_the_agency_administrator_shares_and_stops_sharing_from_the_members_page(
    agency, agency_admin, client_for
):
    client = client_for(agency_admin)

    shared = client.post(reverse("agency_sharing"), {"shares": "on"}, follow=True)
    assert Agency.objects.get(pk=agency.pk).shares_with_state
    assert "State reviewers for TX now see this agency" in text_of(shared.content.decode())
    stopped = client.post(reverse("agency_sharing"), {}, follow=True)

    assert not Agency.objects.get(pk=agency.pk).shares_with_state
    assert "Not shared." in text_of(stopped.content.decode())
    events = Event.objects.filter(kind=Event.Kind.AGENCY_SHARING_CHANGED).order_by("pk")
    assert [(e.actor, e.agency_id, e.old, e.new) for e in events] == [
        (agency_admin, agency.pk, {"shares_with_state": False}, {"shares_with_state": True}),
        (agency_admin, agency.pk, {"shares_with_state": True}, {"shares_with_state": False}),
    ]


def test_sharing_again_changes_nothing_and_records_nothing(agency, agency_admin):
    agency_sharing_set(
        agency=agency, actor_membership=agency_admin.membership, shares=True, ip_address=None
    )

    changed = agency_sharing_set(
        agency=agency, actor_membership=agency_admin.membership, shares=True, ip_address=None
    )

    assert changed is False
    assert Event.objects.filter(kind=Event.Kind.AGENCY_SHARING_CHANGED).count() == 1


@pytest.mark.parametrize("persona", ["preparer", "command"])
def test_only_the_agency_administrator_may_change_sharing(agency, persona, request, client_for):
    member = request.getfixturevalue(persona)

    response = client_for(member).post(reverse("agency_sharing"), {"shares": "on"})

    assert response.status_code == 403
    assert not Agency.objects.get(pk=agency.pk).shares_with_state
    with pytest.raises(PermissionDenied):
        agency_sharing_set(
            agency=agency, actor_membership=member.membership, shares=True, ip_address=None
        )


def test_a_reviewer_sees_a_sharing_agency_of_their_state_only(agency, other_agency, state_reviewer):
    reviewer = state_reviewer.state_reviewer
    Agency.objects.update(shares_with_state=True)
    agency.refresh_from_db()
    other_agency.refresh_from_db()

    assert access.may_review_state(reviewer, agency)
    assert not access.may_review_state(reviewer, other_agency)  # North Carolina


def test_a_deactivated_reviewer_sees_nothing(agency, state_reviewer):
    Agency.objects.update(shares_with_state=True)
    agency.refresh_from_db()
    state_reviewer.is_active = False
    state_reviewer.save()

    assert access.state_reviewer_or_none(User.objects.get(pk=state_reviewer.pk)) is None


def test_state_reviewers_must_use_two_step_sign_in(state_reviewer):
    assert mfa_required_by_policy(User.objects.get(pk=state_reviewer.pk))


def test_a_member_who_is_somehow_also_a_reviewer_gets_no_state_view(preparer):
    StateReviewer.objects.create(user=preparer, state="TX")  # past the admin's checks

    assert access.state_reviewer_or_none(User.objects.get(pk=preparer.pk)) is None


def test_the_admin_refuses_to_make_a_member_a_state_reviewer(site_admin_client, preparer):
    response = site_admin_client.post(
        reverse("admin:agencies_statereviewer_add"),
        {"user": preparer.pk, "state": "TX", "body": "Texas Sheriffs' Association"},
    )

    assert "cannot also be a state reviewer" in text_of(response.content.decode())
    assert not StateReviewer.objects.exists()


def test_the_admin_refuses_to_make_a_state_reviewer_a_member(
    site_admin_client, state_reviewer, agency
):
    response = site_admin_client.post(
        reverse("admin:agencies_membership_add"),
        {"user": state_reviewer.pk, "agency": agency.pk, "role": Role.PREPARER, "title": ""},
    )

    assert "cannot also be an agency member" in text_of(response.content.decode())
    assert not hasattr(User.objects.get(pk=state_reviewer.pk), "membership")


def test_the_admin_makes_a_state_reviewer_and_records_it(site_admin_client, admin_user):
    person = User.objects.create_user("agoffice", password=PASSWORD)

    site_admin_client.post(
        reverse("admin:agencies_statereviewer_add"),
        {"user": person.pk, "state": "tx", "body": "Office of the Attorney General"},
    )

    assert StateReviewer.objects.get(user=person).state == "TX"
    event = Event.objects.get(kind=Event.Kind.STATE_REVIEWER_CHANGED)
    assert (event.actor, event.subject_user, event.old, event.new) == (
        admin_user,
        person,
        {"state": ""},
        {"state": "TX"},
    )


def test_the_state_is_a_postal_code(db):
    with pytest.raises(IntegrityError):
        StateReviewer.objects.create(user=User.objects.create_user("x"), state="tx")


def test_a_second_agency_of_the_state_stays_unseen_until_it_shares(agency, state_reviewer):
    lakeview = AgencyFactory(name="Lakeview County Sheriff's Office")
    reviewer = state_reviewer.state_reviewer

    assert not access.may_review_state(reviewer, lakeview)
