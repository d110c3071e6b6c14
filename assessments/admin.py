"""The Django admin of assessments, answers and score snapshots: read-only.

Assessments change only in the app, which enforces the workflow (who may start, answer, submit,
approve, return and reopen) and records every change in the audit trail. Editing the agency,
the models, the status or the questionnaire here would bypass both, so nothing is editable here.
"""

from __future__ import annotations

from django.contrib import admin

from .models import Answer, Assessment, ScoreSnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["title", "agency", "revision", "status", "created_at", "approved_at"]
    list_filter = ["status", "agency", "questionnaire"]
    search_fields = ["title", "agency__name"]
    list_select_related = ["agency"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = [
        "assessment",
        "question",
        "value",
        "not_applicable",
        "flagged",
        "updated_by",
        "updated_at",
    ]
    list_filter = ["not_applicable", "flagged", "assessment__agency"]
    search_fields = ["question__code", "note", "assessment__title"]
    list_select_related = ["assessment", "question", "updated_by"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "created_at"]
    list_select_related = ["assessment"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
