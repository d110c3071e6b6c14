from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .access import membership_or_none


def membership(request: HttpRequest) -> dict:
    """The user's membership for the header; one query per page, cached on the user."""
    return {
        "membership": membership_or_none(getattr(request, "user", None)),
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "session_max_hours": settings.SESSION_ABSOLUTE_SECONDS // 3600,
    }
