"""When an engineer works: the business calendar's days, the engineer's shifts, minus leave.

Pure functions over a ``sla.businesstime.WorkCalendar`` (holidays and adjusted working days),
the engineer's shifts (``ShiftSpec``) and their absences (``(starts, ends)`` pairs). No
database access: ``dispatch.selectors`` loads the rows.

Rule (docs/dispatch.md): on a calendar working day an engineer with shifts works the shifts of
that weekday — an adjusted working day (调休, a weekend made a working day) takes Monday's, as
the calendar's own hours do; on a rest day (weekend, public holiday) only the shifts marked
``on_rest_days``. An engineer without shifts works the calendar's hours.
"""

import datetime as dt
from dataclasses import dataclass

from sla.businesstime import WorkCalendar

Window = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class ShiftSpec:
    weekday: int
    starts: dt.time
    ends: dt.time
    on_rest_days: bool = False


def day_windows(calendar: WorkCalendar, shifts: tuple[ShiftSpec, ...], day: dt.date) -> list[Window]:
    """The engineer's working windows on ``day`` as aware datetimes in the calendar's zone."""
    zone = calendar.zone
    working = calendar.is_working_day(day)
    if not shifts:
        pairs = [(s, e) for s, e in calendar.day_windows(day)]
        return [_window(day, s, e, zone) for s, e in pairs]
    weekday = 0 if (working and day in calendar.workdays and day.weekday() >= 5) else day.weekday()
    chosen = [s for s in shifts if s.weekday == weekday and (working or s.on_rest_days)]
    return [_window(day, s.starts, s.ends, zone) for s in sorted(chosen, key=lambda s: s.starts)]


def _window(day: dt.date, start: dt.time, end: dt.time, zone) -> Window:
    a = dt.datetime.combine(day, start, tzinfo=zone)
    b = dt.datetime.combine(day + dt.timedelta(days=1) if end == dt.time(0) else day, end, tzinfo=zone)
    return a, b


def minus(windows: list[Window], busy: list[Window]) -> list[Window]:
    """``windows`` with every ``busy`` interval cut out (both lists of (start, end))."""
    result = []
    for start, end in windows:
        pieces = [(start, end)]
        for b_start, b_end in busy:
            cut = []
            for s, e in pieces:
                if b_end <= s or b_start >= e:
                    cut.append((s, e))
                    continue
                if s < b_start:
                    cut.append((s, b_start))
                if b_end < e:
                    cut.append((b_end, e))
            pieces = cut
        result.extend(pieces)
    return result


def free_windows(
    calendar: WorkCalendar,
    shifts: tuple[ShiftSpec, ...],
    absences: list[Window],
    start: dt.datetime,
    end: dt.datetime,
) -> list[Window]:
    """Working time between ``start`` and ``end`` that leave does not take."""
    zone = calendar.zone
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    windows: list[Window] = []
    while day <= last:
        for s, e in day_windows(calendar, shifts, day):
            s, e = max(s, start), min(e, end)
            if s < e:
                windows.append((s, e))
        day += dt.timedelta(days=1)
    return minus(windows, absences)


def merged(windows: list[Window]) -> list[Window]:
    """Overlapping or touching windows joined (a night shift running into the next day)."""
    result: list[Window] = []
    for s, e in sorted(windows):
        if result and s <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], e))
        else:
            result.append((s, e))
    return result


def covers(calendar: WorkCalendar, shifts: tuple[ShiftSpec, ...], start: dt.datetime, end: dt.datetime) -> bool:
    """Whether the engineer works the whole of [start, end) without a break."""
    day = start.astimezone(calendar.zone).date()
    last = end.astimezone(calendar.zone).date()
    windows = []
    while day <= last:
        windows += day_windows(calendar, shifts, day)
        day += dt.timedelta(days=1)
    return any(s <= start and end <= e for s, e in merged(windows))


def next_on_duty(
    calendar: WorkCalendar,
    shifts: tuple[ShiftSpec, ...],
    absences: list[Window],
    after: dt.datetime,
    until: dt.datetime,
) -> dt.datetime | None:
    """The first moment at or after ``after`` and before ``until`` the engineer is working."""
    windows = free_windows(calendar, shifts, absences, after, until)
    return min((s for s, _e in windows), default=None)
