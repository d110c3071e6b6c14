"""The sign-in backend: Django's, loading with the user what every request asks next."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import OuterRef, Subquery
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.access import membership_remember, reviewer_remember
from fastquery import PreparedQuery
from notifications.selectors import unread_count_annotation

# The confirmed devices loaded with the user, by the attribute that carries each one's id.
DEVICE_ATTRIBUTES = {"readiness_totp_id": TOTPDevice, "readiness_recovery_id": StaticDevice}


def _first_confirmed(model):
    return Subquery(
        model.objects.filter(user_id=OuterRef("pk"), confirmed=True).order_by("pk").values("pk")[:1]
    )


def _member_query(pk):
    return (
        get_user_model()
        ._default_manager.select_related("membership__agency", "state_reviewer")
        .defer("membership__agency__logo_png")  # read by the report alone
        .annotate(**{name: _first_confirmed(m) for name, m in DEVICE_ATTRIBUTES.items()})
        .annotate(readiness_unread=unread_count_annotation())
        .filter(pk=pk)
    )


MEMBER = PreparedQuery(_member_query)


class MemberBackend(ModelBackend):
    """Django's ModelBackend whose `get_user` (run once per request by the session) reads, in one
    prepared query, the user, their membership with its agency (or their state-reviewer row),
    their confirmed two-step
    devices and the number of their unread notifications (the header's bell).

    Nothing is kept between requests: a role change, a deactivation or a removed device shows on
    the member's next request, on whichever server answers it.
    """

    def get_user(self, user_id):
        try:
            user = MEMBER.first(int(user_id))
        except (TypeError, ValueError):  # not a user id: nobody is signed in
            return None
        if user is None or not self.user_can_authenticate(user):
            return None
        try:
            membership = user.membership  # loaded by select_related: no query
        except ObjectDoesNotExist:  # a site administrator, or a member removed from an agency
            membership = None
        membership_remember(user, membership)
        try:
            reviewer = user.state_reviewer  # loaded by select_related: no query
        except ObjectDoesNotExist:
            reviewer = None
        reviewer_remember(user, reviewer)
        return user


def loaded_device_ids(user) -> set[str]:
    """The persistent ids (django-otp's "app.model/pk") of the confirmed devices that came with
    the user from `MemberBackend.get_user`; empty for a user loaded any other way."""
    return {
        f"{model.model_label()}/{pk}"
        for name, model in DEVICE_ATTRIBUTES.items()
        if (pk := getattr(user, name, None)) is not None
    }
