"""Error handlers for the whole site."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from .middleware import (
    DATABASE_UNAVAILABLE_ERRORS,
    database_unavailable_response,
    discard_broken_connections,
)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, or the 503 page when the error is a database that stopped answering.

    Django calls this while it handles the exception, so `sys.exc_info()` names it; Django has
    already logged it.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE_ERRORS):
        discard_broken_connections()
        return database_unavailable_response()
    return defaults.server_error(request)
