from __future__ import annotations

from django.contrib import admin, messages

from .models import (
    Agency,
    Answer,
    Assessment,
    Event,
    Membership,
    Question,
    QuestionnaireVersion,
    ScoreSnapshot,
    Section,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "state",
        "county",
        "agency_type",
        "ori",
        "sworn_officers",
        "operates_jail",
    ]
    list_filter = ["state", "agency_type", "operates_jail"]
    search_fields = ["name", "county", "ori"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "title", "created_at"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]


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


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "revision", "status", "created_at", "approved_at"]
    list_filter = ["status", "agency", "questionnaire"]
    search_fields = ["title", "agency__name"]
    list_select_related = ["agency"]
    readonly_fields = [
        "status",
        "revision",
        "reopened_from",
        "created_by",
        "created_at",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "updated_at",
        "questionnaire",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status != Assessment.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change:
            messages.info(request, "Answers are edited by the agency in the checklist.")


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    """Read-only: answers change only through the checklist, which records every change."""

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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "agency", "assessment", "actor", "kind", "question"]
    list_filter = ["kind", "agency"]
    search_fields = ["actor__username", "assessment__title", "comment"]
    list_select_related = ["agency", "assessment", "actor", "question"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "created_at"]
    list_select_related = ["assessment"]
