from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.adminaudit import AuditedModelAdmin

from .models import EngineerProfile


@admin.register(EngineerProfile)
class EngineerProfileAdmin(AuditedModelAdmin):
    list_display = (
        "user",
        "team",
        "regions",
        "product_lines",
        "certificate_valid_until",
        "capacity",
        "open_orders",
        "auto_assign",
        "last_assigned_at",
    )
    list_filter = ("auto_assign", "team")
    search_fields = ("user__username", "user__first_name", "user__last_name", "regions", "product_lines")
    readonly_fields = ("open_orders", "last_assigned_at")
    fieldsets = (
        (None, {"fields": ("user", "team", "auto_assign")}),
        (_("Coverage"), {"fields": ("regions", "product_lines", "certificate_valid_until", "capacity")}),
        (_("Load"), {"fields": ("open_orders", "last_assigned_at")}),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(role=Role.ENGINEER).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
