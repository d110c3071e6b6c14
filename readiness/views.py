"""Error handlers for the whole site, and the health check for load balancers."""

from __future__ import annotations

import sys

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" while the database answers, 503 otherwise; no sign-in, no session, no page.
    For load balancers and monitoring, and the benchmarks' floor."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        discard_broken_connections()
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
