"""The agency's readiness plan: action items with owners, dates, status and a progress log.

Items belong to the agency and outlive the assessment that raised them; they point to it (and to
the question) by lazy foreign keys, so this app imports nothing of `assessments`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agencies.models import Agency, Membership
from questionnaires.models import Question

TITLE_MAX_LENGTH = 300


class PlanItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Open")
        IN_PROGRESS = "in_progress", gettext_lazy("In progress")
        DONE = "done", gettext_lazy("Done")
        WONT_DO = "wont_do", gettext_lazy("Won't do")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="plan_items")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # What raised it: an assessment's action list (both set), or a person (both empty).
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_items",
    )
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_items"
    )
    # Kept from the question, so filters and sorting need no join and survive its version.
    question_code = models.CharField(max_length=20, blank=True)
    section_code = models.CharField(max_length=10, blank=True)
    weight_capacity = models.PositiveSmallIntegerField(default=0)
    weight_policy = models.PositiveSmallIntegerField(default=0)
    weight_community = models.PositiveSmallIntegerField(default=0)
    critical = models.BooleanField(default=False)
    # The action list's order when the item was made: critical first, then the larger gain.
    priority = models.PositiveIntegerField(default=0)
    gain = models.DecimalField(max_digits=8, decimal_places=3, default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    wont_do_reason = models.TextField("reason it will not be done", blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="wont_do") | ~Q(wont_do_reason=""),
                name="plan_item_wont_do_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="done") | Q(done_at__isnull=True),
                name="plan_item_done_at_only_when_done",
            ),
            models.UniqueConstraint(
                fields=["assessment", "question"],
                condition=Q(assessment__isnull=False, question__isnull=False),
                name="plan_item_once_per_assessment_question",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.WONT_DO)

    @property
    def overdue(self) -> bool:
        """Unfinished with a target date before today (the installation's time zone)."""
        return (
            not self.is_closed
            and self.target_date is not None
            and self.target_date < timezone.localdate()
        )

    @property
    def last_progress(self) -> PlanProgress | None:
        """The newest log line (from the prefetched log when the selector loaded it)."""
        entries = list(self.progress.all())
        return entries[-1] if entries else None

    def weight(self, dimension: str) -> int:
        return getattr(self, f"weight_{dimension}")


class PlanProgress(models.Model):
    """One dated line of an item's progress log: who, when, what (and any status change)."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="progress")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    status_from = models.CharField(max_length=12, blank=True, choices=PlanItem.Status.choices)
    status_to = models.CharField(max_length=12, blank=True, choices=PlanItem.Status.choices)

    class Meta:
        ordering = ["item", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item}: {self.note[:40]}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's secret address for the iCalendar feed of their items' target dates.
    Renewing replaces the token, so the old address stops working."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.membership}"
