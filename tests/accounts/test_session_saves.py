"""The session is saved only when it changes: the page's session-status check writes nothing, so
it cannot write back a stale copy over what a request running at the same time has saved."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


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


def test_activity_still_renews_the_session(client_for, command):
    client = client_for(command)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert len(session_writes(queries.captured_queries)) == 1
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
