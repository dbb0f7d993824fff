"""Enter a year's official holiday schedule (with 调休 working days) into a business calendar.

    manage.py sla_calendar_import --year 2027                 # from the chinesecalendar package
    manage.py sla_calendar_import --year 2027 --csv 2027.csv  # date,kind,name rows (kind: holiday|workday)
    manage.py sla_calendar_import --year 2027 --calendar cn-sh

The year's existing holidays and adjusted working days on that calendar are replaced and the
year is confirmed: deadlines in it stop being provisional.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from sla import services
from sla.models import BusinessCalendar


class Command(BaseCommand):
    help = "Import a year's official holidays and adjusted working days into a business calendar."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--calendar", default="", help="Calendar code (default: the default calendar).")
        parser.add_argument("--csv", dest="csv_path", default="", help="A CSV file of date,kind,name rows.")

    def handle(self, *args, year: int, calendar: str, csv_path: str, **options):
        if not 1900 <= year <= 2200:
            raise CommandError("--year must be between 1900 and 2200")
        qs = BusinessCalendar.objects.all()
        cal = qs.filter(code=calendar).first() if calendar else qs.filter(is_default=True).first()
        if cal is None:
            raise CommandError(f"no calendar {calendar!r}" if calendar else "no default calendar")
        try:
            if csv_path:
                path = Path(csv_path)
                if not path.is_file():
                    raise CommandError(f"no such file: {csv_path}")
                text = path.read_text(encoding="utf-8-sig")
                holidays, workdays = services.parse_calendar_csv(text, year=year)
                services.calendar_year_import(
                    actor=None,
                    calendar=cal,
                    year=year,
                    holidays=holidays,
                    workdays=workdays,
                    source=f"csv:{path.name}",
                )
            else:
                services.calendar_import_china(actor=None, calendar=cal, year=year)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        days = cal.days.filter(date__year=year)
        n_h = days.filter(kind="holiday").count()
        n_w = days.filter(kind="workday").count()
        self.stdout.write(
            self.style.SUCCESS(f"{cal.code} {year}: {n_h} holidays, {n_w} adjusted working days; year confirmed.")
        )
