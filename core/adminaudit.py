"""Admin changes go to the audit trail too."""

from django.contrib import admin

from . import audit


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes append audit rows (before → after)."""

    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = audit.snapshot(old) if old else None
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action="update" if change else "create", obj=obj, before=before)

    def delete_model(self, request, obj):
        before = audit.snapshot(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        obj.pk = pk
        audit.record(actor=request.user, action="delete", obj=obj, before=before, after=None)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class AuditedInlineMixin:
    """Marker for inlines; their changes are recorded by ``save_formset`` of the parent."""


def audited_save_formset(admin_obj, request, form, formset, change):
    instances = formset.save(commit=False)
    for obj in formset.deleted_objects:
        before = audit.snapshot(obj)
        pk = obj.pk
        obj.delete()
        obj.pk = pk
        audit.record(actor=request.user, action="delete", obj=obj, before=before, after=None)
    for obj in instances:
        old = type(obj).objects.filter(pk=obj.pk).first() if obj.pk else None
        obj.save()
        audit.record(
            actor=request.user,
            action="update" if old else "create",
            obj=obj,
            before=audit.snapshot(old) if old else None,
        )
    formset.save_m2m()
