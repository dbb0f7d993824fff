"""Writes to business calendars: enter a year's official schedule (调休 included).

Used by the ``sla_calendar_import`` command and the admin. Each import replaces the year's
holidays and adjusted working days of one calendar, confirms the year (``CalendarYear``),
writes an audit row and makes the engine recompile the calendar.
"""

import csv
import datetime as dt
import io

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import ValidationFailed

from . import engine
from .calendar_data import china_covered_years, china_schedule
from .models import BusinessCalendar, CalendarDay, CalendarYear

KIND_ALIASES = {
    "holiday": CalendarDay.Kind.HOLIDAY,
    "休": CalendarDay.Kind.HOLIDAY,
    "off": CalendarDay.Kind.HOLIDAY,
    "workday": CalendarDay.Kind.WORKDAY,
    "班": CalendarDay.Kind.WORKDAY,
    "work": CalendarDay.Kind.WORKDAY,
}


def calendar_touch(calendar: BusinessCalendar) -> None:
    """The calendar's days changed: bump ``updated_at`` so every process recompiles it."""
    BusinessCalendar.objects.filter(pk=calendar.pk).update(updated_at=timezone.now())
    engine.forget_calendar(calendar.pk)
    transaction.on_commit(lambda: engine.forget_calendar(calendar.pk))


def calendar_year_import(
    *,
    actor,
    calendar: BusinessCalendar,
    year: int,
    holidays: dict[dt.date, str],
    workdays: dict[dt.date, str],
    source: str,
) -> CalendarYear:
    """Replace the year's holidays and adjusted working days and confirm the year."""
    errors = [d.isoformat() for d in [*holidays, *workdays] if d.year != year]
    if errors:
        msg = _("Dates outside %(year)s: %(dates)s") % {"year": year, "dates": ", ".join(sorted(errors)[:5])}
        raise ValidationFailed(msg, code="date_outside_year", fields={"year": [msg]})
    both = sorted(set(holidays) & set(workdays))
    if both:
        msg = _("Dates both holiday and working day: %(dates)s") % {"dates": ", ".join(d.isoformat() for d in both[:5])}
        raise ValidationFailed(msg, code="date_conflict", fields={"year": [msg]})
    with transaction.atomic():
        calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        before = {"year": year, "days": CalendarDay.objects.filter(calendar=calendar, date__year=year).count()}
        CalendarDay.objects.filter(calendar=calendar, date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(calendar=calendar, date=d, kind=CalendarDay.Kind.HOLIDAY, name=n[:60])
                for d, n in holidays.items()
            ]
            + [
                CalendarDay(calendar=calendar, date=d, kind=CalendarDay.Kind.WORKDAY, name=n[:60])
                for d, n in workdays.items()
            ]
        )
        confirmed, _created = CalendarYear.objects.update_or_create(
            calendar=calendar, year=year, defaults={"source": source[:100]}
        )
        calendar_touch(calendar)
        audit.record(
            actor=actor,
            action="calendar_import",
            obj=calendar,
            before=before,
            after={
                "year": year,
                "days": len(holidays) + len(workdays),
                "holidays": len(holidays),
                "workdays": len(workdays),
                "source": source[:100],
            },
        )
    return confirmed


def calendar_import_china(*, actor, calendar: BusinessCalendar, year: int) -> CalendarYear:
    """The year's schedule from the installed ``chinesecalendar`` package."""
    if year not in china_covered_years():
        covered = sorted(china_covered_years())
        msg = _(
            "The installed chinesecalendar package has no schedule for %(year)s (it covers %(first)s–%(last)s). "
            "Upgrade the package, or import the State Council's schedule from a CSV file."
        ) % {"year": year, "first": covered[0], "last": covered[-1]}
        raise ValidationFailed(msg, code="year_not_covered", fields={"year": [msg]})
    schedule = china_schedule(year, lang="zh")
    return calendar_year_import(
        actor=actor,
        calendar=calendar,
        year=year,
        holidays=schedule["holidays"],
        workdays=schedule["workdays"],
        source="chinesecalendar",
    )


def parse_calendar_csv(text: str, *, year: int) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """``date,kind,name`` rows (a header row is optional): kind ``holiday`` (or 休) for a day
    off, ``workday`` (or 班) for an adjusted working day. Errors name the line."""
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    errors = []
    for lineno, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#") or (lineno == 1 and cells[0].lower() == "date"):
            continue
        try:
            day = dt.date.fromisoformat(cells[0])
        except ValueError:
            errors.append(_("line %(n)s: “%(v)s” is not a date (YYYY-MM-DD)") % {"n": lineno, "v": cells[0][:20]})
            continue
        kind = KIND_ALIASES.get(cells[1].lower() if len(cells) > 1 else "")
        if kind is None:
            errors.append(_("line %(n)s: the kind must be holiday or workday") % {"n": lineno})
            continue
        if day.year != year:
            errors.append(_("line %(n)s: %(d)s is not in %(y)s") % {"n": lineno, "d": day.isoformat(), "y": year})
            continue
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays)[day] = cells[2] if len(cells) > 2 else ""
    if errors:
        raise ValidationFailed("; ".join(errors[:10]), code="bad_csv", fields={"csv": errors[:10]})
    if not holidays and not workdays:
        msg = _("The file has no holiday or working-day rows.")
        raise ValidationFailed(msg, code="bad_csv", fields={"csv": [msg]})
    return holidays, workdays


def missing_next_year(*, today: dt.date | None = None) -> int | None:
    """Next year, if the default calendar has not confirmed it yet (deadlines in it are provisional)."""
    today = today or timezone.localdate()
    calendar = BusinessCalendar.objects.filter(is_default=True).first()
    if calendar is None or calendar.years.filter(year=today.year + 1).exists():
        return None
    return today.year + 1
