from django.contrib import admin

from service.admin import ReadOnlyAdmin

from .models import Complaint, ComplaintEvent


class EventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "action", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "customer",
        "order",
        "channel",
        "category",
        "major",
        "status",
        "owner",
        "due_at",
        "received_at",
    )
    list_filter = ("status", "channel", "category", "major")
    inlines = [EventInline]
