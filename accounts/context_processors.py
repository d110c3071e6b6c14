from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def session_limits(request: HttpRequest) -> dict:
    """The session limits, for the page's session clock and its warning."""
    return {
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "session_max_hours": settings.SESSION_ABSOLUTE_SECONDS // 3600,
    }
