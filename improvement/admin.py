from django.contrib import admin

from .models import CorrectiveAction, ImprovementAction, Promise, TrainingNeed


@admin.register(CorrectiveAction, ImprovementAction, Promise, TrainingNeed)
class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the services (audit rows, events)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
