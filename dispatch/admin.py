"""Engineers' dispatch data in the admin: the profile with its skills, certificates, areas and
shifts inline; certificate kinds and the work that needs them. Every change is audited."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from core.adminaudit import AuditedModelAdmin, audited_save_formset

from .models import Certificate, CertificateKind, CertificateRequirement, EngineerProfile, ServiceArea, Shift, Skill
from .registry import service_type_choices


class ServiceTypeField(forms.ChoiceField):
    def __init__(self, **kwargs):
        for key in ("max_length", "empty_value"):
            kwargs.pop(key, None)
        kwargs["choices"] = service_type_choices
        kwargs["required"] = False
        super().__init__(**kwargs)


class _ServiceTypeInline(admin.TabularInline):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "service_type":
            return ServiceTypeField(label=db_field.verbose_name, help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class SkillInline(_ServiceTypeInline):
    model = Skill
    extra = 0


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


class ServiceAreaInline(admin.TabularInline):
    model = ServiceArea
    extra = 0


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0


@admin.register(EngineerProfile)
class EngineerProfileAdmin(AuditedModelAdmin):
    list_display = ("user", "team", "capacity", "daily_capacity", "open_orders", "auto_assign", "last_assigned_at")
    list_filter = ("auto_assign", "team")
    search_fields = ("user__username", "user__first_name", "user__last_name", "areas__region")
    readonly_fields = ("open_orders", "last_assigned_at")
    inlines = (SkillInline, CertificateInline, ServiceAreaInline, ShiftInline)
    fieldsets = (
        (None, {"fields": ("user", "team", "auto_assign")}),
        (_("Capacity"), {"fields": ("capacity", "daily_capacity", "calendar")}),
        (_("Home base and van"), {"fields": ("home_address", "home_lat", "home_lng", "van_plate", "van_capacity")}),
        (_("Load"), {"fields": ("open_orders", "last_assigned_at")}),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(role=Role.ENGINEER).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        audited_save_formset(self, request, form, formset, change)


class RequirementInline(_ServiceTypeInline):
    model = CertificateRequirement
    extra = 0


@admin.register(CertificateKind)
class CertificateKindAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")
    inlines = (RequirementInline,)

    def save_formset(self, request, form, formset, change):
        audited_save_formset(self, request, form, formset, change)
