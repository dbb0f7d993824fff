"""Pure business-time maths for the SLA engine (no Django, no database).

Clock kinds (:class:`ClockKind`)
--------------------------------
* ``calendar``: elapsed 24x7 time; :func:`add_calendar_time`.
* ``business``: working time inside the calendar's windows; :func:`add_business_time`.
* ``working_days``: whole working days; :func:`add_working_days`.

Exact semantics
---------------
* All public functions take and return timezone-aware datetimes; a naive
  datetime raises ``ValueError``.  Inputs may be in any zone.  Returned
  datetimes are always in UTC (as Django stores them): aware datetimes in a DST
  zone compare unreliably when the wall time is ambiguous (PEP 495: an
  inter-zone ``==`` involving an ambiguous local time is always False), so
  convert with ``.astimezone(calendar.zone)`` only for display.  Precision is
  one microsecond; the bulk API works in whole epoch seconds.  Negative
  durations / day counts raise ``ValueError``.
* A working window ``[start, end)`` is half-open: its opening instant is
  working time, its closing instant is not (but see the deadline rule below).
* ``add_business_time(start, d)``: the earliest instant by which ``d`` of
  working time has elapsed after ``start``.  A start outside working time
  counts from the next window opening.  When ``d`` is used up exactly at the end
  of a window the deadline is that window's end (18:00), never the next
  window's opening.  ``d == 0``: ``start`` itself if ``start`` is working time
  or exactly a window end, otherwise the next window opening.
* ``add_working_days(start, n)``: the close of the last window of the n-th
  working day after the local date of ``start``; the day of receipt never
  counts, working day or not.  ``n == 0``: the close of the day of ``start`` if
  that is a working day and ``start`` is not after its close; otherwise the
  close of the next working day (a deadline is never before its start).
* ``working_time_between(a, b)``: working time in ``[a, b)``; zero if ``b <= a``.
* Pauses (:func:`shift_due_for_pause`): a clock paused from ``p1`` to ``p2``
  has its due time moved by the paused time *of its own kind*: calendar clocks by
  ``p2 - p1``; business clocks by ``working_time_between(p1, p2)`` using
  business-time addition (``add_business_time(due, paused)``).  Working-day
  clocks are treated the same way as business clocks: the pause is measured in
  working time and the due time moves by that much working time (so a pause
  covering one full working day moves the due time by a full day of working
  hours; a pause that lies wholly in non-working time moves nothing).  A zero
  paused amount always leaves the due time unchanged.
* A working day is a date that has at least one window.  The windows of a
  date ``d`` are: ``adjusted_day_windows`` if ``d`` is in ``workdays`` (调休,
  whatever its weekday); none if ``d`` is in ``holidays``; otherwise
  ``windows[d.weekday()]``.  When ``confirmed_years`` is non-empty, holiday and
  adjusted-day entries of years outside it are ignored (plain weekday rule) and
  any result whose computation touched such a year (from the local date of
  the start up to that of the due time) has ``provisional=True``.  An empty
  ``confirmed_years`` means the weekday rule is authoritative: never provisional.
* Window times are local wall-clock times in ``calendar.tz``; an end of
  ``24:00`` (or ``time(0)``) means the next midnight.  Overlapping or touching
  windows of a day are merged.  DST: see :mod:`sla.timeline`.
* A calendar without any working time cannot be built (``ValueError``), and a
  search that finds no working time within ``MAX_SEARCH_YEARS`` (20) years
  after the start raises ``ValueError`` instead of looping.
* Calendar-time clocks add elapsed (UTC) time, so they are DST-safe.

Performance
-----------
A calendar is compiled lazily, per local year, into flat lists of UTC epoch
seconds (window bounds, cumulative working seconds, working-day closes; see
:mod:`sla.timeline`) cached on the calendar object, so reuse one
``WorkCalendar`` instance for many computations.  A business deadline is then
two ``bisect`` calls and integer arithmetic; :func:`deadlines_bulk` runs that
loop over epoch seconds without creating datetimes (``python -m
sla.bench_businesstime``: well over 10**6 deadlines/s for each clock kind).
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sla.timeline import DAY, timeline_for

__all__ = [
    "DEFAULT_WINDOWS",
    "MAX_SEARCH_YEARS",
    "ClockKind",
    "Result",
    "WorkCalendar",
    "add_business_time",
    "add_calendar_time",
    "add_working_days",
    "compute_due",
    "deadlines_bulk",
    "is_working_instant",
    "next_working_instant",
    "shift_due_for_pause",
    "working_time_between",
]

MAX_SEARCH_YEARS = 20
DEFAULT_WINDOWS = ((time(9), time(12)), (time(13), time(18)))
_DEFAULT_WEEK = (DEFAULT_WINDOWS,) * 5 + ((),) * 2
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class ClockKind(enum.StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"
    WORKING_DAYS = "working_days"


class Result(NamedTuple):
    """A computed due time; ``provisional`` is True when unconfirmed years were used."""

    due: datetime
    provisional: bool


# --------------------------------------------------------------------------- calendar


def _seconds(v, *, is_end: bool) -> int:
    if isinstance(v, str):
        parts = v.strip().split(":")
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
            raise ValueError(f"bad time {v!r}: expected HH:MM or HH:MM:SS")
        h, m, s = (int(p) for p in parts + ["0"] * (3 - len(parts)))
        if (h, m, s) == (24, 0, 0) and is_end:
            return DAY
        v = time(h, m, s)  # validates ranges
    if not isinstance(v, time):
        raise TypeError(f"window bound must be datetime.time or 'HH:MM', got {v!r}")
    if v.tzinfo is not None or v.microsecond:
        raise ValueError(f"window bound {v!r} must be naive and whole seconds")
    secs = v.hour * 3600 + v.minute * 60 + v.second
    return DAY if is_end and secs == 0 else secs


def _norm_day(pairs) -> tuple[tuple[int, int], ...]:
    """Windows of one day as sorted, merged ``(start_sec, end_sec)`` pairs."""
    raw = []
    for pair in pairs or ():
        a, b = pair
        s, e = _seconds(a, is_end=False), _seconds(b, is_end=True)
        if not s < e:
            raise ValueError(f"window {a!r}-{b!r} must start before it ends")
        raw.append((s, e))
    merged: list[list[int]] = []
    for s, e in sorted(raw):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple((s, e) for s, e in merged)


def _as_times(secs: tuple[tuple[int, int], ...]) -> tuple[tuple[time, time], ...]:
    def t(x: int) -> time:
        x %= DAY
        return time(x // 3600, x // 60 % 60, x % 60)

    return tuple((t(s), t(e)) for s, e in secs)


def _dates(values, name: str) -> frozenset[date]:
    out = frozenset(values or ())
    for d in out:
        if isinstance(d, datetime) or not isinstance(d, date):
            raise TypeError(f"{name} must contain datetime.date objects, got {d!r}")
    return out


@dataclass(frozen=True)
class WorkCalendar:
    """An immutable, hashable business calendar (see module doc for the rules).

    ``windows``: 7 entries (Monday=0 .. Sunday=6) or a ``{weekday: pairs}``
    mapping; each entry a sequence of ``(start, end)`` pairs of ``datetime.time``
    or ``"HH:MM"`` strings (``"24:00"`` allowed as an end).  Several windows per
    day (split shifts) are allowed.  ``adjusted_day_windows`` (used on dates in
    ``workdays``) defaults to the Monday windows, or to those of the first
    weekday that has any.  Inputs are normalised in place (sorted, merged,
    ``time`` objects with 24:00 stored as ``time(0)``).
    """

    tz: str = "Asia/Shanghai"
    windows: Sequence | Mapping = _DEFAULT_WEEK
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    confirmed_years: frozenset[int] = frozenset()
    adjusted_day_windows: Sequence | None = None
    _week: tuple = field(init=False, repr=False, compare=False)
    _adjusted: tuple = field(init=False, repr=False, compare=False)
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _cache: dict = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        put = object.__setattr__
        try:
            put(self, "_zone", ZoneInfo(self.tz))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        win = self.windows
        if isinstance(win, Mapping):
            if not set(win) <= set(range(7)):
                raise ValueError("windows mapping keys must be weekdays 0 (Monday) .. 6 (Sunday)")
            win = [win.get(i, ()) for i in range(7)]
        if len(win) != 7:
            raise ValueError("windows needs exactly 7 entries, Monday=0 .. Sunday=6")
        week = tuple(_norm_day(day) for day in win)
        if self.adjusted_day_windows is None:
            adjusted = week[0] or next((w for w in week if w), ())
        else:
            adjusted = _norm_day(self.adjusted_day_windows)
        holidays = _dates(self.holidays, "holidays")
        workdays = _dates(self.workdays, "workdays")
        both = holidays & workdays
        if both:
            raise ValueError(f"dates both holiday and adjusted working day: {sorted(both)[:5]}")
        years = frozenset(int(y) for y in (self.confirmed_years or ()))
        if not any(week) and not (workdays and adjusted):
            raise ValueError("WorkCalendar has no working time at all: no weekday windows and no adjusted working days")
        put(self, "_week", week)
        put(self, "_adjusted", adjusted)
        put(self, "windows", tuple(_as_times(w) for w in week))
        put(self, "adjusted_day_windows", _as_times(adjusted))
        put(self, "holidays", holidays)
        put(self, "workdays", workdays)
        put(self, "confirmed_years", years)

    @classmethod
    def always(cls, tz: str = "Asia/Shanghai") -> WorkCalendar:
        """A 24x7 calendar (every instant is working time)."""
        return cls(tz=tz, windows=[[("00:00", "24:00")]] * 7)

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def day_seconds(self, d: date) -> tuple[tuple[int, int], ...]:
        """Windows of date ``d`` as ``(start, end)`` seconds after local midnight."""
        if not self.confirmed_years or d.year in self.confirmed_years:
            if d in self.workdays:
                return self._adjusted
            if d in self.holidays:
                return ()
        return self._week[d.weekday()]

    def day_windows(self, d: date) -> tuple[tuple[time, time], ...]:
        """Wall-clock windows of date ``d`` (an end of ``time(0)`` means 24:00)."""
        return _as_times(self.day_seconds(d))

    def is_working_day(self, d: date) -> bool:
        return bool(self.day_seconds(d))

    def is_provisional_year(self, year: int) -> bool:
        return bool(self.confirmed_years) and year not in self.confirmed_years

    def _timeline(self, lo: int, hi: int):
        return timeline_for(self, self._zone, self._cache, lo, hi)


# --------------------------------------------------------------------------- helpers


def _us(dt: datetime, name: str = "datetime") -> int:
    if not isinstance(dt, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {dt!r}")
    return (dt - _EPOCH) // _MICRO


def _dt(us: int, zone) -> datetime:
    return (_EPOCH + timedelta(microseconds=us)).astimezone(zone)


def _duration_us(duration: timedelta) -> int:
    if not isinstance(duration, timedelta):
        raise TypeError(f"duration must be a timedelta, got {type(duration).__name__}")
    d = duration // _MICRO
    if d < 0:
        raise ValueError(f"duration must not be negative, got {duration}")
    return d


def _search(calendar: WorkCalendar, year: int, attempt):
    """Run ``attempt(timeline)`` on growing timelines until it returns a value."""
    limit = year + MAX_SEARCH_YEARS
    hi = year + 1
    while True:
        tl = calendar._timeline(year, min(hi, limit))
        found = attempt(tl)
        if found is not None:
            return found
        if tl.hi >= limit:
            raise ValueError(
                f"no working time found within {MAX_SEARCH_YEARS} years after {year}; check the calendar's windows"
            )
        hi = tl.hi + max(2, tl.hi - year)


def _result(calendar: WorkCalendar, start_year: int, due_us: int) -> Result:
    due_year = _dt(due_us, calendar._zone).year
    if due_year > start_year + MAX_SEARCH_YEARS:
        raise ValueError(f"no deadline within {MAX_SEARCH_YEARS} years after {start_year}")
    prov = any(calendar.is_provisional_year(y) for y in range(start_year, due_year + 1))
    return Result(_dt(due_us, UTC), prov)


def _local_year(dt: datetime, calendar: WorkCalendar) -> int:
    return dt.astimezone(calendar._zone).year


# --------------------------------------------------------------------------- public API


def add_calendar_time(start: datetime, duration: timedelta) -> datetime:
    """``start`` plus ``duration`` of elapsed (24x7, DST-safe) time, in UTC."""
    return _dt(_us(start, "start") + _duration_us(duration), UTC)


def is_working_instant(t: datetime, calendar: WorkCalendar) -> bool:
    """True if ``t`` lies inside a working window ``[open, close)``."""
    us = _us(t, "t")
    year = _local_year(t, calendar)
    return calendar._timeline(year, year).locate_us(us)[0]


def next_working_instant(t: datetime, calendar: WorkCalendar) -> datetime:
    """``t`` itself if it is working time, else the next window opening."""
    us = _us(t, "t")
    year = _local_year(t, calendar)
    found = _search(calendar, year, lambda tl: tl.locate_us(us)[2])
    return _result(calendar, year, found).due


def add_business_time(start: datetime, duration: timedelta, calendar: WorkCalendar) -> Result:
    """The instant at which ``duration`` of working time has elapsed after ``start``.

    See the module doc: half-open windows, a deadline that uses a window up
    exactly is that window's end, and ``duration == 0`` returns ``start`` when it
    is working time or a window end, else the next window opening.
    """
    t = _us(start, "start")
    d = _duration_us(duration)
    year = _local_year(start, calendar)
    if d == 0:

        def attempt(tl):
            working, at_end, nxt = tl.locate_us(t)
            return t if (working or at_end) else nxt

    else:

        def attempt(tl):
            return tl.instant_of_work_us(tl.work_us(t) + d)

    return _result(calendar, year, _search(calendar, year, attempt))


def add_working_days(start: datetime, n: int, calendar: WorkCalendar) -> Result:
    """Close of the last window of the n-th working day after the day of ``start``.

    The day of receipt never counts.  ``n == 0`` gives the close of the day of
    ``start`` if it is a working day and not yet closed, else of the next working day.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    t = _us(start, "start")
    year = _local_year(start, calendar)
    return _result(calendar, year, _search(calendar, year, lambda tl: tl.working_day_close_us(t, n)))


def working_time_between(a: datetime, b: datetime, calendar: WorkCalendar) -> timedelta:
    """Working time within ``[a, b)``; ``timedelta(0)`` if ``b <= a``."""
    ua, ub = _us(a, "a"), _us(b, "b")
    if ub <= ua:
        return timedelta(0)
    tl = calendar._timeline(_local_year(a, calendar), _local_year(b, calendar))
    return timedelta(microseconds=tl.work_us(ub) - tl.work_us(ua))


def compute_due(start: datetime, kind: str, amount, calendar: WorkCalendar) -> Result:
    """Dispatch on the clock kind: ``amount`` is a timedelta, or an int of days."""
    kind = ClockKind(kind)
    if kind is ClockKind.CALENDAR:
        return Result(add_calendar_time(start, amount), False)
    if kind is ClockKind.BUSINESS:
        return add_business_time(start, amount, calendar)
    return add_working_days(start, amount, calendar)


def shift_due_for_pause(
    due: datetime, paused_from: datetime, paused_to: datetime, calendar: WorkCalendar, kind: str
) -> Result:
    """New due time of a clock of ``kind`` that was paused over ``[paused_from, paused_to)``."""
    kind = ClockKind(kind)
    _us(due, "due")
    p1, p2 = _us(paused_from, "paused_from"), _us(paused_to, "paused_to")
    if kind is ClockKind.CALENDAR:
        paused = timedelta(microseconds=max(p2 - p1, 0))
        return Result(add_calendar_time(due, paused), False)
    paused = working_time_between(paused_from, paused_to, calendar)
    y1 = _local_year(paused_from, calendar)
    y2 = _local_year(paused_to, calendar) if p2 > p1 else y1
    prov = any(calendar.is_provisional_year(y) for y in range(y1, y2 + 1))
    if not paused:
        return Result(due.astimezone(UTC), prov)
    res = add_business_time(due, paused, calendar)
    return Result(res.due, res.provisional or prov)


# --------------------------------------------------------------------------- bulk API


def _bulk_business(starts, secs: int, tl) -> list[int]:
    st, en, base, ce = tl.starts, tl.ends, tl.base, tl.cumend
    out: list[int] = []
    app = out.append
    if secs == 0:
        for s in starts:
            i = bisect_right(st, s) - 1
            app(s if s <= en[i] else st[i + 1])
        return out
    for s in starts:
        i = bisect_right(st, s) - 1
        e = en[i]
        target = (s if s < e else e) + base[i] + secs  # noqa: FURB136 (hot loop: faster than min())
        app(target - base[bisect_left(ce, target)])
    return out


def _bulk_days(starts, n: int, tl) -> list[int]:
    if n == 0:
        wc = tl.wd_close
        return [wc[bisect_left(wc, s)] for s in starts]
    ws, wc, k = tl.wd_start, tl.wd_close, n - 1
    return [wc[bisect_right(ws, s) + k] for s in starts]


def deadlines_bulk(starts_epoch, seconds: int, calendar: WorkCalendar, kind: str) -> list[int]:
    """Due times (UTC epoch seconds) for many start instants (UTC epoch seconds).

    ``seconds`` is the clock amount: a duration in seconds for the ``calendar``
    and ``business`` kinds, and the number of working days N for the
    ``working_days`` kind.  Semantics are exactly those of the single-instant
    functions (at whole-second precision); no provisional flag is returned.
    """
    kind = ClockKind(kind)
    seconds = int(seconds)
    if seconds < 0:
        raise ValueError("seconds (or working days) must not be negative")
    if kind is ClockKind.CALENDAR:
        return [s + seconds for s in starts_epoch]
    if not isinstance(starts_epoch, (list, tuple)) and not hasattr(starts_epoch, "__len__"):
        starts_epoch = list(starts_epoch)
    if not len(starts_epoch):
        return []
    zone = calendar._zone
    y_lo = datetime.fromtimestamp(min(starts_epoch), zone).year
    y_hi = datetime.fromtimestamp(max(starts_epoch), zone).year
    fn = _bulk_business if kind is ClockKind.BUSINESS else _bulk_days
    hi = y_hi + 1
    while True:
        tl = calendar._timeline(y_lo, hi)
        try:
            return fn(starts_epoch, seconds, tl)
        except IndexError:
            if tl.hi >= y_hi + MAX_SEARCH_YEARS:
                raise ValueError(f"no working time found within {MAX_SEARCH_YEARS} years after {y_hi}") from None
            hi = min(y_hi + MAX_SEARCH_YEARS, tl.hi + max(2, tl.hi - y_hi))
