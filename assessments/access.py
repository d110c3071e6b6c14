"""Who may see what: every object is reached through the user's own agency."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import Assessment, Membership


def membership_or_none(user) -> Membership | None:
    """The user's membership with its agency, loaded once per request (cached on the user)."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_readiness_membership"):
        user._readiness_membership = (
            Membership.objects.select_related("agency").filter(user_id=user.pk).first()
        )
    return user._readiness_membership


def get_membership(request: HttpRequest) -> Membership:
    """The signed-in user's membership; a user without an agency gets a 404 on agency pages."""
    membership = membership_or_none(request.user)
    if membership is None:
        raise Http404("You are not a member of any agency.")
    return membership


def get_assessment_for_user(request: HttpRequest, pk: int) -> tuple[Assessment, Membership]:
    """The assessment if it belongs to the user's agency, else 404 (never 403)."""
    membership = get_membership(request)
    assessment = get_object_or_404(
        Assessment.objects.select_related("agency", "questionnaire", "approved_by"),
        pk=pk,
        agency_id=membership.agency_id,
    )
    return assessment, membership


def require_command(membership: Membership) -> None:
    if not membership.is_command:
        raise PermissionDenied("Only command staff can do this.")
