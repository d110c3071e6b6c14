"""Report faults: a renderer that raises, dies or runs too long is stopped, shown on the report's
status page, logged, and leaves nothing cached; trying again renders afresh; a download never
waits on a render in the web request (a worker makes it)."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import Event
from reports import pdf
from reports import services as report_services
from reports.models import CachedReport, ReportRender
from tests.factories import answer_questions

from . import renderers

pytestmark = pytest.mark.slow  # each starts the renderer's child processes, most wait on limits


def download(client, assessment):
    """The report's address, followed as a browser would (to the status page when not ready)."""
    return client.get(reverse("report_pdf", args=[assessment.pk]), follow=True)


def retry(client, assessment):
    return client.post(reverse("report_retry", args=[assessment.pk]), follow=True)


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
    assert reverse("report_retry", args=[draft.pk]) in page  # a way to try again
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "WeasyPrint could not lay out the document" in logged
    assert any(record.levelname == "ERROR" for record in caplog.records)
    assert not CachedReport.objects.exists()
    assert downloads() == 0


def test_trying_again_after_a_failed_render_renders_afresh(
    draft, preparer, client_for, monkeypatch
):
    client = client_for(preparer)
    monkeypatch.setattr(pdf, "write_pdf", renderers.broken)
    assert download(client, draft).status_code == 500
    monkeypatch.undo()
    # The failure stays on the page until someone chooses to try again.
    assert download(client, draft).status_code == 500

    ready = retry(client, draft)
    assert ready.status_code == 200
    assert "Your report is ready" in ready.content.decode()
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
    assert retry(client, draft).status_code == 200
    assert download(client, draft).status_code == 200


# --- Made by a worker, never in the web request ---------------------------------------------------


@pytest.fixture
def database_queue(settings):
    """The production queue (tasks kept in the database for `manage.py db_worker`)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def report_services_submit(assessment, preparer) -> None:
    from assessments import services

    services.assessment_submit(assessment=assessment, user=preparer)


def run_worker() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


# The worker commits and closes its connections, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_download_queues_the_render_and_a_worker_makes_it(
    database_queue, draft, preparer, command, client_for, monkeypatch
):
    monkeypatch.setattr(pdf, "write_pdf", renderers.quick)
    client = client_for(preparer)

    first = client.get(reverse("report_pdf", args=[draft.pk]))
    assert first.status_code == 302
    assert first["Location"] == reverse("report_status", args=[draft.pk])
    waiting = client.get(first["Location"])
    assert waiting.status_code == 200
    assert "Preparing your report" in waiting.content.decode()
    page = waiting.content.decode()
    # Checked again every 3 s: by the page's script, or without script by a refresh.
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "js/report-status.js" in page
    status = reverse("report_status", args=[draft.pk])
    assert client.get(status, HTTP_ACCEPT="application/json").json() == {"shown": "queued"}
    # Another member asking meanwhile joins the same render.
    assert download(client_for(command), draft).status_code == 200
    assert ReportRender.objects.get().status == ReportRender.Status.QUEUED
    assert DBTaskResult.objects.count() == 1
    assert not CachedReport.objects.exists() and downloads() == 0

    run_worker()

    ready = client.get(reverse("report_status", args=[draft.pk]))
    assert "Your report is ready" in ready.content.decode()
    assert 'http-equiv="refresh"' not in ready.content.decode()
    assert client.get(status, HTTP_ACCEPT="application/json").json() == {"shown": "done"}
    assert ReportRender.objects.get().status == ReportRender.Status.DONE
    response = client.get(reverse("report_pdf", args=[draft.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert downloads() == 1


def test_a_render_queued_with_no_worker_says_so_after_a_minute(
    database_queue, draft, preparer, client_for
):
    client = client_for(preparer)
    download(client, draft)
    ReportRender.objects.update(requested_at=timezone.now() - timedelta(minutes=2))

    page = download(client, draft).content.decode()

    assert "No report worker has taken this report for over a minute" in page


# The worker commits and closes its connections, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_render_lost_with_its_worker_can_be_tried_again(
    database_queue, draft, preparer, client_for, monkeypatch
):
    monkeypatch.setattr(pdf, "write_pdf", renderers.quick)
    client = client_for(preparer)
    download(client, draft)
    ReportRender.objects.update(
        status=ReportRender.Status.RUNNING, started_at=timezone.now() - timedelta(hours=1)
    )

    page = download(client, draft)
    assert page.status_code == 503
    assert "stopped before it was done" in page.content.decode()
    retry(client, draft)
    run_worker()

    assert download(client, draft).content.startswith(b"%PDF")
    assert ReportRender.objects.get().status == ReportRender.Status.DONE


def test_two_workers_never_make_the_same_render(database_queue, draft, preparer, client_for):
    download(client_for(preparer), draft)
    render = ReportRender.objects.get()
    ReportRender.objects.update(status=ReportRender.Status.RUNNING)  # another worker has it

    assert report_services.report_render_run(render.pk) == "not queued"
    assert not CachedReport.objects.exists()


def test_approval_queues_the_approved_report(
    database_queue, draft, preparer, command, client_for, django_capture_on_commit_callbacks
):
    answer_questions(draft, preparer)
    report_services_submit(draft, preparer)
    submitted = draft
    client = client_for(command)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessment_approve", args=[submitted.pk]),
            {"attest": "on", "confirm_flags": "on"},
        )
    assert response.status_code == 302

    render = ReportRender.objects.get(assessment=submitted)
    assert render.status == ReportRender.Status.QUEUED
    assert DBTaskResult.objects.filter(task_path="reports.tasks.render_report").count() == 1


def test_finished_renders_of_earlier_states_are_forgotten(draft, preparer, client_for, monkeypatch):
    monkeypatch.setattr(pdf, "write_pdf", renderers.quick)
    client = client_for(preparer)
    assert download(client, draft).status_code == 200
    answer_questions(draft, preparer, limit=1)  # a new state of the assessment

    assert download(client, draft).status_code == 200

    assert ReportRender.objects.filter(assessment=draft).count() == 1
    assert CachedReport.objects.filter(assessment=draft).count() == 1
