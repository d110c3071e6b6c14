"""Sessions in the database, as Django keeps them, read with a prepared query (every signed-in
request reads its session first)."""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from fastquery import PreparedQuery

SESSION = PreparedQuery(lambda key: Session.objects.filter(session_key=key))


class SessionStore(db.SessionStore):
    """Django's database session store; the read is a prepared query, the expiry is checked
    here (Django checks it in SQL), everything else is Django's."""

    def _get_session_from_db(self):
        try:
            session = SESSION.first(self.session_key) if self.session_key else None
        except SuspiciousOperation as error:  # as Django's store does
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            session = None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
