"""What the assessments tell the apps above them, which they may not import."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once the approval has been committed, with `assessment` (the reports app queues the
# approved report's render, so that command staff download it at once).
assessment_approved = Signal()
