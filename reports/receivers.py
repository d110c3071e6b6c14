"""The reports app's answers to what happens elsewhere."""

from __future__ import annotations

from assessments import selectors

from . import services


def queue_approved_report(sender, assessment, **kwargs) -> None:
    """An approval queues its report's render, so command staff download it without waiting."""
    services.report_request(assessment=selectors.assessment_by_id(assessment.pk))
