from __future__ import annotations

from django.http import HttpRequest

from . import access


def membership(request: HttpRequest) -> dict:
    """The user's membership and what it may do (or their state-reviewer row), for the header
    and the pages; one query per page at most, cached on the user."""
    user = getattr(request, "user", None)
    member = access.membership_or_none(user)
    return {
        "membership": member,
        "may": access.permissions(member),
        # Loaded with the user by the sign-in backend: no query of its own.
        "state_reviewer": access.state_reviewer_or_none(user) if member is None else None,
    }
