"""The email backend every part of the app sends through: it queues, a worker delivers."""

from __future__ import annotations

import logging

from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from .tasks import deliver, message_to_dict

logger = logging.getLogger(__name__)


def _enqueue(payload: dict) -> None:
    try:
        deliver.enqueue(payload)
    except Exception:  # the queue is unreachable: the request that sent it still succeeds
        logger.exception("Mail %r could not be queued.", payload.get("subject"))


class QueuedEmailBackend(BaseEmailBackend):
    """Queues each message as a `deliver` task once the sender's transaction commits (a rolled
    back change sends nothing). Never raises: sending mail must not fail a request."""

    def send_messages(self, email_messages) -> int:
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            payload = message_to_dict(message)
            transaction.on_commit(lambda payload=payload: _enqueue(payload), robust=True)
            count += 1
        return count
