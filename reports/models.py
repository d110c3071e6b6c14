"""Rendered reports kept so an unchanged assessment revision is rendered only once."""

from __future__ import annotations

from django.db import models


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
