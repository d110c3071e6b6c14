"""What each state's law says about 287(g) agreements, as versioned, reviewed data."""

from __future__ import annotations

from django.db import models

from questionnaires.models import StateDuty


class LawStatus(models.TextChoices):
    MANDATE = "mandate", "Required by state law"
    PROHIBITION = "prohibition", "Barred by state law"
    CONDITIONS = "conditions", "Allowed, with conditions"
    NONE_KNOWN = "none_known", "No state law known"


class StateLawVersion(models.Model):
    """One version of the state-law profiles, loaded from a reviewed data file.

    Versions only accumulate: an approved assessment keeps the profile it was scored with.
    """

    slug = models.SlugField(max_length=100)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    content_hash = models.CharField(max_length=64)
    source_file = models.CharField(max_length=300, blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="state_law_slug_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class StateProfile(models.Model):
    """One state's entry in one version of the profiles."""

    law = models.ForeignKey(StateLawVersion, on_delete=models.CASCADE, related_name="profiles")
    state = models.CharField(max_length=2)
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=LawStatus.choices)
    verified = models.BooleanField(
        default=False, help_text="Confirmed in a primary source on the date checked."
    )
    checked_on = models.DateField()
    summary = models.TextField()
    applies_to = models.TextField(blank=True)
    deadline = models.DateField(null=True, blank=True)
    enforced_by = models.TextField(blank=True)
    grants = models.TextField(blank=True)
    ending = models.TextField(blank=True, help_text="Rules on ending an agreement.")
    notes = models.TextField(
        blank=True, help_text="How the entry was checked: what was read, what is unconfirmed."
    )
    duties = models.JSONField(default=list, blank=True)
    citations = models.JSONField(default=list, help_text='[{"title": …, "url": …}]')

    class Meta:
        ordering = ["law", "state"]
        constraints = [
            models.UniqueConstraint(fields=["law", "state"], name="state_profile_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_status_display()}"

    @property
    def duty_labels(self) -> list[str]:
        return [StateDuty(duty).label for duty in self.duties if duty in StateDuty.values]

    @property
    def citation_text(self) -> str:
        return "; ".join(citation["title"] for citation in self.citations)
