"""A session that cannot be saved after the answers were committed: the page says they were
saved (503, reload), not "Nothing was saved"; a request that saved nothing fails as before."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError

from accounts import middleware
from tests.pages import form_fields, question, section_url, text_of


@pytest.fixture
def failing_session_save(monkeypatch):
    def fail(self, must_create=False):
        raise OperationalError("server closed the connection unexpectedly")

    def arm():
        # Two minutes on, the request stamps the session's activity, so the session is saved.
        later = time.time() + 120
        monkeypatch.setattr(middleware, "now", lambda: later)
        monkeypatch.setattr(SessionStore, "save", fail)

    return arm


def test_answers_committed_before_the_session_failed_are_reported_saved(
    draft, preparer, client_for, failing_session_save
):
    client = client_for(preparer)
    fields = form_fields(client.get(section_url(draft, "CAP")))
    fields[f"q{question(draft, 'CAP-01').pk}-value"] = "yes"
    fields[f"q{question(draft, 'CAP-01').pk}-note"] = "Decision memo of 2027-01-12."
    failing_session_save()

    response = client.post(section_url(draft, "CAP"), {**fields, "save": ""})

    assert response.status_code == 503
    text = text_of(response.content.decode())
    assert "Your answers were saved" in text and "Reload the page" in text
    assert "Nothing was saved" not in text
    assert draft.answers.get(question__code="CAP-01").note == "Decision memo of 2027-01-12."


def test_a_request_that_saved_nothing_is_not_reported_saved(
    draft, preparer, client_for, failing_session_save
):
    client = client_for(preparer)
    client.raise_request_exception = False  # as a browser meets it: the error page
    failing_session_save()

    response = client.post(section_url(draft, "CAP"), {"save": ""})

    assert response.status_code == 503  # the database page: "may not have been saved"
    assert "Your answers were saved" not in text_of(response.content.decode())
    assert "may not have been saved" in text_of(response.content.decode())
