"""Background tasks of the reports (Django's Tasks API; `manage.py db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def render_report(render_id: int) -> str:
    """Make the report a `ReportRender` row asks for; returns the row's final status."""
    return services.report_render_run(render_id)
