"""Writes to the readiness plan. Each asks `agencies.access`, checks the rules, records its
audit event through `audit.services` and raises ValidationError with a message the user can act
on. Preparers change only the items they own, and only their status and progress log."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from agencies.access import Action, may, require
from agencies.models import Agency, Membership
from audit.models import Event
from audit.services import event_build, event_record, events_record

from .models import TITLE_MAX_LENGTH, CalendarFeed, PlanItem, PlanProgress, new_feed_token
from .selectors import planned_codes

NOTE_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 1000
Status = PlanItem.Status


@dataclass(frozen=True)
class ActionSpec:
    """One line of an assessment's action list, as the plan keeps it."""

    question_id: int
    question_code: str
    section_code: str
    title: str
    critical: bool
    gain: Decimal
    priority: int
    weight_capacity: int = 0
    weight_policy: int = 0
    weight_community: int = 0


@dataclass(frozen=True)
class CreateOutcome:
    created: list[PlanItem]
    already_planned: list[str]  # question codes with an open item already


def _payload(item: PlanItem) -> dict:
    """The item's fields as the audit trail keeps them."""
    return {
        "item": item.pk,
        "title": item.title,
        "owner": item.owner.get_username() if item.owner else None,
        "target_date": item.target_date.isoformat() if item.target_date else None,
        "status": item.status,
        "wont_do_reason": item.wont_do_reason,
    }


def _check_owner(agency: Agency, owner) -> None:
    if owner is None:
        return
    membership = Membership.objects.filter(user=owner, agency=agency).first()
    if membership is None:
        raise ValidationError({"owner": gettext("Choose a member of this agency as the owner.")})
    if not owner.is_active:
        raise ValidationError(
            {"owner": gettext("This member is deactivated: choose an active member.")}
        )


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": gettext("Give the item a title: what must be done.")})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            {
                "title": gettext("Keep the title within %(limit)s characters.")
                % {"limit": TITLE_MAX_LENGTH}
            }
        )
    return title


@transaction.atomic
def items_create_from_actions(
    *,
    agency: Agency,
    assessment,
    actions: Sequence[ActionSpec],
    user,
    membership: Membership,
    ip_address: str | None = None,
) -> CreateOutcome:
    """One item per chosen action of `assessment`, unless the agency's plan already has an open
    item for that question (items outlive assessments: the next one must not duplicate them)."""
    require(membership, Action.PLAN, agency_id=agency.pk)
    planned = planned_codes(agency.pk, assessment.pk)
    items, skipped = [], []
    for action in actions:
        if action.question_code in planned:
            skipped.append(action.question_code)
            continue
        items.append(
            PlanItem(
                agency=agency,
                title=_check_title(action.title[:TITLE_MAX_LENGTH]),
                assessment=assessment,
                question_id=action.question_id,
                question_code=action.question_code,
                section_code=action.section_code,
                weight_capacity=action.weight_capacity,
                weight_policy=action.weight_policy,
                weight_community=action.weight_community,
                critical=action.critical,
                priority=action.priority,
                gain=action.gain,
                created_by=user,
            )
        )
    created = PlanItem.objects.bulk_create(items)
    events_record(
        [
            event_build(
                kind=Event.Kind.PLAN_ITEM_CREATED,
                actor=user,
                agency_id=agency.pk,
                assessment=assessment,
                question_id=item.question_id,
                new={"item": item.pk, "title": item.title, "status": item.status},
                ip_address=ip_address,
            )
            for item in created
        ]
    )
    return CreateOutcome(created=created, already_planned=skipped)


@transaction.atomic
def item_create(
    *,
    agency: Agency,
    user,
    membership: Membership,
    title: str,
    owner=None,
    target_date: datetime.date | None = None,
    ip_address: str | None = None,
) -> PlanItem:
    """An item added by hand: no question raised it. It sorts after the action list's items."""
    require(membership, Action.PLAN, agency_id=agency.pk)
    title = _check_title(title)
    _check_owner(agency, owner)
    last = PlanItem.objects.filter(agency=agency).order_by("-priority").first()
    item = PlanItem.objects.create(
        agency=agency,
        title=title,
        owner=owner,
        target_date=target_date,
        priority=(last.priority + 1) if last else 1,
        created_by=user,
    )
    new = {k: v for k, v in _payload(item).items() if v not in (None, "")}
    event_record(
        kind=Event.Kind.PLAN_ITEM_CREATED,
        actor=user,
        agency_id=agency.pk,
        new=new,
        ip_address=ip_address,
    )
    return item


EDITABLE_BY_OWNER = {"status", "wont_do_reason"}


@transaction.atomic
def item_update(
    *,
    item: PlanItem,
    user,
    membership: Membership,
    changes: dict,
    note: str = "",
    ip_address: str | None = None,
) -> PlanItem:
    """Change an item (`changes`: any of title, owner, target_date, status, wont_do_reason) and
    add `note` to its progress log. Command staff may change anything; the owner, with any role,
    the status (with a reason for won't do) and the log. Marking an item done changes no answer:
    the next assessment does."""
    locked = (
        PlanItem.objects.select_for_update(of=("self",))
        .select_related("owner", "agency")
        .get(pk=item.pk)
    )
    require(membership, Action.PLAN_PROGRESS, agency_id=locked.agency_id)
    unknown = set(changes) - {"title", "owner", "target_date", "status", "wont_do_reason"}
    if unknown:
        raise ValueError(f"Unknown plan item fields {sorted(unknown)}.")
    old = _payload(locked)
    changed = {key: value for key, value in changes.items() if getattr(locked, key) != value}
    manager = may(membership, Action.PLAN, agency_id=locked.agency_id)
    if not manager:
        if locked.owner_id != user.pk:
            raise PermissionDenied(gettext("Only the item's owner or command staff can update it."))
        if set(changed) - EDITABLE_BY_OWNER:
            raise PermissionDenied(
                gettext("Only command staff can change an item's title, owner or target date.")
            )
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": gettext("Keep the note within %(limit)s characters.")
                % {"limit": NOTE_MAX_LENGTH}
            }
        )
    if "title" in changed:
        changed["title"] = _check_title(changed["title"])
    if "owner" in changed:
        _check_owner(locked.agency, changed["owner"])
    status = changed.get("status", locked.status)
    if status not in Status.values:
        raise ValidationError({"status": gettext("Choose open, in progress, done or won't do.")})
    reason = changed.get("wont_do_reason", locked.wont_do_reason).strip()
    if status == Status.WONT_DO and not reason:
        raise ValidationError({"wont_do_reason": gettext("Say why the item will not be done.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "wont_do_reason": gettext("Keep the reason within %(limit)s characters.")
                % {"limit": REASON_MAX_LENGTH}
            }
        )
    if status != Status.WONT_DO:
        reason = ""
    if reason != locked.wont_do_reason:
        changed["wont_do_reason"] = reason
    else:
        changed.pop("wont_do_reason", None)
    if not changed and not note:
        return locked
    status_from = locked.status
    for key, value in changed.items():
        setattr(locked, key, value)
    if "status" in changed:
        locked.done_at = timezone.now() if status == Status.DONE else None
    locked.save()
    if note or "status" in changed:
        PlanProgress.objects.create(
            item=locked,
            author=user,
            note=note,
            status_from=status_from if "status" in changed else "",
            status_to=status if "status" in changed else "",
        )
    new = _payload(locked)
    keys = ["item", *sorted(changed)]
    event_record(
        kind=Event.Kind.PLAN_ITEM_CHANGED,
        actor=user,
        agency_id=locked.agency_id,
        assessment_id=locked.assessment_id,
        question_id=locked.question_id,
        old={key: old[key] for key in keys},
        new={key: new[key] for key in keys},
        comment=note,
        ip_address=ip_address,
    )
    return locked


@transaction.atomic
def calendar_feed(*, membership: Membership, renew: bool = False, ip_address=None) -> CalendarFeed:
    """The member's calendar feed; `renew` gives it a new secret address (the old one stops)."""
    require(membership, Action.PLAN_PROGRESS, agency_id=membership.agency_id)
    feed, created = CalendarFeed.objects.get_or_create(membership=membership)
    if renew and not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token", "created_at"])
        event_record(
            kind=Event.Kind.CALENDAR_FEED_RENEWED,
            actor=membership.user,
            agency_id=membership.agency_id,
            ip_address=ip_address,
        )
    return feed
