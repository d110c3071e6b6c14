from __future__ import annotations

from django.apps import AppConfig


class OversightConfig(AppConfig):
    """The state view: state reviewers see the approved results of the agencies of their state
    that share with them. The reviewer and the sharing rule live in `agencies` (`StateReviewer`,
    `agencies.access.may_review_state`); this app reads and shows."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "oversight"
    verbose_name = "State view"
