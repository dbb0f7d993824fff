from django.contrib import admin

from .models import Question, SurveyTemplate, SurveyVersion


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0

    def has_change_permission(self, request, obj=None):
        # A version with answers is frozen: old answers keep pointing to the questions they answered.
        return obj is None or not obj.answered

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(SurveyVersion)
class SurveyVersionAdmin(admin.ModelAdmin):
    list_display = ("template", "number", "answered", "created_at")
    readonly_fields = ("answered",)
    inlines = [QuestionInline]


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "active")
