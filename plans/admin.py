"""The plan in the Django admin: for site administrators to look, not to edit (the plan pages
check who may change what, and record it)."""

from django.contrib import admin

from questionnaires.admin import ReadOnlyAdmin

from .models import CalendarFeed, PlanItem, PlanProgress


@admin.register(PlanItem)
class PlanItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "agency", "question_code", "owner", "target_date", "status"]
    list_filter = ["agency", "status"]
    search_fields = ["title", "question_code"]
    list_select_related = ["agency", "owner"]


@admin.register(PlanProgress)
class PlanProgressAdmin(ReadOnlyAdmin):
    list_display = ["item", "author", "created_at", "status_from", "status_to"]
    list_select_related = ["item", "author"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ["membership", "created_at"]
    exclude = ["token"]  # the secret address is its member's alone
