"""The security audit trail: sign-in, sign-out, lockout, MFA and member changes.

Every row records UTC time, actor, agency, event, object, outcome and IP address. Rows are only
ever created; no view and no admin can change or delete them.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import Event, Membership

# The address of the request being served, so services that record events need no request.
_current_ip: ContextVar[str | None] = ContextVar("readiness_client_ip", default=None)


def current_ip() -> str | None:
    return _current_ip.get()


class RequestAddress:
    """Middleware: make the client's address available to every event recorded meanwhile."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = _current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)


def client_ip(request) -> str | None:
    """The client's address, for audit rows and for django-axes (AXES_CLIENT_IP_CALLABLE).

    With settings.READINESS_TRUSTED_PROXY_COUNT = N > 0, the Nth address from the right of
    X-Forwarded-For: each trusted proxy appends the address it received from, so the Nth from
    the right is what the outermost trusted proxy saw, and anything to its left is whatever the
    client chose to send. With 0, or a header too short or not an address there, REMOTE_ADDR.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.READINESS_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def agency_id_of(user) -> int | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return Membership.objects.filter(user_id=user.pk).values_list("agency_id", flat=True).first()


def record(
    *,
    request,
    kind: str,
    actor=None,
    outcome: str = Event.Outcome.SUCCESS,
    subject_user=None,
    agency_id: int | None = None,
    username: str = "",
    old=None,
    new=None,
    comment: str = "",
) -> Event:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if agency_id is None:
        agency_id = agency_id_of(subject_user) or agency_id_of(actor)
    return Event.objects.create(
        kind=kind,
        actor=actor,
        outcome=outcome,
        subject_user=subject_user,
        agency_id=agency_id,
        username=(username or getattr(actor, "username", ""))[:150],
        ip_address=client_ip(request),
        old=old,
        new=new,
        comment=comment,
    )


@receiver(user_logged_in)
def on_signed_in(sender, request, user, **kwargs) -> None:
    from readiness.middleware import now

    if request is not None and hasattr(request, "session"):
        request.session["signed_in_at"] = request.session["last_activity"] = now()
    record(request=request, kind=Event.Kind.SIGNED_IN, actor=user)


@receiver(user_logged_out)
def on_signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        reason = getattr(request, "session_end_reason", "")
        kind = Event.Kind.SESSION_ENDED if reason else Event.Kind.SIGNED_OUT
        record(request=request, kind=kind, actor=user, comment=reason)


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first()
    record(
        request=request,
        kind=Event.Kind.SIGN_IN_FAILED,
        actor=None,
        outcome=Event.Outcome.FAILURE,
        subject_user=user,
        username=username,
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    user = get_user_model().objects.filter(username=username).first()
    record(
        request=request,
        kind=Event.Kind.LOCKED_OUT,
        actor=None,
        outcome=Event.Outcome.FAILURE,
        subject_user=user,
        username=username or "",
    )
