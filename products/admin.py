from django.contrib import admin

from core.adminaudit import AuditedModelAdmin, audited_save_formset

from .models import ComponentClass, ProductLine, ProductModel, ThreeGuaranteesPolicy, Unit, WarrantyTerm


class WarrantyTermInline(admin.TabularInline):
    model = WarrantyTerm
    extra = 0


class ThreeGuaranteesInline(admin.StackedInline):
    model = ThreeGuaranteesPolicy
    extra = 1
    max_num = 1
    can_delete = False


@admin.register(ProductLine)
class ProductLineAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "name_en", "is_industrial")
    search_fields = ("code", "name", "name_en")
    fields = ("code", "name", "name_en", "is_industrial")
    inlines = [ThreeGuaranteesInline]

    def save_formset(self, request, form, formset, change):
        audited_save_formset(self, request, form, formset, change)


@admin.register(ComponentClass)
class ComponentClassAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "name_en", "kind")
    fields = ("code", "name", "name_en", "kind")


@admin.register(ProductModel)
class ProductModelAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "name_en", "line")
    list_filter = ("line",)
    search_fields = ("code", "name", "name_en")
    fields = ("code", "name", "name_en", "line")
    inlines = [WarrantyTermInline]

    def save_formset(self, request, form, formset, change):
        audited_save_formset(self, request, form, formset, change)


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("serial", "model", "batch", "sale_date", "purchase_date", "channel", "sold_online", "status")
    list_filter = ("status", "model__line")
    search_fields = ("=serial", "batch")
    raw_id_fields = ("owner", "proof", "replaced_by")
    list_select_related = ("model",)
    show_full_result_count = False
