from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import notifications_latest
from .services import notifications_mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The member's latest notifications; opening the page marks them read (the unread ones
    stay highlighted on this showing)."""
    latest = notifications_latest(request.user)
    notifications_mark_read(user=request.user)
    request.user.readiness_unread = 0
    return render(request, "notifications/list.html", {"notifications": latest})
