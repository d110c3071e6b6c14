"""Telling members what happened: an in-app notification and, unless turned off, an email."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OPTIONAL_KINDS, EmailOptOut, Kind, Notification

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class News:
    """What happened, in the words every channel uses.

    `summary` is one sentence naming what happened and who did it ("Jo Reyes submitted
    'Readiness 2026' (rev. 1) for review."); `detail` is quoted below it (a comment); `url` is
    the page's path within the site."""

    kind: str
    subject: str
    summary: str
    url: str
    detail: str = ""


def absolute_url(path: str) -> str:
    if path.startswith(("https://", "http://")):
        return path
    return settings.READINESS_BASE_URL.rstrip("/") + path


def _email(news: News, recipient) -> EmailMultiAlternatives:
    context = {"news": news, "link": absolute_url(news.url), "recipient": recipient}
    context["optional"] = news.kind in OPTIONAL_KINDS
    context["account_link"] = absolute_url("/accounts/")
    message = EmailMultiAlternatives(
        subject=f"[Readiness] {news.subject}",
        body=render_to_string("notifications/email.txt", context),
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("notifications/email.html", context), "text/html")
    return message


def notify(*, recipients: Iterable, news: News, actor=None, in_app: bool = True) -> int:
    """Tell each recipient (users; the actor and inactive accounts are left out, each person
    once): an in-app notification for everyone (unless not `in_app`: a link that must not be
    kept, such as an invitation's), and an email, addressed to that person alone, to those with
    an address who have not turned this kind off. Mail is queued and sent after the transaction
    commits; a failure is logged, never raised. Two queries, then one enqueue per email.
    Returns the number of people told."""
    people = {}
    for user in recipients:
        if user is not None and user.is_active and (actor is None or user.pk != actor.pk):
            people.setdefault(user.pk, user)
    if not people:
        return 0
    if in_app:
        Notification.objects.bulk_create(
            Notification(
                recipient_id=pk,
                kind=news.kind,
                summary=news.summary[:300],
                detail=news.detail,
                url=news.url,
            )
            for pk in people
        )
    opted_out = set()
    if news.kind in OPTIONAL_KINDS:
        opted_out = set(
            EmailOptOut.objects.filter(user_id__in=list(people), kind=news.kind).values_list(
                "user_id", flat=True
            )
        )
    for pk, user in people.items():
        if pk in opted_out or not user.email:
            continue
        try:
            _email(news, user).send()
        except Exception:
            logger.exception("Mail %r could not be sent.", news.subject)
    return len(people)


def notifications_mark_read(*, user) -> int:
    """Mark every unread notification of `user` read. One query."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def email_preferences_set(*, user, kinds_on: Iterable[str]) -> None:
    """Keep the optional kinds in `kinds_on` switched on and turn the others off."""
    on = set(kinds_on)
    off = [kind for kind in OPTIONAL_KINDS if kind not in on]
    EmailOptOut.objects.filter(user=user).exclude(kind__in=off).delete()
    have = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    EmailOptOut.objects.bulk_create(
        EmailOptOut(user=user, kind=kind) for kind in off if kind not in have
    )


__all__ = ["Kind", "News", "notify", "notifications_mark_read", "email_preferences_set"]
