"""Who may see or do what: the one place that answers "may this member do X?".

A state reviewer (`StateReviewer`) is no member: they are answered by `state_reviewer_or_none`
and `may_review_state` below, and every agency page answers them 404 as it does a stranger.

Every object is reached through the member's own agency (another agency's object is a 404,
never a 403: see `get_membership` and the apps' own object helpers). Views ask `may`/`require`
before acting, services ask the same again before writing, and templates read `permissions`
(the `may` context value), so a role is named here and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from .models import Agency, Membership, Role, StateReviewer


class Action(StrEnum):
    START = "start"  # start an assessment
    ANSWER = "answer"  # change answers of a draft
    SUBMIT = "submit"  # send a draft for review
    APPROVE = "approve"
    RETURN = "return"  # send a submitted assessment back to draft
    REOPEN = "reopen"  # start a new revision of an approved assessment
    EXPORT = "export"  # JSON export and answers CSV
    MANAGE_MEMBERS = "manage_members"
    MANAGE_AGENCY = "manage_agency"  # the agency's letterhead on its reports
    READ_AUDIT = "read_audit"  # the agency's audit log
    PLAN = "plan"  # create plan items, assign and change any of them
    PLAN_PROGRESS = "plan_progress"  # record progress on plan items the member owns
    EVIDENCE = "evidence"  # attach evidence to a draft's answers, remove what one attached
    COMMENT = "comment"  # start a comment on a question of a draft or submitted assessment
    REPLY = "reply"  # reply to a comment and mark it resolved
    PUBLISH = "publish"  # publish or unpublish the public community summary of an approved one


COMMAND_ROLES = frozenset({Role.COMMAND, Role.AGENCY_ADMIN})
EVERY_ROLE = frozenset(Role)

ALLOWED: dict[Action, frozenset[str]] = {
    Action.START: COMMAND_ROLES,
    Action.ANSWER: EVERY_ROLE,
    Action.SUBMIT: EVERY_ROLE,
    Action.APPROVE: COMMAND_ROLES,
    Action.RETURN: COMMAND_ROLES,
    Action.REOPEN: COMMAND_ROLES,
    Action.EXPORT: COMMAND_ROLES,
    Action.MANAGE_MEMBERS: frozenset({Role.AGENCY_ADMIN}),
    Action.MANAGE_AGENCY: frozenset({Role.AGENCY_ADMIN}),
    Action.READ_AUDIT: COMMAND_ROLES,
    Action.PLAN: COMMAND_ROLES,
    Action.PLAN_PROGRESS: EVERY_ROLE,
    Action.EVIDENCE: EVERY_ROLE,
    Action.COMMENT: COMMAND_ROLES,
    Action.REPLY: EVERY_ROLE,
    Action.PUBLISH: COMMAND_ROLES,
}

REFUSALS: dict[Action, Promise] = {  # lazy: translated when shown
    Action.START: gettext_lazy("Only command staff can start an assessment."),
    Action.ANSWER: gettext_lazy("Only members of this agency can answer its assessments."),
    Action.SUBMIT: gettext_lazy("Only members of this agency can submit its assessments."),
    Action.APPROVE: gettext_lazy("Only command staff can approve an assessment."),
    Action.RETURN: gettext_lazy("Only command staff can return an assessment."),
    Action.REOPEN: gettext_lazy("Only command staff can reopen an assessment."),
    Action.EXPORT: gettext_lazy("Only command staff can export an assessment."),
    Action.MANAGE_MEMBERS: gettext_lazy(
        "Only an agency administrator of this agency can manage its members."
    ),
    Action.MANAGE_AGENCY: gettext_lazy(
        "Only an agency administrator of this agency can change its letterhead or its sharing."
    ),
    Action.READ_AUDIT: gettext_lazy(
        "Only command staff and agency administrators can read the audit log."
    ),
    Action.PLAN: gettext_lazy(
        "Only command staff can create plan items or change another member's items."
    ),
    Action.PLAN_PROGRESS: gettext_lazy(
        "Only members of this agency can record progress on its plan."
    ),
    Action.EVIDENCE: gettext_lazy(
        "Only members of this agency can attach evidence to its assessments."
    ),
    Action.COMMENT: gettext_lazy(
        "Only command staff can start a comment; reply to theirs instead."
    ),
    Action.REPLY: gettext_lazy(
        "Only members of this agency can reply to comments on its assessments."
    ),
    Action.PUBLISH: gettext_lazy(
        "Only command staff can publish or unpublish the community summary."
    ),
}

# Roles that must use two-step sign-in (site administrators must too: see accounts.mfa).
TWO_STEP_ROLES = COMMAND_ROLES


def may(membership: Membership | None, action: Action, *, agency_id: int | None = None) -> bool:
    """Whether the member may do `action` (in `agency_id`, when given). No query."""
    if membership is None or not membership.user.is_active:
        return False
    if agency_id is not None and membership.agency_id != agency_id:
        return False
    return membership.role in ALLOWED[action]


def require(membership: Membership | None, action: Action, *, agency_id: int | None = None) -> None:
    """Raise PermissionDenied, with a message naming who may, unless `may`."""
    if not may(membership, action, agency_id=agency_id):
        raise PermissionDenied(REFUSALS[action])


def permissions(membership: Membership | None) -> dict[str, bool]:
    """`may` for every action, for templates: `{% if may.approve %}`."""
    return {action.value: may(membership, action) for action in Action}


def two_step_required(membership: Membership | None) -> bool:
    """Whether the member's role requires two-step sign-in."""
    return membership is not None and membership.role in TWO_STEP_ROLES


def membership_remember(user, membership: Membership | None) -> None:
    """Keep `membership` (loaded with the user) as the user's, for `membership_or_none`."""
    user._readiness_membership = membership


def membership_or_none(user) -> Membership | None:
    """The user's membership with its agency: loaded with the user by the sign-in backend, or
    once per request (cached on the user)."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_readiness_membership"):
        user._readiness_membership = (
            Membership.objects.select_related("agency", "user")
            .defer("agency__logo_png")  # read by the report alone
            .filter(user_id=user.pk)
            .first()
        )
    return user._readiness_membership


def get_membership(request: HttpRequest) -> Membership:
    """The signed-in user's membership; a user without an agency gets a 404 on agency pages."""
    membership = membership_or_none(request.user)
    if membership is None:
        raise Http404("You are not a member of any agency.")
    return membership


def reviewer_remember(user, reviewer: StateReviewer | None) -> None:
    """Keep `reviewer` (loaded with the user) as the user's, for `state_reviewer_or_none`."""
    user._readiness_state_reviewer = reviewer


def state_reviewer_or_none(user) -> StateReviewer | None:
    """The user's state-reviewer row: loaded with the user by the sign-in backend, or once per
    request (cached on the user). None for anyone else, and for an agency member who is somehow
    a reviewer too (the services refuse to make one): membership wins, the state view is shut."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if not hasattr(user, "_readiness_state_reviewer"):
        user._readiness_state_reviewer = StateReviewer.objects.filter(user_id=user.pk).first()
    reviewer = user._readiness_state_reviewer
    if reviewer is None or membership_or_none(user) is not None:
        return None
    reviewer.user = user  # the signed-in user itself: `may_review_state` reads no other row
    return reviewer


def get_state_reviewer(request: HttpRequest) -> StateReviewer:
    """The signed-in state reviewer; anyone else gets a 404 on the state pages."""
    reviewer = state_reviewer_or_none(request.user)
    if reviewer is None:
        raise Http404("You are not a state reviewer.")
    return reviewer


def may_review_state(reviewer: StateReviewer | None, agency: Agency) -> bool:
    """Whether the reviewer may see the agency's approved results: the agency is in the
    reviewer's state and has chosen to share with its state reviewers. No query."""
    return (
        reviewer is not None
        and reviewer.user.is_active
        and agency.state.upper() == reviewer.state
        and agency.shares_with_state
    )


def sharing_agencies_q(reviewer: StateReviewer, prefix: str = "") -> Q:
    """The rule of `may_review_state` as a query filter on agencies (or on rows whose agency
    is at `prefix`, e.g. "agency__"), for the lists that must never name anyone else."""
    return Q(**{f"{prefix}state__iexact": reviewer.state, f"{prefix}shares_with_state": True})
