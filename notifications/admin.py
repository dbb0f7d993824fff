from django.contrib import admin

from .models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by ``notifications.services.notify`` only."""

    list_display = ("created_at", "channel", "recipient", "subject", "order_id", "sent_at", "read_at", "attempts")
    list_filter = ("channel", ("sent_at", admin.EmptyFieldListFilter), ("error", admin.EmptyFieldListFilter))
    search_fields = ("subject", "recipient__username")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    """Read-only: people set their own on the preferences page (``preferences.preference_set``)."""

    list_display = ("user", "language", "channels", "updated_at")
    list_filter = ("language",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    readonly_fields = [f.name for f in Preference._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
