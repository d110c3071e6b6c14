"""Infrastructure middleware: no caching of signed-in pages, and a 503 when the database is gone."""

from __future__ import annotations

import logging

from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInUsers:
    """Pages shown to a signed-in user hold agency data: no browser or proxy may keep them."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


logger = logging.getLogger(__name__)

# What a lost, refused or timed-out database connection raises.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable_response() -> HttpResponse:
    """The 503 page. Rendered without the request: its context processors query the database."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = "30"
    return response


def discard_broken_connections() -> None:
    """Close every connection that no longer answers, so the next request opens a fresh one.

    A server does this itself when a request ends (`close_old_connections`); doing it here as
    well makes recovery immediate wherever the request ends. A connection inside a transaction
    block is left to its owner, who will roll it back.
    """
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.in_atomic_block:
            continue
        try:
            if not connection.is_usable():
                connection.close()
        except DatabaseError:
            connection.connection = None


class DatabaseUnavailable:
    """A view whose database went away answers 503 with a plain explanation, not a crash page.

    Errors raised earlier or later (a session loaded by middleware) reach `server_error`, which
    answers the same. Either way the broken connection is closed, so the next request works
    without a restart.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            return None
        logger.error(
            "The database is not answering (%s %s): %s",
            request.method,
            request.path,
            exception,
            exc_info=exception,
        )
        discard_broken_connections()
        return database_unavailable_response()


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, except when saving the session fails after the view has
    committed a change: Django would answer 400 (or crash), which reads as if nothing was saved.
    A view that committed says so (`request.readiness_saved`, e.g. "answers"); then the answer
    is a 503 saying the change was saved and to reload."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (SessionInterrupted, DatabaseError) as error:
            saved = getattr(request, "readiness_saved", "")
            if not saved:
                raise
            logger.error(
                "The session could not be saved after %s were saved (%s %s): %s",
                saved,
                request.method,
                request.path,
                error,
            )
            discard_broken_connections()
            page = loader.get_template("503_saved.html").render({"saved": saved})
            failed = HttpResponse(page, status=503)
            failed["Retry-After"] = "30"
            return failed
