"""Report faults: a renderer that raises, dies or runs too long is stopped, shown, logged, and
leaves nothing cached; the next request renders afresh; other pages keep answering."""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import Event
from reports import pdf
from reports.models import CachedReport

from . import renderers

pytestmark = pytest.mark.slow  # each starts the renderer's child processes, most wait on limits


def download(client, assessment):
    return client.get(reverse("report_pdf", args=[assessment.pk]))


def downloads() -> int:
    return Event.objects.filter(kind=Event.Kind.REPORT_DOWNLOADED).count()


@pytest.fixture
def warm_renderer(monkeypatch):
    """Start the renderer's fork server now, so time limits below measure the render alone."""
    monkeypatch.setattr(pdf, "write_pdf", renderers.quick)
    pdf.render_pdf("warm-up", timeout=60)
    monkeypatch.undo()


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def wait_for(path: Path, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return True
        time.sleep(0.02)
    return False


# --- A render that fails -------------------------------------------------------------------------


def test_a_failed_render_shows_an_error_page_and_is_logged(
    draft, preparer, client_for, monkeypatch, caplog
):
    monkeypatch.setattr(pdf, "write_pdf", renderers.broken)

    response = download(client_for(preparer), draft)

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The report could not be produced" in page
    assert reverse("report_pdf", args=[draft.pk]) in page  # a way to try again
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "WeasyPrint could not lay out the document" in logged
    assert any(record.levelname == "ERROR" for record in caplog.records)
    assert not CachedReport.objects.exists()
    assert downloads() == 0


def test_the_next_request_after_a_failed_render_renders_again(
    draft, preparer, client_for, monkeypatch
):
    client = client_for(preparer)
    monkeypatch.setattr(pdf, "write_pdf", renderers.broken)
    assert download(client, draft).status_code == 500
    monkeypatch.undo()

    response = download(client, draft)

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert CachedReport.objects.filter(assessment=draft).count() == 1
    assert downloads() == 1


def test_a_renderer_process_that_dies_shows_the_error_page(
    draft, preparer, client_for, monkeypatch, caplog
):
    monkeypatch.setattr(pdf, "write_pdf", renderers.dies)

    response = download(client_for(preparer), draft)

    assert response.status_code == 500
    assert "The report could not be produced" in response.content.decode()
    assert "exit code 3" in " ".join(record.getMessage() for record in caplog.records)
    assert not CachedReport.objects.exists()


def test_a_cached_report_starts_no_renderer(draft, preparer, client_for, monkeypatch):
    client = client_for(preparer)
    assert download(client, draft).status_code == 200

    def no_render(html: str) -> bytes:
        raise AssertionError("a cached report must not be rendered again")

    monkeypatch.setattr(pdf, "render_pdf", no_render)
    started = time.perf_counter()
    response = download(client, draft)

    assert response.status_code == 200
    assert time.perf_counter() - started < 1.0


# --- A render that takes too long ----------------------------------------------------------------


def test_a_render_past_the_limit_is_stopped_and_its_process_ended(
    warm_renderer, tmp_path, monkeypatch
):
    pid_file = tmp_path / "pid"
    monkeypatch.setattr(pdf, "write_pdf", renderers.slow)
    started = time.monotonic()

    with pytest.raises(pdf.RenderTimedOut, match="longer than 2 seconds"):
        pdf.render_pdf(renderers.PID_FILE_MARK + str(pid_file), timeout=2)

    assert time.monotonic() - started < 10
    assert gone(int(pid_file.read_text()))


def test_a_report_past_the_limit_answers_503_and_caches_nothing(
    warm_renderer, draft, preparer, client_for, settings, monkeypatch
):
    settings.READINESS_REPORT_TIMEOUT_SECONDS = 1
    monkeypatch.setattr(pdf, "write_pdf", renderers.slow)
    client = client_for(preparer)

    response = download(client, draft)

    assert response.status_code == 503
    page = response.content.decode()
    assert "The report took too long" in page
    assert "within 1 seconds" in page
    assert "Try again" in page
    assert not CachedReport.objects.exists()
    assert downloads() == 0

    monkeypatch.undo()
    settings.READINESS_REPORT_TIMEOUT_SECONDS = 60
    assert download(client, draft).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_pages_keep_answering_while_a_report_renders(
    warm_renderer, draft, preparer, live_server, settings, monkeypatch, tmp_path
):
    """A slow render holds its own request until the limit; another page is served at once, and
    a report beyond the process's render slots is refused at once rather than queued."""
    settings.READINESS_REPORT_TIMEOUT_SECONDS = 6
    monkeypatch.setattr(pdf, "_renders", threading.BoundedSemaphore(1))
    pid_file = tmp_path / "pid"

    # The report's HTML is built from the assessment; the stand-in only needs to know where to
    # write its process id, so the test hands it the path through `render_pdf`'s argument.
    real_render = pdf.render_pdf
    monkeypatch.setattr(
        pdf, "render_pdf", lambda html: real_render(renderers.PID_FILE_MARK + str(pid_file))
    )
    monkeypatch.setattr(pdf, "write_pdf", renderers.slow)
    client = Client()
    client.force_login(preparer)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    def get(path: str) -> tuple[int, bytes, float]:
        request = urllib.request.Request(live_server.url + path, headers={"Cookie": cookie})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read(), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, error.read(), time.monotonic() - started

    report: dict = {}
    slow_request = threading.Thread(
        target=lambda: report.update(result=get(reverse("report_pdf", args=[draft.pk])))
    )
    slow_request.start()
    try:
        assert wait_for(pid_file), "the renderer did not start"
        status, body, seconds = get(reverse("assessment", args=[draft.pk]))
        assert status == 200
        assert draft.title.encode() in body
        assert seconds < 3, f"a page took {seconds:.1f} s while a report rendered"
        status, body, seconds = get(reverse("report_pdf", args=[draft.pk]))
        assert status == 503
        assert b"Reports are busy" in body
        assert seconds < 4
        assert slow_request.is_alive(), "the report answered before the other requests"
    finally:
        slow_request.join(30)

    status, body, seconds = report["result"]
    assert status == 503
    assert b"The report took too long" in body
    assert 5 < seconds < 20
    assert gone(int(pid_file.read_text()))
    assert not CachedReport.objects.exists()
