"""Seed the default China calendar from the chinesecalendar package and the default policies.

Admins add each new year's schedule when the State Council publishes it
(admin → business calendars, or ``manage.py sla_calendar_import --year``).
"""

from django.db import migrations

WINDOWS = {str(d): [["09:00", "12:00"], ["13:00", "18:00"]] for d in range(5)}

POLICIES = [
    # code, name, rank, filters, targets [(clock, type, amount)]
    ("industrial", "Industrial equipment", 10, {"industrial": True},
     [("response", "calendar", 30), ("onsite", "calendar", 24 * 60), ("fix", "calendar", 24 * 60)]),
    ("urgent", "Urgent requests", 20, {"priorities": ["urgent"]},
     [("response", "calendar", 2 * 60), ("onsite", "business", 8 * 60), ("resolution", "working_days", 3)]),
    ("standard", "Standard service", 100, {},
     [("response", "calendar", 24 * 60), ("onsite", "working_days", 3), ("resolution", "working_days", 7)]),
    ("complaint", "Complaints", 100, {"for_complaints": True},
     [("acknowledge", "business", 60), ("classify", "business", 60), ("resolution", "working_days", 15)]),
]


def seed(apps, schema_editor):
    from sla.calendar_data import china_covered_years, china_schedule

    Calendar = apps.get_model("sla", "BusinessCalendar")
    Day = apps.get_model("sla", "CalendarDay")
    Year = apps.get_model("sla", "CalendarYear")
    Policy = apps.get_model("sla", "SlaPolicy")
    Target = apps.get_model("sla", "SlaTarget")
    cal, _ = Calendar.objects.get_or_create(
        code="cn", defaults={"name": "China (mainland)", "is_default": True, "windows": WINDOWS}
    )
    days = []
    for year in sorted(china_covered_years()):
        schedule = china_schedule(year, lang="zh")
        days += [Day(calendar=cal, date=d, kind="holiday", name=n) for d, n in schedule["holidays"].items()]
        days += [Day(calendar=cal, date=d, kind="workday", name=n) for d, n in schedule["workdays"].items()]
        Year.objects.get_or_create(calendar=cal, year=year, defaults={"source": "chinesecalendar"})
    Day.objects.bulk_create(days, ignore_conflicts=True)
    for code, name, rank, filters, targets in POLICIES:
        policy, created = Policy.objects.get_or_create(
            code=code,
            defaults={"name": name, "rank": rank, "pause_statuses": ["awaiting_customer"], **filters},
        )
        if created:
            Target.objects.bulk_create(
                [Target(policy=policy, clock=c, clock_type=t, amount=a) for c, t, a in targets]
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
