"""Session limits and the two-step sign-in requirement, enforced on every request."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from .backends import loaded_device_ids
from .mfa import has_totp, mfa_required


def now() -> float:
    """The clock the session limits use; tests replace it."""
    return time.time()


def session_time_left(session, current: float) -> tuple[float, float]:
    """Seconds before `session` reaches its idle limit and its absolute limit (negative: past)."""
    idle = settings.SESSION_IDLE_SECONDS - (current - session.get("last_activity", current))
    absolute = settings.SESSION_ABSOLUTE_SECONDS - (current - session.get("signed_in_at", current))
    return idle, absolute


IDLE_STAMP_SECONDS = 60


class SessionLimits:
    """End a session after the idle limit, and always after the absolute limit.

    The browser cookie expires on the same idle schedule; checking here as well makes the limits
    hold on the server whatever the client sends.
    """

    PASSIVE_PATH_NAMES = {"session_status"}
    # Answered after the sign-out rather than redirected: the page's script reads their JSON.
    ANSWERED_SIGNED_OUT = {"login", "session_status", "session_keepalive"}

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            current = now()
            session.setdefault("signed_in_at", current)
            idle_left, absolute_left = session_time_left(session, current)
            reason = ""
            if absolute_left < 0:
                hours = settings.SESSION_ABSOLUTE_SECONDS // 3600
                reason = gettext(
                    "Your session reached its %(hours)s-hour limit. Sign in again to go on."
                ) % {"hours": hours}
            elif idle_left < 0:
                minutes = settings.SESSION_IDLE_SECONDS // 60
                reason = gettext(
                    "You were signed out after %(minutes)s minutes without activity. "
                    "Sign in again to go on."
                ) % {"minutes": minutes}
            if reason:
                request.session_end_reason = reason
                logout(request)
                messages.info(request, reason)
                if resolve_name(request) in self.ANSWERED_SIGNED_OUT:
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            # Stamped at most once a minute, so a page view does not write the session each time
            # (the limit is in minutes; the cookie's expiry moves with each stamp).
            stamped = session.get("last_activity", 0)
            if (
                resolve_name(request) not in self.PASSIVE_PATH_NAMES
                and current - stamped >= IDLE_STAMP_SECONDS
            ):
                session["last_activity"] = current
        return self.get_response(request)


def resolve_name(request) -> str:
    try:
        return resolve(request.path_info).url_name or ""
    except Resolver404:
        return ""


class RequireMultiFactor:
    """Send a signed-in user who needs two-step sign-in to set it up or enter a code."""

    OPEN_PATH_NAMES = {"logout", "mfa_verify", "mfa_setup", "session_status", "session_keepalive"}

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path_info.startswith("/" + settings.STATIC_URL.strip("/") + "/")
            and resolve_name(request) not in self.OPEN_PATH_NAMES
            and mfa_required(user)
        ):
            target = "mfa_verify" if has_totp(user) else "mfa_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class TwoStepState(OTPMiddleware):
    """django-otp's middleware (sets `request.user.otp_device` and `is_verified()`), without its
    device query when the session's device is one of the confirmed devices that the sign-in
    backend loaded with the user. Any other device id is checked by django-otp as before, so a
    removed or unconfirmed device still ends the two-step state on the next request."""

    def _verify_user_sync(self, request, user):
        persistent_id = (
            request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
        )
        if persistent_id and persistent_id in loaded_device_ids(user):
            self._init_user_fields(user)
            # Confirmed and the user's own (the query that loaded the user said so); the device
            # itself is read only if something asks for it.
            user.otp_device = SimpleLazyObject(lambda: Device.from_persistent_id(persistent_id))
            return user
        return super()._verify_user_sync(request, user)
