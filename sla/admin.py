"""Admin screens for business calendars and SLA policies.

Changing a calendar's days (here or with ``manage.py sla_calendar_import``) makes the engine
recompile it; new deadlines use the change at once, stored deadlines are not recomputed.
Editing a policy never rewrites orders already under it (they keep a snapshot).
"""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .businesstime import WorkCalendar
from .models import BusinessCalendar, CalendarDay, CalendarYear, Milestone, SlaPolicy, SlaTarget
from .services import calendar_touch, missing_next_year


def _week(raw) -> list:
    if not isinstance(raw, dict):
        raise ValueError("expected an object keyed by weekday 0-6")
    return [[tuple(w) for w in raw.get(str(d), raw.get(d, []))] for d in range(7)]


class BusinessCalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ("code", "name", "name_en", "region", "is_default", "tz", "windows", "adjusted_day_windows")

    def clean(self):
        data = super().clean()
        try:
            adjusted = data.get("adjusted_day_windows")
            WorkCalendar(
                tz=data.get("tz") or "Asia/Shanghai",
                windows=_week(data.get("windows") or {}),
                adjusted_day_windows=[tuple(w) for w in adjusted] if adjusted else None,
            )
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError(
                _(
                    'Working windows are not valid (%(error)s). Example: {"0": [["09:00", "12:00"], ["13:00", "18:00"]]}'
                ),
                params={"error": exc},
            ) from exc
        return data


class CalendarYearInline(admin.TabularInline):
    model = CalendarYear
    extra = 0
    fields = ("year", "source")


class CalendarDayInline(admin.TabularInline):
    """Last year onward; older days are under “calendar days”."""

    model = CalendarDay
    extra = 1
    fields = ("date", "kind", "name")
    verbose_name_plural = _("holidays and adjusted working days (from last year on)")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(date__year__gte=timezone.localdate().year - 1)


def _warn_missing_year(request) -> None:
    year = missing_next_year()
    if year is not None:
        messages.warning(
            request,
            gettext(
                "The official holiday schedule for %(year)s is not entered on the default calendar: deadlines "
                "in %(year)s are provisional (weekday rule). Add it here or run “manage.py sla_calendar_import "
                "--year %(year)s”."
            )
            % {"year": year},
        )


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ("code", "name", "name_en", "region", "is_default", "tz", "confirmed_years", "year_views")
    search_fields = ("code", "name", "name_en", "region")
    inlines = [CalendarYearInline, CalendarDayInline]

    @admin.display(description=_("confirmed years"))
    def confirmed_years(self, obj):
        years = sorted(obj.years.values_list("year", flat=True))
        return f"{years[0]}–{years[-1]} ({len(years)})" if years else "—"

    @admin.display(description=_("year view"))
    def year_views(self, obj):
        year = timezone.localdate().year
        return format_html_join(
            " ",
            '<a href="{}">{}</a>',
            ((reverse("sla:calendar_year", args=[obj.code, y]), y) for y in (year, year + 1)),
        )

    def changelist_view(self, request, extra_context=None):
        _warn_missing_year(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            _warn_missing_year(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        calendar_touch(form.instance)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "calendar")
    list_filter = ("calendar", "kind")
    date_hierarchy = "date"
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        calendar_touch(obj.calendar)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar_touch(obj.calendar)

    def delete_queryset(self, request, queryset):
        calendars = list(BusinessCalendar.objects.filter(days__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for cal in calendars:
            calendar_touch(cal)


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0
    fields = ("clock", "clock_type", "amount")


class SlaPolicyForm(forms.ModelForm):
    pause_on = forms.MultipleChoiceField(
        label=_("waits that pause the clocks"),
        choices=Milestone.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The clocks stop counting while the case waits for one of these."),
    )

    class Meta:
        model = SlaPolicy
        fields = (
            "code",
            "name",
            "name_en",
            "rank",
            "active",
            "case_type",
            "calendar",
            "service_types",
            "priorities",
            "customer_tiers",
            "industrial",
            "regions",
            "pause_on",
            "at_risk_ratio",
        )

    def clean(self):
        data = super().clean()
        for name in ("service_types", "priorities", "customer_tiers", "regions"):
            value = data.get(name)
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                self.add_error(name, _('Enter a list of codes, e.g. ["repair", "installation"].'))
        ratio = data.get("at_risk_ratio")
        if ratio is not None and not 0 < ratio < 1:
            self.add_error("at_risk_ratio", _("Enter a share between 0 and 1, e.g. 0.80."))
        return data


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = ("code", "name", "name_en", "rank", "active", "case_type", "calendar", "targets_summary")
    list_filter = ("active", "case_type")
    search_fields = ("code", "name", "name_en")
    inlines = [SlaTargetInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "rank", "active", "case_type", "calendar")}),
        (_("Matches"), {"fields": ("service_types", "priorities", "customer_tiers", "industrial", "regions")}),
        (_("Clock behaviour"), {"fields": ("pause_on", "at_risk_ratio")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("calendar").prefetch_related("targets")

    @admin.display(description=_("targets"))
    def targets_summary(self, obj):
        return format_html_join(
            ", ", "{} {} ({})", ((t.clock, t.amount, t.get_clock_type_display()) for t in obj.targets.all())
        ) or format_html("—")
