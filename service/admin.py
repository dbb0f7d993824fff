from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.masking import mask_address, mask_phone

from .models import Replacement, WorkOrder, WorkOrderEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Work orders change only through the services (state machine, audit); the admin only reads."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "priority", "service_type", "channel", "customer", "serial", "created_at")
    list_filter = ("status", "priority", "service_type", "channel")
    search_fields = ("=serial", "=contact_phone")
    list_select_related = ("customer",)
    raw_id_fields = ("customer", "unit", "assignee", "product_model", "created_by", "department")
    # Phone and address masked here too (SPEC §11): the order page's logged reveal shows them.
    exclude = ("contact_phone", "address")
    readonly_fields = ("masked_phone", "masked_address")

    @admin.display(description=_("contact phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.contact_phone)

    @admin.display(description=_("address"))
    def masked_address(self, obj):
        return mask_address(obj.address)


@admin.register(Replacement)
class ReplacementAdmin(ReadOnlyAdmin):
    """Replacements are made through the work order (one write path)."""

    list_display = ("order", "ground", "old_unit", "new_serial", "is_return", "created_at")
    list_filter = ("ground", "is_return")
    raw_id_fields = ("order", "old_unit", "new_unit")


@admin.register(WorkOrderEvent)
class WorkOrderEventAdmin(ReadOnlyAdmin):
    list_display = ("order", "at", "actor", "action", "from_status", "to_status")
    list_filter = ("action",)
    raw_id_fields = ("order", "actor")
