from __future__ import annotations

from .selectors import unread_count


def notifications(request) -> dict:
    """The bell's count, for signed-in people (loaded with the user: no query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
