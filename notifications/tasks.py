"""Mail delivery on the task queue: a request only queues a message, a worker sends it."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# A failed send is tried again after 1, 2, 4 and 8 minutes, then given up (and logged).
MAX_ATTEMPTS = 5


def message_to_dict(message) -> dict:
    """What a task needs to rebuild `message`: JSON only (the queue stores its arguments)."""
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def message_from_dict(data: dict, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        connection=connection,
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


@task()
def deliver(message: dict, attempt: int = 1) -> str:
    """Send one message with the delivery backend (`READINESS_EMAIL_DELIVERY_BACKEND`); on
    failure log it and queue the next attempt, up to MAX_ATTEMPTS."""
    try:
        connection = get_connection(settings.READINESS_EMAIL_DELIVERY_BACKEND)
        message_from_dict(message, connection).send()
    except Exception:
        logger.exception(
            "Mail %r could not be sent (attempt %d of %d).",
            message.get("subject"),
            attempt,
            MAX_ATTEMPTS,
        )
        if attempt >= MAX_ATTEMPTS:
            raise
        retry = deliver
        if deliver.get_backend().supports_defer:
            retry = deliver.using(run_after=timezone.now() + timedelta(minutes=2 ** (attempt - 1)))
        retry.enqueue(message, attempt + 1)
        return "retrying"
    return "sent"
