"""Evidence behind an answer: a file kept privately, or a reference to where the document lives.

Items are never changed once attached: replacing a file makes a new version, and removing one
marks it removed (the file stays, so an approved record keeps what it was approved with). The
assessment is reached by a lazy foreign key, so this app imports nothing of `assessments`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from questionnaires.models import Question


def evidence_storage():
    """The private storage of evidence files (settings.STORAGES["evidence"])."""
    return storages["evidence"]


class Evidence(models.Model):
    class Kind(models.TextChoices):
        FILE = "file", gettext_lazy("File")
        REFERENCE = "reference", gettext_lazy("Reference")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="evidence")
    # Behind an answer (an assessment's question), or behind a plan item: one or the other.
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    plan_item = models.ForeignKey(
        "plans.PlanItem",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    document_number = models.CharField(max_length=100, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    # A file: where it is kept, as uploaded, and what its content is.
    file = models.FileField(storage=evidence_storage, max_length=200, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    # A reference: a URL or a records-system location, for documents that must not leave it.
    reference = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(
        null=True, blank=True, help_text="When a newer version replaced it."
    )

    class Meta:
        ordering = ["question", "uploaded_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="file") & ~Q(sha256="") & Q(reference=""))
                | (Q(kind="reference") & ~Q(reference="") & Q(sha256="")),
                name="evidence_is_a_file_or_a_reference",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="evidence_version_1_up"),
            models.CheckConstraint(
                condition=(
                    Q(assessment__isnull=False, question__isnull=False, plan_item__isnull=True)
                    | Q(assessment__isnull=True, question__isnull=True, plan_item__isnull=False)
                ),
                name="evidence_behind_an_answer_or_a_plan_item",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_current(self) -> bool:
        """Neither removed nor replaced by a newer version."""
        return self.removed_at is None and self.superseded_at is None

    @property
    def sha256_prefix(self) -> str:
        return self.sha256[:12]
