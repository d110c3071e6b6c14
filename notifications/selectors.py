"""Reading a member's notifications and email preferences."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import OPTIONAL_KINDS, EmailOptOut, Notification

LATEST = 50


def unread_count_annotation() -> Coalesce:
    """The number of unread notifications of the user row in the outer query (to load with the
    user: no query of its own)."""
    unread = (
        Notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def unread_count(user) -> int:
    """Loaded with the user by the sign-in backend, or one query."""
    count = getattr(user, "readiness_unread", None)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        user.readiness_unread = count
    return count


def notifications_latest(user) -> list[Notification]:
    """The member's newest notifications, read or not. One query."""
    return list(Notification.objects.filter(recipient=user)[:LATEST])


def email_kinds_on(user) -> list[str]:
    """The optional kinds of email the member receives. One query."""
    off = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return [kind.value for kind in OPTIONAL_KINDS if kind not in off]
