"""SQL expressions of the dashboard that the database computes without a Python call per row.

Django's ``TruncDate(tzinfo=…)`` and datetime subtraction run a Python function per row on
SQLite (``django_datetime_cast_date``, ``django_timestamp_diff``); over the 80,000 orders of a
month at a million orders that is most of the dashboard's time. These use SQLite's own
``date()`` and ``julianday()`` instead, and on PostgreSQL the same SQL Django writes.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Case, DateField, ExpressionWrapper, F, Func, IntegerField, Value, When
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThan


class LocalDate(TruncDate):
    """The calendar day of a timestamp in ``zone``.

    PostgreSQL: ``(ts AT TIME ZONE 'zone')::date`` (Django's). SQLite: ``date(ts, '+N seconds')``
    with the zone's offset, when the offset is the same at both ends of the period (Asia/Shanghai
    has had no daylight saving time since 1991); otherwise Django's exact, slower function."""

    output_field = DateField()

    def __init__(self, expression, *, zone: ZoneInfo, start: dt.datetime, end: dt.datetime):
        super().__init__(expression, tzinfo=zone)
        first, last = start.astimezone(zone).utcoffset(), end.astimezone(zone).utcoffset()
        self.fixed_offset = first if first == last else None

    def as_sqlite(self, compiler, connection, **extra_context):
        if self.fixed_offset is None:
            return super().as_sqlite(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        seconds = int(self.fixed_offset.total_seconds())
        return f"date({sql}, %s)", (*params, f"{seconds:+d} seconds")


class WholeMinutes(Func):
    """``end - start`` in whole minutes, rounded down (both are timestamps)."""

    output_field = IntegerField()
    template = "CAST(FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / 60) AS integer)"
    arg_joiner = " - "

    def __init__(self, end: str, start: str):
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler, connection, **extra_context):
        # julianday() is a double (≈ 40 µs of resolution today): a hair added so that an exact
        # number of minutes is not read as one less.
        return self.as_sql(
            compiler,
            connection,
            template="CAST((julianday(%(expressions)s)) * 1440.0 + 0.000001 AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def minutes_bucket(end: str, start: str):
    """``end - start`` in whole minutes below two hours, in steps of six minutes (0.1 h) above:
    a duration's distribution in a few thousand groups at most, exact to what the dashboard shows."""
    minutes = WholeMinutes(end, start)
    return Case(
        When(LessThan(minutes, BUCKETED_FROM), then=minutes),
        default=ExpressionWrapper(minutes / Value(STEP) * Value(STEP), output_field=IntegerField()),
        output_field=IntegerField(),
    )


BUCKETED_FROM, STEP = 120, 6


def bucket(minutes: int) -> int:
    """``minutes_bucket`` of a duration in whole minutes, in Python."""
    return minutes if minutes < BUCKETED_FROM else minutes // STEP * STEP
