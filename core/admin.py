"""Admin for the cross-cutting models: the audit log (read-only) and policy settings."""

from django import forms
from django.contrib import admin
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from . import policies
from .adminaudit import AuditedModelAdmin
from .masking import mask_address
from .models import AuditLog, Setting

MASKED_LABELS = frozenset({"customers.address"})


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Append-only: nobody adds, changes or deletes audit rows through the admin."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "label")
    list_filter = ("action", "object_type")
    search_fields = ("=object_id", "object_repr", "=actor__username")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    show_full_result_count = False
    actions = None
    readonly_fields = ("at", "actor", "action", "object_type", "object_id", "object_repr", "before", "after")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("object"), ordering="object_repr")
    def label(self, obj):
        """An address's label is the address: masked in the list (SPEC §11)."""
        return mask_address(obj.object_repr) if obj.object_type in MASKED_LABELS else obj.object_repr


class SettingForm(forms.ModelForm):
    class Meta:
        model = Setting
        fields = ("key", "value")

    def clean_key(self):
        key = self.cleaned_data["key"]
        if key not in policies.DEFAULTS:
            raise forms.ValidationError(
                _("Unknown setting. Known keys: %(keys)s") % {"keys": ", ".join(policies.DEFAULTS)}
            )
        return key

    def clean(self):
        cleaned = super().clean()
        key, value = cleaned.get("key"), cleaned.get("value")
        if key in policies.DEFAULTS and value is not None:
            default = policies.DEFAULTS[key]
            if isinstance(default, bool) != isinstance(value, bool) or not isinstance(value, type(default)):
                self.add_error("value", _("Expected a value like the default: %(default)s") % {"default": default})
        return cleaned


@admin.register(Setting)
class SettingAdmin(AuditedModelAdmin):
    """Policy overrides; every save and delete is audited and takes effect at once."""

    form = SettingForm
    list_display = ("key", "value", "default", "updated_at")
    search_fields = ("key",)

    @admin.display(description=_("default"))
    def default(self, obj):
        return policies.DEFAULTS.get(obj.key)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        cache.delete(policies._CACHE_PREFIX + obj.key)

    def delete_model(self, request, obj):
        key = obj.key
        super().delete_model(request, obj)
        cache.delete(policies._CACHE_PREFIX + key)
