"""Agencies and their people: one membership, with one role, per user."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy


def person_name(user) -> str:
    """How the app names a person: full name, else user name; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class Agency(models.Model):
    class Type(models.TextChoices):
        SHERIFF = "sheriff", gettext_lazy("Sheriff's office")
        POLICE = "police", gettext_lazy("Police department")
        CORRECTIONS = "corrections", gettext_lazy("Corrections department")
        STATE = "state", gettext_lazy("State agency")
        OTHER = "other", gettext_lazy("Other")

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    state = models.CharField(max_length=2, help_text="Two-letter postal code, e.g. TX.")
    county = models.CharField(max_length=100, blank=True)
    agency_type = models.CharField(max_length=20, choices=Type.choices, default=Type.SHERIFF)
    ori = models.CharField(
        "ORI", max_length=9, blank=True, help_text="Originating Agency Identifier (9 characters)."
    )
    sworn_officers = models.PositiveIntegerField(null=True, blank=True)
    operates_jail = models.BooleanField(default=False)
    jail_capacity = models.PositiveIntegerField(null=True, blank=True)
    # The letterhead on the report's cover: a PNG re-encoded on upload (agencies.services.
    # agency_logo_set), kept in the database so every server of an installation has it.
    logo_png = models.BinaryField(null=True, blank=True, editable=False)
    logo_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Off until the agency's administrator turns it on (agencies.services.agency_sharing_set):
    # the agency's approved results are then seen by the state reviewers of its state. Off in
    # the database too, so code that predates the column (an old server during an upgrade)
    # still inserts agencies.
    shares_with_state = models.BooleanField(
        "shares with state reviewers",
        default=False,
        db_default=False,
        editable=False,
        help_text="Changed by the agency's administrator on the members page, and audited.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "assessments_agency"
        verbose_name_plural = "agencies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(jail_capacity__isnull=True) | Q(operates_jail=True),
                name="agency_jail_capacity_needs_jail",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    PREPARER = "preparer", gettext_lazy("Preparer")
    COMMAND = "command", gettext_lazy("Command")
    AGENCY_ADMIN = "agency_admin", gettext_lazy("Agency administrator")


class Membership(models.Model):
    """A user's place in one agency. A user belongs to at most one agency."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PREPARER)
    title = models.CharField(
        max_length=100, blank=True, help_text="Rank or position, e.g. Chief Deputy."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "assessments_membership"
        ordering = ["agency", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.agency})"


class StateReviewer(models.Model):
    """A person of a state body (a sheriffs' association, an attorney general's office, a state
    board) who sees the approved results of the agencies of one state that share with it
    (`agencies.access.may_review_state`). Never an agency member as well: see
    `agencies.services.state_reviewer_conflict`. Site administrators create them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="state_reviewer"
    )
    state = models.CharField(max_length=2, help_text="Two-letter postal code, e.g. TX.")
    body = models.CharField(
        max_length=200,
        blank=True,
        help_text="The state body they review for, e.g. Texas Sheriffs' Association.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__regex=r"^[A-Z]{2}$"), name="state_reviewer_state_is_postal_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.user)} (state reviewer, {self.state})"
