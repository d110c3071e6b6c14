"""The client's address, for audit rows and for django-axes (AXES_CLIENT_IP_CALLABLE)."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address as the outermost trusted proxy saw it.

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
