"""The public community summary of an approved assessment: its address and its versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from assessments.models import Assessment

STATEMENT_MAX_LENGTH = 600


class CommunitySummary(models.Model):
    """An approved assessment's public address. Made on the first publish and kept: every
    version of the summary is served there while it is live, and nothing is while none is."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="community_summary"
    )
    # secrets.token_urlsafe: not derived from the assessment, so it cannot be guessed from it.
    slug = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "community summaries"

    def __str__(self) -> str:
        return f"Community summary of {self.assessment}"


class SummaryVersion(models.Model):
    """One publication of the summary. `content` is the generated text in both languages, frozen
    when published, so a later change to the data files or the agency never alters it."""

    summary = models.ForeignKey(CommunitySummary, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    statement_en = models.TextField(blank=True, max_length=STATEMENT_MAX_LENGTH)
    statement_es = models.TextField(blank=True, max_length=STATEMENT_MAX_LENGTH)
    content = models.JSONField(help_text='{"en": {...}, "es": {...}}: what the page shows.')
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField()
    # Set when command staff unpublish it or publish a newer version.
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["summary", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["summary", "number"], name="summary_version_number"),
            models.UniqueConstraint(
                fields=["summary"],
                condition=Q(ended_at__isnull=True),
                name="summary_one_live_version",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="summary_version_number_1_up"),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.summary}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class SummaryPdf(models.Model):
    """A rendered PDF of a version in one language, kept so the public address never renders
    twice for the same version, language and letterhead."""

    version = models.ForeignKey(SummaryVersion, on_delete=models.CASCADE, related_name="pdfs")
    language = models.CharField(max_length=5)
    # The agency's letterhead as of the render (its upload time; "" for none).
    letterhead = models.CharField(max_length=40, blank=True)
    pdf = models.BinaryField()
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="summary_pdf_language"),
        ]

    def __str__(self) -> str:
        return f"PDF ({self.language}) of {self.version}"
