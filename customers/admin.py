from django.contrib import admin

from core.masking import mask_phone

from .models import Address, Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "tier", "masked_phone", "region")
    list_filter = ("kind", "tier")
    search_fields = ("name", "=phone", "=email")
    inlines = [ContactInline, AddressInline]
    raw_id_fields = ("user",)

    @admin.display(description="phone")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)
