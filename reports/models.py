"""Rendered reports kept so an unchanged assessment revision is rendered only once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class CachedReport(models.Model):
    """The PDF of one assessment as it stood when `fingerprint` was computed.

    Kept in the database so every app server shares it. Only the newest row per assessment is
    kept: `reports.services` deletes the others when it stores a new one.
    """

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="cached_reports"
    )
    fingerprint = models.CharField(max_length=64)
    pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "fingerprint"], name="cached_report_one_per_fingerprint"
            ),
        ]

    def __str__(self) -> str:
        return f"Report of assessment {self.assessment_id} ({self.fingerprint[:12]})"


class ReportRender(models.Model):
    """A report being made by a background worker: one row per assessment and fingerprint
    (the content it was asked for), so a repeated download request joins the render under way.

    The page waiting for the report reads this row: queued and running say "preparing", failed
    and timed out say so and offer to try again (which queues the same row afresh).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Being made")
        DONE = "done", gettext_lazy("Ready")
        FAILED = "failed", gettext_lazy("Failed")
        TIMED_OUT = "timed_out", gettext_lazy("Took too long")

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="report_renders"
    )
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "fingerprint"], name="report_render_one_per_fingerprint"
            ),
        ]

    def __str__(self) -> str:
        return f"Report render of assessment {self.assessment_id}: {self.get_status_display()}"
