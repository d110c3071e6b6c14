"""Reads of the state-law profiles."""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.db.models import OuterRef, Subquery

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


def current_profile(state: str) -> StateProfile | None:
    """The state's entry in the newest loaded version, or None (no entry, nothing loaded).
    One query."""
    return _newest(state.upper()).first()


def current_profile_annotations(state_field: str) -> dict:
    """Annotations for a query whose rows have a state at `state_field` (e.g. "agency__state"):
    the id of that state's current profile and its version's load time, which `kept_profile`
    turns into the profile without a query of its own."""
    newest = _newest(OuterRef(state_field))
    return {
        "current_profile_pk": Subquery(newest.values("pk")[:1]),
        "current_profile_loaded": Subquery(newest.values("law__loaded_at")[:1]),
    }


_profiles: OrderedDict[tuple, StateProfile] = OrderedDict()
_lock = threading.Lock()


def kept_profile(pk: int | None, loaded_at) -> StateProfile | None:
    """The profile `pk` of a version loaded at `loaded_at`, read once per server process: a
    loaded version never changes, so the copy is derived data, not state servers must share."""
    if pk is None:
        return None
    key = (pk, loaded_at)
    with _lock:
        profile = _profiles.get(key)
        if profile is not None:
            _profiles.move_to_end(key)
            return profile
    profile = StateProfile.objects.select_related("law").filter(pk=pk).first()
    if profile is None:
        return None
    with _lock:
        _profiles[key] = profile
        while len(_profiles) > PROFILES_KEPT:
            _profiles.popitem(last=False)
    return profile
