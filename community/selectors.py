"""Reads of the community summary, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.models import Assessment

from .models import CommunitySummary, SummaryPdf, SummaryVersion

# Who published and ended each version, for the staff page.
VERSION_RELATED = ("published_by", "ended_by")


@dataclass(frozen=True)
class SummaryState:
    summary: CommunitySummary | None
    versions: list[SummaryVersion]

    @property
    def live(self) -> SummaryVersion | None:
        return next((v for v in self.versions if v.is_live), None)


def summary_state(assessment: Assessment) -> SummaryState:
    """The assessment's public address (if ever published) and its versions, newest first.
    Two queries."""
    summary = CommunitySummary.objects.filter(assessment=assessment).first()
    if summary is None:
        return SummaryState(None, [])
    versions = list(
        summary.versions.select_related(*VERSION_RELATED).defer("content").order_by("-number")
    )
    return SummaryState(summary, versions)


def live_version(slug: str) -> SummaryVersion | None:
    """The live version served at the public address `slug`, with its agency (without the
    letterhead's bytes), or None: unknown address or nothing published. One query."""
    if not slug or len(slug) > 64:
        return None
    return (
        SummaryVersion.objects.select_related("summary__assessment__agency")
        .defer("summary__assessment__agency__logo_png")
        .filter(summary__slug=slug, ended_at__isnull=True)
        .first()
    )


def kept_pdf(version: SummaryVersion, language: str, letterhead: str) -> bytes | None:
    """The PDF rendered earlier for this version, language and letterhead, or None. One query."""
    row = (
        SummaryPdf.objects.filter(version=version, language=language, letterhead=letterhead)
        .values_list("pdf", flat=True)
        .first()
    )
    return bytes(row) if row is not None else None
