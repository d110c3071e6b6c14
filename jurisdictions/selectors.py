"""Reads of the state-law profiles."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from fastquery import PreparedQuery
from fastquery.kept import Kept

from .models import StateLawVersion, StateProfile

PROFILES_KEPT = 128  # 51 entries a version, a version or two in use


def current_law() -> StateLawVersion | None:
    return StateLawVersion.objects.order_by("-version", "-id").first()


def _newest(states):
    return (
        StateProfile.objects.select_related("law")
        .filter(state=states)
        .order_by("-law__version", "-law_id")
    )


NEWEST_PROFILE = PreparedQuery(lambda state: _newest(state)[:1])


def current_profile(state: str) -> StateProfile | None:
    """The state's entry in the newest loaded version, or None (no entry, nothing loaded).
    One prepared query."""
    return NEWEST_PROFILE.first(state.upper())


def current_profile_annotations(state_field: str) -> dict:
    """Annotations for a query whose rows have a state at `state_field` (e.g. "agency__state"):
    the id of that state's current profile and its version's load time, which `kept_profile`
    turns into the profile without a query of its own."""
    newest = _newest(OuterRef(state_field))
    return {
        "current_profile_pk": Subquery(newest.values("pk")[:1]),
        "current_profile_loaded": Subquery(newest.values("law__loaded_at")[:1]),
    }


_profiles = Kept(PROFILES_KEPT)


def kept_profile(pk: int | None, loaded_at) -> StateProfile | None:
    """The profile `pk` of a version loaded at `loaded_at`, read once per server process: a
    loaded version never changes, so the copy is derived data, not state servers must share."""
    if pk is None:
        return None
    return _profiles.get(
        (pk, loaded_at), lambda: StateProfile.objects.select_related("law").filter(pk=pk).first()
    )
