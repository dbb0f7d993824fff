from django.contrib import admin

from .models import Replacement


@admin.register(Replacement)
class ReplacementAdmin(admin.ModelAdmin):
    """Read-only: replacements are made through the work order (one write path)."""

    list_display = ("order", "ground", "old_unit", "new_serial", "is_return", "created_at")
    list_filter = ("ground", "is_return")
    raw_id_fields = ("order", "old_unit", "new_unit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
