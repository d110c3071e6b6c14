"""The health check: 200 while the database answers, 503 when it does not; it needs no sign-in
and touches no session."""

from __future__ import annotations

from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def test_it_answers_ok_without_a_session(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("healthz"))

    assert (response.status_code, response.content) == (200, b"ok\n")
    assert "sessionid" not in response.cookies
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_does_not(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", broken)
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
