from django.contrib import admin

from .models import StateLawVersion, StateProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    """Profiles change only through the reviewed data file and `load_state_law`."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StateLawVersion)
class StateLawVersionAdmin(ReadOnlyAdmin):
    list_display = ["title", "version", "source_file", "loaded_at"]


@admin.register(StateProfile)
class StateProfileAdmin(ReadOnlyAdmin):
    list_display = ["state", "name", "status", "verified", "checked_on", "deadline", "law"]
    list_filter = ["law", "status", "verified"]
    search_fields = ["state", "name", "summary"]
