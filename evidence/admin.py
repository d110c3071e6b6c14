"""Evidence in the Django admin: to look, not to edit (files never change once attached)."""

from django.contrib import admin

from questionnaires.admin import ReadOnlyAdmin

from .models import Evidence


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["title", "agency", "question", "kind", "version", "uploaded_at", "removed_at"]
    list_filter = ["agency", "kind"]
    search_fields = ["title", "document_number", "original_name"]
    list_select_related = ["agency", "question"]
