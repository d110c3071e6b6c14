"""The Django admin of questionnaire versions; a version in use cannot be edited here."""

from __future__ import annotations

from django.contrib import admin

from .models import Question, QuestionnaireVersion, Section


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the app or a reviewed data file writes: listed and shown, never edited here.
    (The lowest app holds it so every app's admin can use it.)"""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class UsedQuestionnaireReadOnly:
    """Questions and sections of a version that assessments use cannot be edited here."""

    def _is_used(self, obj) -> bool:
        questionnaire = getattr(obj, "questionnaire", obj)
        return questionnaire is not None and questionnaire.pk and questionnaire.is_used

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and self._is_used(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and self._is_used(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(UsedQuestionnaireReadOnly, admin.ModelAdmin):
    list_display = ["title", "slug", "version", "published", "source_file", "loaded_at"]
    list_filter = ["published", "slug"]
    search_fields = ["title", "slug"]
    readonly_fields = ["content_hash", "source_file", "loaded_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Publishing or withdrawing a version is allowed even once it is used.
        return admin.ModelAdmin.has_change_permission(self, request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_used:
            fields += ["slug", "version", "title", "description"]
        return fields


@admin.register(Section)
class SectionAdmin(UsedQuestionnaireReadOnly, admin.ModelAdmin):
    list_display = ["code", "title", "questionnaire", "position"]
    list_filter = ["questionnaire"]
    search_fields = ["code", "title"]


@admin.register(Question)
class QuestionAdmin(UsedQuestionnaireReadOnly, admin.ModelAdmin):
    list_display = [
        "code",
        "short_prompt",
        "section",
        "answer_type",
        "weight_capacity",
        "weight_policy",
        "weight_community",
        "critical",
        "applies_jem",
        "applies_tfm",
        "applies_wso",
    ]
    list_filter = [
        "questionnaire",
        "section__code",
        "answer_type",
        "critical",
        "applies_jem",
        "applies_tfm",
        "applies_wso",
    ]
    search_fields = ["code", "prompt", "guidance", "recommendation", "source"]
    list_select_related = ["section"]

    @admin.display(description="prompt")
    def short_prompt(self, obj: Question) -> str:
        return obj.prompt if len(obj.prompt) <= 80 else obj.prompt[:79] + "…"
