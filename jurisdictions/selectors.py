"""Reads of the state-law profiles."""

from __future__ import annotations

from .models import StateLawVersion, StateProfile


def current_law() -> StateLawVersion | None:
    return StateLawVersion.objects.order_by("-version", "-id").first()


def current_profile(state: str) -> StateProfile | None:
    """The state's entry in the newest loaded version, or None (no entry, nothing loaded).
    One query."""
    return (
        StateProfile.objects.select_related("law")
        .filter(state=state.upper())
        .order_by("-law__version", "-law_id")
        .first()
    )
