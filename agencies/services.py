"""Writes about an agency's members: add, change role, deactivate, reactivate, invitation links.

Each service is atomic, checks that the actor is an agency administrator of the member's
agency, keeps at least one active agency administrator per agency, records its audit event and
raises `PermissionDenied` or `ValidationError` with a message the user can act on.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from PIL import Image

from audit.models import Event
from audit.request import client_ip
from audit.services import event_record
from notifications.models import Kind as NewsKind
from notifications.services import News, notify

from .access import Action, require
from .logo import CleanLogo, logo_clean
from .models import Agency, Membership, Role, StateReviewer, person_name

IN_ADMIN = "In the Django admin."


def _check_admin(actor: Membership | None, agency_id: int) -> Membership:
    require(actor, Action.MANAGE_MEMBERS, agency_id=agency_id)
    return actor


def _locked_admin(actor_membership: Membership, agency_id: int) -> Membership:
    """The actor's membership read again under a row lock, if it may manage `agency_id`.

    Reading it again (not trusting the caller's copy) means an administrator demoted or
    deactivated a moment ago by someone else can no longer act.
    """
    actor = (
        Membership.objects.select_for_update(of=("self",))  # not the joined user row
        .select_related("user")
        .filter(pk=actor_membership.pk)
        .first()
    )
    return _check_admin(actor, agency_id)


def _lock_pair(
    *, membership: Membership, actor_membership: Membership
) -> tuple[Membership, Membership]:
    """(actor, member) read again under row locks, taken in id order so that two administrators
    acting on each other at once wait for each other instead of deadlocking; the second then
    finds that the first has changed its rights. One query."""
    rows = {
        m.pk: m
        for m in Membership.objects.select_for_update(of=("self",))  # not the joined rows
        .select_related("user", "agency")
        .filter(pk__in={membership.pk, actor_membership.pk})
        .order_by("pk")
    }
    member = rows.get(membership.pk)
    if member is None:
        raise ValidationError(gettext("This member no longer exists."))
    return _check_admin(rows.get(actor_membership.pk), member.agency_id), member


def _refuse_last_admin(member: Membership, action: str) -> None:
    if member.role != Role.AGENCY_ADMIN or not member.user.is_active:
        return
    others = (
        Membership.objects.filter(
            agency_id=member.agency_id, role=Role.AGENCY_ADMIN, user__is_active=True
        )
        .exclude(pk=member.pk)
        .exists()
    )
    if not others:
        raise ValidationError(
            gettext(
                "%(user)s is the last active agency administrator of %(name)s and cannot be "
                "%(action)s. Make another member an agency administrator first."
            )
            % {"user": person_name(member.user), "name": member.agency.name, "action": action}
        )


def _refuse_self(member: Membership, actor: Membership, what: str) -> None:
    if member.pk == actor.pk:
        raise PermissionDenied(
            gettext("You cannot %(what)s; ask another agency administrator.") % {"what": what}
        )


def _member_event(request, kind: str, *, actor, subject_user, agency_id, **fields) -> None:
    """Record a change to a person (`subject_user`) made by `actor` from `request`."""
    event_record(
        kind=kind,
        actor=actor,
        subject_user=subject_user,
        agency_id=agency_id,
        ip_address=client_ip(request),
        **fields,
    )


def invite_expires_at(issued_at: datetime | None = None) -> datetime:
    """When a link issued at `issued_at` (default: now) stops working."""
    issued_at = issued_at or timezone.now()
    return issued_at + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def _invite_link(user, request) -> str:
    """Django's password-reset link: its token stops working once the password is set (the
    password hash is part of it) and after settings.PASSWORD_RESET_TIMEOUT seconds."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return request.build_absolute_uri(path) if request is not None else path


def _invite_send(user, link: str, actor, agency: Agency, role_label: str) -> str:
    """Email the invitation link to the new member (never kept as an in-app notification: the
    link sets the password). Returns the address it went to, or "" when there is none."""
    if not user.email:
        return ""
    expires = timezone.localtime(invite_expires_at()).strftime("%Y-%m-%d %H:%M %Z")
    notify(
        recipients=[user],
        in_app=False,
        news=News(
            kind=NewsKind.INVITATION,
            subject=gettext("Your invitation to %(agency)s") % {"agency": agency.name},
            summary=gettext(
                "%(person)s invited you to %(agency)s in Readiness as %(role)s. Your username "
                "is %(username)s. Set your password with the link below; it works once and "
                "expires on %(expires)s."
            )
            % {
                "person": person_name(actor),
                "agency": agency.name,
                "role": role_label,
                "username": user.get_username(),
                "expires": expires,
            },
            url=link,
        ),
    )
    return user.email


def _validate_role(role: str) -> str:
    if role not in Role.values:
        labels = ", ".join(str(label) for label in Role.labels)
        raise ValidationError(
            {"role": gettext("Choose one of the roles: %(labels)s.") % {"labels": labels}}
        )
    return role


@transaction.atomic
def member_add(
    *,
    agency: Agency,
    actor_membership: Membership,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    title: str = "",
    request=None,
) -> tuple[AbstractUser, str]:
    """Create an active user with no usable password in `agency`; return it and the link that
    lets them set one (absolute when `request` is given). The link is not stored: show it once,
    with `invite_expires_at()`."""
    _locked_admin(actor_membership, agency.pk)
    User = get_user_model()
    username = username.strip()
    role = _validate_role(role)
    if not username:
        raise ValidationError({"username": gettext("Enter a username, e.g. jsmith.")})
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as error:
        raise ValidationError({"username": error.messages}) from error
    taken = ValidationError(
        {
            "username": gettext("The username “%(username)s” is already taken. Choose another.")
            % {"username": username}
        }
    )
    # Sign-in is case-sensitive, but "JSmith" beside "jsmith" only invites mistakes.
    if User.objects.filter(username__iexact=username).exists():
        raise taken
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                email=User.objects.normalize_email(email.strip()),
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                password=None,  # unusable until the member sets one through the link
            )
    except IntegrityError as error:  # someone took the name a moment ago
        raise taken from error
    title = title.strip()[:100]
    Membership.objects.create(user=user, agency=agency, role=role, title=title)
    _member_event(
        request,
        Event.Kind.MEMBER_ADDED,
        actor=actor_membership.user,
        subject_user=user,
        agency_id=agency.pk,
        new={"username": username, "role": role, **({"title": title} if title else {})},
    )
    link = _invite_link(user, request)
    _invite_send(user, link, actor_membership.user, agency, Role(role).label)
    return user, link


@transaction.atomic
def member_role_change(
    *, membership: Membership, actor_membership: Membership, role: str, request=None
) -> Membership:
    """Give the member another role. Nobody changes their own role, and an agency always keeps
    an active agency administrator. Changing to the current role does nothing."""
    role = _validate_role(role)
    actor, member = _lock_pair(membership=membership, actor_membership=actor_membership)
    if member.role == role:
        return member
    if role != Role.AGENCY_ADMIN:
        _refuse_last_admin(member, "given another role")
    _refuse_self(member, actor, "change your own role")
    old = member.role
    member.role = role
    member.save(update_fields=["role"])
    _member_event(
        request,
        Event.Kind.ROLE_CHANGED,
        actor=actor.user,
        subject_user=member.user,
        agency_id=member.agency_id,
        old={"role": old},
        new={"role": role},
    )
    return member


def sessions_end(*, user) -> int:
    """Delete every stored session of `user`; returns how many.

    Cost: decodes every unexpired session row of the installation (one query, then one signature
    check per row), because the database session store does not index sessions by user. Fine at
    this app's scale (a few hundred sessions); a larger installation would keep a user→session
    table filled on sign-in.
    """
    user_id = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def sessions_end_note(user) -> str:
    """End `user`'s sessions at once and say how many, for an audit comment ("" if none)."""
    ended = sessions_end(user=user)
    return f" {ended} session(s) ended." if ended else ""


@transaction.atomic
def member_deactivate(
    *, membership: Membership, actor_membership: Membership, request=None
) -> Membership:
    """Stop the member from signing in and end their sessions at once. Nobody deactivates
    themselves, and an agency always keeps an active agency administrator."""
    actor, member = _lock_pair(membership=membership, actor_membership=actor_membership)
    _refuse_self(member, actor, "deactivate your own account")
    user = member.user
    if not user.is_active:
        raise ValidationError(
            gettext("%(user)s is already deactivated.") % {"user": person_name(user)}
        )
    _refuse_last_admin(member, "deactivated")
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = sessions_end(user=user)
    _member_event(
        request,
        Event.Kind.MEMBER_DEACTIVATED,
        actor=actor.user,
        subject_user=user,
        agency_id=member.agency_id,
        old={"active": True},
        new={"active": False},
        comment=f"{ended} session(s) ended." if ended else "",
    )
    return member


@transaction.atomic
def member_reactivate(
    *, membership: Membership, actor_membership: Membership, request=None
) -> Membership:
    """Let a deactivated member sign in again with their existing password and role."""
    actor, member = _lock_pair(membership=membership, actor_membership=actor_membership)
    user = member.user
    if user.is_active:
        raise ValidationError(gettext("%(user)s is already active.") % {"user": person_name(user)})
    user.is_active = True
    user.save(update_fields=["is_active"])
    _member_event(
        request,
        Event.Kind.MEMBER_REACTIVATED,
        actor=actor.user,
        subject_user=user,
        agency_id=member.agency_id,
        old={"active": False},
        new={"active": True},
    )
    return member


@transaction.atomic
def invite_link_create(
    *, membership: Membership, actor_membership: Membership, request=None
) -> str:
    """A new invitation link for an active member who has not set a password yet.

    Earlier links stop working: the member's unusable password is replaced by a new random one,
    and the token covers it. A member who has set a password is refused, so an administrator
    cannot take over a working account; that member can use "Forgotten your password?".
    """
    actor, member = _lock_pair(membership=membership, actor_membership=actor_membership)
    user = member.user
    name = person_name(user)
    if not user.is_active:
        raise ValidationError(
            gettext("%(name)s is deactivated: reactivate the account first.") % {"name": name}
        )
    if user.has_usable_password():
        raise ValidationError(
            gettext(
                "%(name)s has already set a password. If it is forgotten, they can ask for a "
                "reset link on the sign-in page."
            )
            % {"name": name}
        )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    _member_event(
        request,
        Event.Kind.INVITE_ISSUED,
        actor=actor.user,
        subject_user=user,
        agency_id=member.agency_id,
        comment="Earlier links no longer work.",
    )
    link = _invite_link(user, request)
    _invite_send(user, link, actor.user, member.agency, member.get_role_display())
    return link


def admin_change_record(request, kind: str, subject_user, *, comment: str = IN_ADMIN, **fields):
    """An audit row for a change a site administrator made in the Django admin, with them as
    the actor, in the trail of the agency of the person changed (unless `agency_id` is given)."""
    if "agency_id" not in fields:
        membership = Membership.objects.filter(user_id=subject_user.pk).first()
        fields["agency_id"] = membership.agency_id if membership else None
    _member_event(
        request, kind, actor=request.user, subject_user=subject_user, comment=comment, **fields
    )


def _locked_agency_admin(actor_membership: Membership, agency_id: int) -> Membership:
    """The actor's membership read again under a row lock, if it may manage `agency_id`."""
    actor = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=actor_membership.pk)
        .first()
    )
    require(actor, Action.MANAGE_AGENCY, agency_id=agency_id)
    return actor


@transaction.atomic
def agency_logo_set(
    *,
    agency: Agency,
    actor_membership: Membership,
    data: bytes,
    name: str = "",
    content_type: str = "",
    ip_address: str | None,
) -> CleanLogo:
    """Make `data` (an uploaded PNG or JPEG) the agency's letterhead, cleaned as
    `agencies.logo.logo_clean` does; raise ValidationError (SVG, not an image, too large) or
    PermissionDenied. Three queries."""
    actor = _locked_agency_admin(actor_membership, agency.pk)
    logo = logo_clean(data, name=name, content_type=content_type)
    replaced = Agency.objects.filter(pk=agency.pk, logo_updated_at__isnull=False).exists()
    now = timezone.now()
    Agency.objects.filter(pk=agency.pk).update(logo_png=logo.png, logo_updated_at=now)
    agency.logo_png, agency.logo_updated_at = logo.png, now
    event_record(
        kind=Event.Kind.LOGO_SET,
        actor=actor.user,
        agency_id=agency.pk,
        ip_address=ip_address,
        new=logo.summary(),
        comment=f"Uploaded as “{name[:200]}”"
        + ("; replaced the earlier letterhead." if replaced else "."),
    )
    return logo


@transaction.atomic
def agency_logo_remove(
    *, agency: Agency, actor_membership: Membership, ip_address: str | None
) -> bool:
    """Remove the agency's letterhead; False when it had none. Three queries."""
    actor = _locked_agency_admin(actor_membership, agency.pk)
    row = (
        Agency.objects.select_for_update()
        .filter(pk=agency.pk)
        .values_list("logo_png", flat=True)
        .first()
    )
    if not row:
        return False
    png = bytes(row)
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    Agency.objects.filter(pk=agency.pk).update(logo_png=None, logo_updated_at=None)
    agency.logo_png, agency.logo_updated_at = None, None
    event_record(
        kind=Event.Kind.LOGO_REMOVED,
        actor=actor.user,
        agency_id=agency.pk,
        ip_address=ip_address,
        old={
            "sha256": hashlib.sha256(png).hexdigest(),
            "width": width,
            "height": height,
            "bytes": len(png),
        },
    )
    return True


@transaction.atomic
def agency_sharing_set(
    *, agency: Agency, actor_membership: Membership, shares: bool, ip_address: str | None
) -> bool:
    """Share (or stop sharing) the agency's approved results with the state reviewers of its
    state; returns whether anything changed. Only the agency's administrator may; a change is
    recorded, and takes effect on the reviewers' next request. Three queries (two when nothing
    changes)."""
    actor = _locked_agency_admin(actor_membership, agency.pk)
    before = (
        Agency.objects.select_for_update()
        .filter(pk=agency.pk)
        .values_list("shares_with_state", flat=True)
        .get()
    )
    if before == shares:
        agency.shares_with_state = shares
        return False
    Agency.objects.filter(pk=agency.pk).update(shares_with_state=shares)
    agency.shares_with_state = shares
    event_record(
        kind=Event.Kind.AGENCY_SHARING_CHANGED,
        actor=actor.user,
        agency_id=agency.pk,
        ip_address=ip_address,
        old={"shares_with_state": before},
        new={"shares_with_state": shares},
    )
    return True


def state_reviewer_conflict(*, user_id: int | None, becoming: str) -> str:
    """Why the user cannot become `becoming` ("member" or "reviewer"): a person is either an
    agency member or a state reviewer, never both, so that nothing a member may see leaks into
    the state view or the other way round. "" when they can. One query."""
    if user_id is None:
        return ""
    if becoming == "member" and StateReviewer.objects.filter(user_id=user_id).exists():
        return (
            "This person is a state reviewer and cannot also be an agency member. Remove their "
            "state reviewer rights first, or add the member as a separate account."
        )
    if becoming == "reviewer" and Membership.objects.filter(user_id=user_id).exists():
        return (
            "This person is a member of an agency and cannot also be a state reviewer. Use a "
            "separate account for the state body."
        )
    return ""
