from __future__ import annotations

from django.http import HttpRequest

from . import access


def membership(request: HttpRequest) -> dict:
    """The user's membership and what it may do, for the header and the pages; one query per
    page, cached on the user."""
    member = access.membership_or_none(getattr(request, "user", None))
    return {"membership": member, "may": access.permissions(member)}
