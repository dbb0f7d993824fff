"""Periods as the law counts them: one pure function for every warranty and Three Guarantees period.

The default convention follows 《中华人民共和国民法典》 (the Civil Code), arts. 201–204:

- art. 201: a period in years, months or days starts counting on the day after the event;
  the day of the event itself is not counted (bought 2025-03-03, 7 days → the 7th day is
  2025-03-10);
- art. 202: a period in months or years ends on the corresponding day of the final month, or
  on that month's last day when it has none (bought 2024-01-31, 1 month → 2024-02-29);
- art. 203: when the last day is a rest day, the period ends on the day after the rest
  (the next working day). Rest days come from a working-day predicate — the business calendar
  with its public holidays and 调休 working weekends (``sla``), passed in by the caller; without
  one, Saturdays and Sundays are the rest days;
- art. 204: terms may agree on another way of counting. ``Convention.ANNIVERSARY_EVE`` is the
  one this product used before: every day up to and including the day before the anniversary,
  with no move off rest days (bought 2023-11-23, 36 months → through 2026-11-22).

A period covers its start day too (a fault on the day of sale is within every period).
``extra_days`` lengthens a period before the rest-day rule (the Three Guarantees period
excludes the days a unit spent in repair).
"""

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

WorkingDay = Callable[[dt.date], bool]
MAX_REST_RUN = 60  # no calendar has a longer run of rest days; a longer one is a broken calendar


class Convention(models.TextChoices):
    CIVIL_CODE = "civil_code", _("Civil Code arts. 201–204 (a last day on a rest day moves to the next working day)")
    ANNIVERSARY_EVE = "anniversary_eve", _("Through the day before the anniversary")


def weekdays_only(day: dt.date) -> bool:
    """The working-day rule without a calendar: Monday to Friday."""
    return day.weekday() < 5


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later; the month's last day when it has none (art. 202)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Period:
    start: dt.date  # the day of the event (sale, exchange, repair): not counted, but covered
    nominal_last_day: dt.date  # the last day by the count alone
    last_day: dt.date  # the last day of the period, inclusive (after the rest-day rule)
    convention: str

    @property
    def moved_days(self) -> int:
        """Days added because the nominal last day was a rest day."""
        return (self.last_day - self.nominal_last_day).days

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.last_day


def next_working_day(day: dt.date, working_day: WorkingDay) -> dt.date:
    """``day`` itself when it is a working day, otherwise the first working day after it."""
    for _step in range(MAX_REST_RUN + 1):
        if working_day(day):
            return day
        day += dt.timedelta(days=1)
    raise ValueError(f"no working day within {MAX_REST_RUN} days: the calendar is broken")


def period(
    start: dt.date,
    *,
    months: int = 0,
    days: int = 0,
    convention: str = Convention.CIVIL_CODE,
    working_day: WorkingDay | None = None,
    extra_days: int = 0,
) -> Period:
    """The period of ``months`` and ``days`` from the event on ``start`` under ``convention``.

    Civil Code: the nominal last day is the corresponding day ``months`` later (or that
    month's last day) plus ``days`` plus ``extra_days``; a rest day there moves the end to the
    next working day by ``working_day`` (default: weekdays). Anniversary eve: one day earlier
    than that and never moved."""
    if months < 0 or days < 0 or extra_days < 0:
        raise ValueError("a period cannot be negative")
    if months == 0 and days == 0:  # no period at all: not even the start day is covered
        none = start - dt.timedelta(days=1)
        return Period(start, none, none, convention)
    nominal = add_months(start, months) + dt.timedelta(days=days + extra_days)
    if convention == Convention.ANNIVERSARY_EVE:
        nominal -= dt.timedelta(days=1)
        return Period(start, nominal, nominal, convention)
    if convention != Convention.CIVIL_CODE:
        raise ValueError(f"unknown convention {convention!r}")
    last = next_working_day(nominal, working_day or weekdays_only)
    return Period(start, nominal, last, convention)
