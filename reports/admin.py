from __future__ import annotations

from django.contrib import admin

from .models import CachedReport


@admin.register(CachedReport)
class CachedReportAdmin(admin.ModelAdmin):
    """Read-only: rows are written by `reports.services`; deleting one only forces a re-render."""

    list_display = ["assessment", "fingerprint", "size", "created_at"]
    list_select_related = ["assessment"]
    readonly_fields = ["assessment", "fingerprint", "size", "created_at"]
    exclude = ["pdf"]

    @admin.display(description="size (bytes)")
    def size(self, obj: CachedReport) -> int:
        return len(obj.pdf or b"")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
