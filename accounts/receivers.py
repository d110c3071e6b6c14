"""Sign-in signals: stamp the session's start for its limits, and record each in the trail."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from agencies.access import membership_or_none
from audit.models import Event
from audit.request import client_ip
from audit.services import event_record

from . import middleware


def _agency_id(user) -> int | None:
    membership = membership_or_none(user) if user is not None else None
    return membership.agency_id if membership else None


def _user_named(username: str):
    return get_user_model().objects.filter(username=username).first() if username else None


@receiver(user_logged_in)
def on_signed_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session["signed_in_at"] = request.session["last_activity"] = middleware.now()
    event_record(
        kind=Event.Kind.SIGNED_IN,
        actor=user,
        agency_id=_agency_id(user),
        ip_address=client_ip(request),
    )


@receiver(user_logged_out)
def on_signed_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    reason = getattr(request, "session_end_reason", "")
    event_record(
        kind=Event.Kind.SESSION_ENDED if reason else Event.Kind.SIGNED_OUT,
        actor=user,
        agency_id=_agency_id(user),
        comment=reason,
        ip_address=client_ip(request),
    )


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = _user_named(username)
    event_record(
        kind=Event.Kind.SIGN_IN_FAILED,
        outcome=Event.Outcome.FAILURE,
        subject_user=user,
        agency_id=_agency_id(user),
        username=username,
        ip_address=client_ip(request),
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    user = _user_named(username or "")
    event_record(
        kind=Event.Kind.LOCKED_OUT,
        outcome=Event.Outcome.FAILURE,
        subject_user=user,
        agency_id=_agency_id(user),
        username=username or "",
        ip_address=client_ip(request),
    )
