"""The one write of the state view: recording what a state reviewer saw, in the trail of each
agency seen, so that its administrators read "Viewed by the state reviewer" in its audit log."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from agencies.access import may_review_state
from agencies.models import Agency, StateReviewer
from assessments.models import Assessment
from audit.models import STATE_VIEWS, Event
from audit.services import event_build, events_record


@transaction.atomic
def state_view_record(
    *,
    reviewer: StateReviewer,
    view: str,
    seen: Sequence[tuple[Agency, Assessment | None]],
    ip_address: str | None,
) -> int:
    """One event per agency seen (with the approved assessment shown, if any), the reviewer as
    actor; returns how many. Refuses an agency the reviewer may not see. One query."""
    if view not in STATE_VIEWS:
        raise ValueError(f"Unknown state view {view!r}.")
    events = []
    for agency, assessment in seen:
        if not may_review_state(reviewer, agency):
            raise ValueError(f"State reviewer {reviewer.pk} may not see agency {agency.pk}.")
        events.append(
            event_build(
                kind=Event.Kind.STATE_REVIEW_VIEWED,
                actor=reviewer.user,
                agency_id=agency.pk,
                assessment=assessment,
                ip_address=ip_address,
                new={"view": view, "state": reviewer.state},
            )
        )
    if events:
        events_record(events)
    return len(events)
