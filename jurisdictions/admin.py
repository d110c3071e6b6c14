"""Profiles change only through the reviewed data file and `load_state_law`."""

from django.contrib import admin

from questionnaires.admin import ReadOnlyAdmin

from .models import StateLawVersion, StateProfile


@admin.register(StateLawVersion)
class StateLawVersionAdmin(ReadOnlyAdmin):
    list_display = ["title", "version", "source_file", "loaded_at"]


@admin.register(StateProfile)
class StateProfileAdmin(ReadOnlyAdmin):
    list_display = ["state", "name", "status", "verified", "checked_on", "deadline", "law"]
    list_filter = ["law", "status", "verified"]
    search_fields = ["state", "name", "summary"]
