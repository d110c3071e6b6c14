"""The database going away: a clear 503 page, and the next request works without a restart."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from assessments import selectors

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL (DATABASE_URL)")

NOT_ANSWERING = "The database is not answering"


def overview(client, assessment):
    return client.get(reverse("assessment", args=[assessment.pk]))


def assert_database_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert NOT_ANSWERING in page
    assert "save again" in page
    assert "Traceback" not in page


@pytest.fixture
def lost_connection(monkeypatch):
    """Make the overview page's selector lose the connection, as a server going away would."""
    real = selectors.sections_progress

    def lose(*args, **kwargs):
        connection.close()
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(selectors, "sections_progress", lose)
    yield
    monkeypatch.setattr(selectors, "sections_progress", real)


def test_a_database_error_in_a_view_answers_503_and_is_logged(
    draft, preparer, client_for, monkeypatch, caplog
):
    def fail(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(selectors, "sections_progress", fail)

    response = overview(client_for(preparer), draft)

    assert_database_page(response)
    assert any(
        record.levelname == "ERROR" and "Connection refused" in record.getMessage()
        for record in caplog.records
    )


@pytest.mark.django_db(transaction=True)
def test_the_next_request_after_a_lost_connection_works(
    draft, preparer, client_for, lost_connection, monkeypatch
):
    client = client_for(preparer)

    assert_database_page(overview(client, draft))
    monkeypatch.undo()
    response = overview(client, draft)

    assert response.status_code == 200
    assert draft.title in response.content.decode()


def test_a_database_error_in_middleware_answers_503(draft, preparer, monkeypatch):
    """The session is read by middleware, before any view: the error handler answers instead."""
    client = Client(raise_request_exception=False)
    client.force_login(preparer)

    def fail(self):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", fail)

    assert_database_page(overview(client, draft))


def test_other_errors_still_answer_500(draft, preparer, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(preparer)

    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "sections_progress", fail)
    response = overview(client, draft)

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert NOT_ANSWERING not in response.content.decode()


# --- On PostgreSQL: a server process really ended ------------------------------------------------


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate_from_elsewhere(pid: int) -> None:
    """End the server process `pid` from a second connection, and wait until it is gone."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.05)
    finally:
        other.close()
    raise AssertionError(f"server process {pid} did not end")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_server_process_ended_under_a_request_answers_503_then_recovers(
    draft, preparer, client_for, monkeypatch
):
    def terminate_own_backend(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    client = client_for(preparer)
    assert overview(client, draft).status_code == 200
    killed = backend_pid()
    monkeypatch.setattr(selectors, "sections_progress", terminate_own_backend)

    assert_database_page(overview(client, draft))
    monkeypatch.undo()
    response = overview(client, draft)

    assert response.status_code == 200
    assert backend_pid() != killed


def wsgi_get(path: str, cookie: str) -> int:
    """A request through the same handler gunicorn calls, with its start and end signals
    (the test client leaves out the connection clean-up those signals run)."""
    environ = RequestFactory().get(path, HTTP_COOKIE=cookie).environ
    status = []
    response = WSGIHandler()(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        b"".join(response)
    finally:
        response.close()
    return int(status[0].split()[0])


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_ended_between_requests_is_replaced_by_the_health_check(
    draft, preparer, client_for
):
    assert connection.health_check_enabled
    client = client_for(preparer)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    path = reverse("assessment", args=[draft.pk])
    assert wsgi_get(path, cookie) == 200
    kept = backend_pid()  # the same persistent connection served that request

    terminate_from_elsewhere(kept)

    assert wsgi_get(path, cookie) == 200
    assert backend_pid() != kept
