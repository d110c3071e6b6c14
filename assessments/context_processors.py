from __future__ import annotations

from django.http import HttpRequest

from .access import membership_or_none


def membership(request: HttpRequest) -> dict:
    """The user's membership for the header; one query per page, cached on the user."""
    return {"membership": membership_or_none(getattr(request, "user", None))}
