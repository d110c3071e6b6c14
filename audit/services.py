"""The one writer of the audit trail.

Every event goes through `event_record` (or `events_record` for many at once). The caller
passes the client address explicitly (`audit.request.client_ip(request)`, or None for a command
run on the server); nothing here reads request state. Each kind's payload shape is
`audit.models.PAYLOADS[kind]`; any other shape is a programming error and raises ValueError.
Rows are only ever created: no view and no admin changes or deletes them.
"""

from __future__ import annotations

from collections.abc import Sequence

from .models import PAYLOADS, Event


def _check_payload(kind: str, name: str, payload: dict | None, keys, optional) -> None:
    if keys is None:
        if payload:
            raise ValueError(f"Event kind {kind} takes no `{name}` payload, got {sorted(payload)}.")
        return
    if not isinstance(payload, dict):
        raise ValueError(f"Event kind {kind} needs a `{name}` payload with keys {sorted(keys)}.")
    given = set(payload)
    if not given <= keys or not (keys - optional) <= given or not given:
        raise ValueError(
            f"Event kind {kind} takes `{name}` keys {sorted(keys)} "
            f"(optional: {sorted(optional)}), got {sorted(given)}."
        )


def event_build(
    *,
    kind: str,
    ip_address: str | None,
    actor=None,
    agency_id: int | None = None,
    assessment=None,
    question=None,
    assessment_id: int | None = None,
    question_id: int | None = None,
    subject_user=None,
    username: str = "",
    outcome: str = Event.Outcome.SUCCESS,
    old: dict | None = None,
    new: dict | None = None,
    comment: str = "",
) -> Event:
    """An unsaved event, its payload checked against its kind's shape. No query.

    The assessment and question are given as objects, or as ids where the caller has no object
    (the plan's items point to them by id)."""
    shape = PAYLOADS.get(kind)
    if shape is None:
        raise ValueError(f"Unknown event kind {kind!r}.")
    _check_payload(kind, "old", old, shape.old, shape.optional)
    _check_payload(kind, "new", new, shape.new, shape.optional)
    if agency_id is None and assessment is not None:
        agency_id = assessment.agency_id
    related = (
        {"assessment": assessment} if assessment is not None else {"assessment_id": assessment_id}
    )
    related |= {"question": question} if question is not None else {"question_id": question_id}
    return Event(
        kind=kind,
        actor=actor,
        agency_id=agency_id,
        **related,
        subject_user=subject_user,
        username=(username or getattr(actor, "username", "") or "")[:150],
        outcome=outcome,
        ip_address=ip_address,
        old=old,
        new=new,
        comment=comment,
    )


def event_record(**fields) -> Event:
    """Write one event (the arguments of `event_build`). One query."""
    event = event_build(**fields)
    event.save()
    return event


def events_record(events: Sequence[Event]) -> list[Event]:
    """Write events made by `event_build` in one query."""
    return Event.objects.bulk_create(events)


def upgraded_payload(kind: str, old, new) -> tuple[str, dict | None, dict | None]:
    """An event written before each kind had one shape, in today's kind and shape; any other
    event unchanged. For imports of older exports; migration audit.0002 does the same to the
    rows already stored."""
    old_keys, new_keys = set(old or {}), set(new or {})
    if kind == Event.Kind.REPORT_DOWNLOADED and isinstance((new or {}).get("export"), str):
        kind = {
            "json": Event.Kind.EXPORT_DOWNLOADED,
            "csv": Event.Kind.ANSWERS_CSV_DOWNLOADED,
        }.get(new["export"], kind)
        new = {key: value for key, value in new.items() if key != "export"}
    elif kind == Event.Kind.ROLE_CHANGED and "agency" in old_keys | new_keys:
        kind = Event.Kind.MEMBER_MOVED
    elif kind == Event.Kind.ROLE_CHANGED and old_keys | new_keys <= {"is_staff", "is_superuser"}:
        kind = Event.Kind.SITE_ROLE_CHANGED
    elif kind == Event.Kind.MEMBER_DEACTIVATED and "agency" in old_keys:
        kind = Event.Kind.MEMBERSHIP_DELETED
    return kind, old, new
