"""The Django admin's pages for agencies and memberships."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from agencies.models import Role
from tests.factories import PASSWORD
from tests.pages import agency_form, membership_row

User = get_user_model()


def test_a_membership_cannot_be_handed_to_someone_else(site_admin_client, preparer, agency):
    newcomer = User.objects.create_user("newcomer", password=PASSWORD)
    membership = preparer.membership

    site_admin_client.post(
        reverse("admin:agencies_membership_change", args=[membership.pk]),
        {"user": newcomer.pk, "agency": agency.pk, "role": Role.PREPARER, "title": ""},
    )
    site_admin_client.post(
        reverse("admin:agencies_agency_change", args=[agency.pk]),
        agency_form(agency, membership_row(membership, user=newcomer.pk)),
    )

    membership.refresh_from_db()
    assert membership.user == preparer
    assert not hasattr(User.objects.get(pk=newcomer.pk), "membership")
