"""Mainland-China public holiday data (法定节假日 / 调休) for business calendars.

Source: the ``chinesecalendar`` package (``import chinese_calendar``), which
ships the State Council schedules as two dicts mapping ``date -> holiday name``:

* ``chinese_calendar.holidays``: every date off for a legal holiday, *including*
  the weekend dates that fall inside a holiday block (e.g. 2026-02-15, a
  Sunday, in the Spring Festival block Feb 15-23).  Ordinary weekends are not
  listed.
* ``chinese_calendar.workdays``: only the adjusted working days (调休上班),
  all of which are Saturdays or Sundays (e.g. 2026-02-14 and 2026-02-28).
  Ordinary Monday-Friday working days are *not* listed.

Version 1.11.0 covers 2004-2026.  Years it does not cover must be treated with
the plain weekday rule, and results touching them are provisional (see
:mod:`sla.businesstime`).  Before the State Council publishes a year's schedule
(usually in November of the year before) a newer package release is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import chinese_calendar

from sla.businesstime import DEFAULT_WINDOWS, WorkCalendar

__all__ = ["china_calendar", "china_covered_years", "china_schedule", "holiday_name_en"]

_ZH = {h.value: h.chinese for h in chinese_calendar.Holiday}
_EN = {zh: en for en, zh in _ZH.items()}


def holiday_name_en(name: str) -> str:
    """The English name of an official holiday named in Chinese ("春节" → "Spring Festival");
    "" for a name the package does not know (one an admin typed)."""
    return _EN.get(name, "")


def china_covered_years() -> frozenset[int]:
    """Years for which the installed package has an official schedule."""
    return frozenset(d.year for d in chinese_calendar.holidays) | frozenset(d.year for d in chinese_calendar.workdays)


def _name(value: str, lang: str) -> str:
    return _ZH.get(value, value) if lang == "zh" else value


def china_schedule(year: int, lang: str = "en") -> dict[str, dict[date, str]]:
    """The official schedule of one year, for seeding a database.

    Returns ``{"holidays": {date: name}, "workdays": {date: name}}`` where
    ``holidays`` are all dates off (weekends inside holiday blocks included) and
    ``workdays`` are the adjusted weekend working days, each named after the
    holiday it belongs to (English as in the package, or Chinese with
    ``lang="zh"``, e.g. "春节").  Raises ``ValueError`` for a year the package does
    not cover (an empty answer would silently look like "no holidays").
    """
    if lang not in ("en", "zh"):
        raise ValueError("lang must be 'en' or 'zh'")
    if year not in china_covered_years():
        raise ValueError(
            f"chinesecalendar {chinese_calendar.__version__} has no schedule for {year}; "
            f"covered years: {min(china_covered_years())}-{max(china_covered_years())}"
        )
    return {
        "holidays": {d: _name(n, lang) for d, n in sorted(chinese_calendar.holidays.items()) if d.year == year},
        "workdays": {d: _name(n, lang) for d, n in sorted(chinese_calendar.workdays.items()) if d.year == year},
    }


def china_calendar(
    years: Iterable[int] | None = None,
    *,
    tz: str = "Asia/Shanghai",
    windows: Sequence | None = None,
    adjusted_day_windows: Sequence | None = None,
) -> WorkCalendar:
    """A :class:`WorkCalendar` with the official China schedule for ``years``.

    ``years`` defaults to every year the installed package covers (with
    chinesecalendar 1.11.0 that is ``range(2004, 2027)``), so upgrading the
    package extends the default calendar without code changes.

    ``windows`` defaults to 09:00-12:00 and 13:00-18:00 Monday-Friday; adjusted
    working days use ``adjusted_day_windows`` (default: the Monday windows).
    ``confirmed_years`` is ``years`` restricted to the years the package covers,
    so a requested year without data (e.g. 2027 with package 1.11.0) follows
    the weekday rule and makes results provisional.  (If no requested year is
    covered at all, ``confirmed_years`` would be empty, which means "weekday rule
    authoritative"; that is refused with ``ValueError`` instead.)
    """
    wanted = china_covered_years() if years is None else frozenset(years)
    confirmed = wanted & china_covered_years()
    if not confirmed:
        raise ValueError(f"none of the years {sorted(wanted)} is covered by chinesecalendar")
    holidays = frozenset(d for d in chinese_calendar.holidays if d.year in confirmed)
    workdays = frozenset(d for d in chinese_calendar.workdays if d.year in confirmed)
    if windows is None:
        windows = (DEFAULT_WINDOWS,) * 5 + ((),) * 2
    return WorkCalendar(
        tz=tz,
        windows=windows,
        holidays=holidays,
        workdays=workdays,
        confirmed_years=confirmed,
        adjusted_day_windows=adjusted_day_windows,
    )
