"""The session is saved only when it changes: the page's session-status check writes nothing, so
it cannot write back a stale copy over what a request running at the same time has saved."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import middleware


def session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


def test_the_session_status_check_writes_nothing(client_for, command):
    client = client_for(command)
    client.get(reverse("dashboard"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("session_status"))

    assert response.status_code == 200
    assert response.json()["signed_in"] is True
    assert session_writes(queries.captured_queries) == []


def test_activity_renews_the_session_at_most_once_a_minute(client_for, command, monkeypatch):
    client = client_for(command)
    client.get(reverse("dashboard"))  # the first stamp

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dashboard"))
    assert session_writes(queries.captured_queries) == []  # a page view writes nothing

    later = time.time() + 61
    monkeypatch.setattr(middleware, "now", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert len(session_writes(queries.captured_queries)) == 1
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
