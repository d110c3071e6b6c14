from __future__ import annotations

from django.contrib import admin

from questionnaires.admin import ReadOnlyAdmin

from .models import Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is written by the app alone."""

    list_display = ["created_at", "agency", "assessment", "actor", "kind", "question"]
    list_filter = ["kind", "agency"]
    search_fields = ["actor__username", "assessment__title", "comment"]
    list_select_related = ["agency", "assessment", "actor", "question"]
