from django.contrib import admin

from core.adminaudit import AuditedModelAdmin, audited_save_formset
from core.masking import mask_phone

from .models import Address, Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


@admin.register(Customer)
class CustomerAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "tier", "masked_phone", "region")
    list_filter = ("kind", "tier")
    search_fields = ("name", "=phone", "=email")
    inlines = [ContactInline, AddressInline]
    raw_id_fields = ("user",)
    show_full_result_count = False

    def save_formset(self, request, form, formset, change):
        audited_save_formset(self, request, form, formset, change)

    @admin.display(description="phone")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)
