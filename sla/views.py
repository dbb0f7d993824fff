"""Staff pages of the SLA engine: the calendars and a year view of holidays and 调休 days."""

import calendar as pycalendar
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import formats, timezone

from accounts.roles import can

from . import engine
from .models import BusinessCalendar, CalendarDay
from .services import missing_next_year


def _check(user) -> None:
    if not can(user, "sla.calendars"):
        raise PermissionDenied


@login_required
def calendar_list(request):
    _check(request.user)
    rows = [
        {"calendar": cal, "years": sorted(y.year for y in cal.years.all())}
        for cal in BusinessCalendar.objects.prefetch_related("years")
    ]
    return render(
        request,
        "sla/calendar_list.html",
        {
            "rows": rows,
            "this_year": timezone.localdate().year,
            "missing_year": missing_next_year(),
        },
    )


def month_grids(cal: BusinessCalendar, year: int, entries: list[CalendarDay]) -> list[dict]:
    """12 months of weeks (Monday first); each day: holiday / workday (调休) / weekend / work."""
    days = {d.date: d for d in entries}
    week = engine.compile_calendar(cal).windows
    months = []
    for month in range(1, 13):
        weeks = []
        for row in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for d in row:
                entry = days.get(d) if d.month == month else None
                if entry is not None:
                    kind, name = entry.kind, entry.label
                else:
                    kind, name = ("work" if week[d.weekday()] else "weekend"), ""
                cells.append({"date": d, "in_month": d.month == month, "kind": kind, "name": name})
            weeks.append(cells)
        months.append({"month": dt.date(year, month, 1), "weeks": weeks})
    return months


@login_required
def calendar_year(request, code: str, year: int):
    _check(request.user)
    if not 1900 <= year <= 2200:
        raise Http404
    cal = get_object_or_404(BusinessCalendar, code=code)
    entries = list(CalendarDay.objects.filter(calendar=cal, date__year=year).order_by("date"))
    context = {
        "calendar": cal,
        "year": year,
        "months": month_grids(cal, year, entries),
        "confirmed": cal.years.filter(year=year).first(),
        "missing_year": missing_next_year(),
        "holidays": [e for e in entries if e.kind == CalendarDay.Kind.HOLIDAY],
        "workdays": [e for e in entries if e.kind == CalendarDay.Kind.WORKDAY],
        "weekday_names": [formats.date_format(dt.date(2024, 1, i), "D") for i in range(1, 8)],
    }
    return render(request, "sla/calendar_year.html", context)
