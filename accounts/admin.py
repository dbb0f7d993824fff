from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Absence, ApiToken, Department, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + ((_("Service"), {"fields": ("role", "department", "phone")}),)

    def has_delete_permission(self, request, obj=None):
        # Users stay: the append-only audit log and the orders refer to them. Deactivate
        # instead (or erase a customer's personal data with ``manage.py pii_erase``).
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "kind", "scope_orders")
    list_filter = ("kind", "scope_orders")
    search_fields = ("code", "name", "name_en")
    fields = ("code", "name", "name_en", "kind", "scope_orders")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ("user", "starts", "ends", "reason")
    list_filter = ("user__department",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "reason")
    raw_id_fields = ("user",)
